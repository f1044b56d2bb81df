"""Finding a child by name however it is spelled, by birth date or year, or by dossier
number: `children(filter: {search})`, within the caller's scope.

Names are compared in one form: transliterated to Latin letters (anyascii: Мухаммад ->
mukhammad, Şükrü -> sukru), lower case, split into words. A query word matches a name word
when they are equal, share a double-metaphone key (PostgreSQL's fuzzystrmatch: Mohammed,
Muhammad and Mohamad are all MHMT), or are similar as trigrams (pg_trgm, at least
NAME_SIMILARITY: Mukhammad ~ Muhammad). The SQL is in `search_repository`.
"""

from __future__ import annotations

import re
from datetime import date

from hub.actor import Actor
from hub.children import search_repository as repository
from hub.children.models import Child, SearchQuery
from hub.children.search_repository import MAX_WORDS
from hub.errors import InvalidInput
from hub.policy.visible import Visible
from hub.text import search_form

NAME_SIMILARITY = 0.45
MAX_SEARCH = 200
_WILDCARDS = re.compile(r"[%_*?\\]")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_DOSSIER = re.compile(r"^\d{5,12}$")


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field}: {text!r} is not a date (YYYY-MM-DD)", field=field) from None


def name_words(value: str, field: str) -> tuple[str, ...]:
    """The words of a name as search compares them; wildcards and one-letter words are
    refused (a search is for a child, not for everyone whose name has an 'a')."""
    if _WILDCARDS.search(value):
        raise InvalidInput(f"{field}: wildcards are not searched for; write the name", field=field)
    words = tuple(search_form(value).split())
    if any(len(w) < 2 for w in words):
        raise InvalidInput(f"{field}: every name needs at least two letters", field=field)
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"{field}: at most {MAX_WORDS} names", field=field)
    return words


def parse(raw: str, field: str = "filter.search") -> SearchQuery:
    """Words that are names, a birth date (YYYY-MM-DD) or year, a dossier number."""
    text = raw.strip()
    if not text:
        raise InvalidInput(f"{field} is empty", field=field)
    if len(text) > MAX_SEARCH:
        raise InvalidInput(f"{field} is longer than {MAX_SEARCH} characters", field=field)
    names: list[str] = []
    born: date | None = None
    year: int | None = None
    dossier: str | None = None
    for token in text.split():
        if _DATE.match(token):
            born = _date(token, field)
        elif _YEAR.match(token):
            year = int(token)
        elif _DOSSIER.match(token):
            dossier = token
        else:
            names.append(token)
    words = name_words(" ".join(names), field) if names else ()
    return SearchQuery(words, born, year, dossier)


async def search(actor: Actor, raw: str, limit: int) -> tuple[list[Visible[Child]], int]:
    """The actor's visible children that match, best first; names, birth dates and
    dossier numbers are compared only where the actor may read the child's IDENTITY."""
    query = parse(raw)
    scope = actor.policy.scope(actor.principal)
    rows, total = await repository.search(actor.db, scope, query, limit, NAME_SIMILARITY)
    return [Visible(c, actor.policy.view(actor.principal, c.facts)) for c in rows], total
