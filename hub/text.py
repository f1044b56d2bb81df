"""Text that PostgreSQL and every reader can hold: no NUL, no unpaired surrogate.

JSON lets a client send "\\u0000" or a lone "\\ud800"; PostgreSQL refuses both in text
and jsonb, so one such string in a request could fail a shared write (the audit group
commit) for everyone. Inputs are refused at the boundary (`unsafe_text`); what the hub
itself writes from a caller's words (audit details) is cleaned and capped (`clean`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from anyascii import anyascii

_UNSAFE = re.compile("[\x00\ud800-\udfff]")
MAX_DETAIL_TEXT = 500
MAX_DETAIL_ITEMS = 50


def is_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def unsafe_text(value: object, path: str = "") -> Iterator[str]:
    """The paths (`input.place`, `ids.2`) of every unsafe string in a JSON-like value."""
    if isinstance(value, str):
        if is_unsafe(value):
            yield path
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and is_unsafe(key):
                yield name
            yield from unsafe_text(item, name)
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            yield from unsafe_text(item, f"{path}.{n}" if path else str(n))


def clean(value: Any, depth: int = 0) -> Any:
    """A JSON-like value safe to store: unsafe characters replaced, strings, lists and
    objects capped, nesting flattened to text past three levels."""
    if isinstance(value, str):
        text = _UNSAFE.sub("\ufffd", value)
        return text if len(text) <= MAX_DETAIL_TEXT else text[: MAX_DETAIL_TEXT - 1] + "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= 3:
        return clean(str(value), depth)
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_DETAIL_ITEMS]
        return {clean(str(k), depth + 1): clean(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple | set | frozenset):
        return [clean(v, depth + 1) for v in list(value)[:MAX_DETAIL_ITEMS]]
    return clean(str(value), depth)


_NOT_A_LETTER = re.compile(r"[^a-z0-9]+")


def search_form(*names: str) -> str:
    """A name as the hub's search compares it: transliterated to Latin letters (anyascii:
    Мухаммад -> mukhammad, Şükrü -> sukru), lower case, words split by single spaces."""
    return " ".join(w for w in _NOT_A_LETTER.split(anyascii(" ".join(names)).lower()) if w)
