"""The SQL of finding a child (hub.children.search): ranked name search within a scope,
and the unscoped, strict matching behind the outreach lookup."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from hub.children.models import Child, SearchQuery
from hub.children.repository import CHILD_ROWS, SCOPE_PREDICATE, child_of
from hub.db.session import Db
from hub.policy.categories import DataCategory
from hub.policy.scope import RowScope

MAX_WORDS = 6  # hub.children.search refuses more

# How well each query word ($4) matches the child's name: 1 equal, 0.9 a shared
# double-metaphone code, else the trigram similarity; `share` counts words matched at
# least $5. One or two words must all match; of more, two thirds.
_SCORE = """CROSS JOIN LATERAL (
    SELECT coalesce(avg(best), 0) AS score,
           count(*) FILTER (WHERE best >= $5)::float / greatest(cardinality($4::text[]), 1)
               AS share
      FROM (SELECT (SELECT max(CASE WHEN w = t THEN 1.0
                                    WHEN dmetaphone(w) = dmetaphone(t)
                                      OR dmetaphone_alt(w) = dmetaphone_alt(t) THEN 0.9
                                    ELSE similarity(w, t) END)
                      FROM regexp_split_to_table(ch.search_name, '[^a-z0-9]+') w
                     WHERE w <> '') AS best
              FROM unnest($4::text[]) t) per_word
) m"""


# Candidates by index, word by word (each a BitmapOr, all of them a BitmapAnd): the word
# shares a phonetic key with the name (GIN on name_keys) or is like one of its words as
# trigrams (GIN on search_name); then `share` decides.
def _named(words: int) -> str:
    each = [
        f"""(ch.name_keys && name_keys(($4::text[])[{n}])
            OR ($4::text[])[{n}] <% ch.search_name)"""
        for n in range(1, words + 1)
    ]
    matched = "m.share >= CASE WHEN cardinality($4::text[]) <= 2 THEN 1 ELSE 0.66 END"
    # of three or more words, any two thirds may match: the index narrows by the first two
    return " AND ".join([*each[:2], matched])


_FACTS = """($6::text IS NULL OR ch.dossier_number = $6)
   AND ($7::date IS NULL OR ch.birth_date = $7)
   AND ($8::int IS NULL OR ch.birth_date >= make_date($8, 1, 1)
                         AND ch.birth_date < make_date($8 + 1, 1, 1))"""


def _search_sql(words: int) -> str:
    select = CHILD_ROWS.replace("SELECT ch.*,", "SELECT ch.*, m.score, count(*) OVER () AS total,")
    return f"""{select}
  {_SCORE}
 WHERE {SCOPE_PREDICATE} AND {_FACTS}
   {"AND " + _named(words) if words else ""}
 ORDER BY m.score DESC, ch.created_at, ch.id
 LIMIT $9
"""


SEARCH = {words: _search_sql(words) for words in range(MAX_WORDS + 1)}


async def search(
    db: Db, scope: RowScope, query: SearchQuery, limit: int, similarity: float
) -> tuple[list[Child], int]:
    """Best first, in the rows where IDENTITY may be read (names, birth dates and dossier
    numbers are IDENTITY: a search must not probe what the row does not show)."""
    identity = scope.for_category(DataCategory.IDENTITY)
    sql = SEARCH[len(query.words)]
    await _name_plans(db, similarity)
    rows = await db.fetch(
        sql,
        *identity.sql_args(),
        list(query.words),
        similarity,
        query.dossier_number,
        query.birth_date,
        query.birth_year,
        limit,
    )
    await _plans_as_usual(db)
    total = rows[0]["total"] if rows else 0
    return [child_of(r) for r in rows], int(total)


async def _name_plans(db: Db, similarity: float) -> None:
    """For this transaction: the `<%` operator's threshold as low as the score's, and
    plans made for the words at hand through the name indexes. The planner prices a
    trigram scan of a short word near a sequential scan of the county; measured on 100,000
    children (bench/finding.py) the index path takes 10-30 ms, the sequential one 150-250."""
    await db.fetchval(
        """SELECT set_config('pg_trgm.word_similarity_threshold', $1, true),
                  set_config('plan_cache_mode', 'force_custom_plan', true),
                  set_config('enable_seqscan', 'off', true)""",
        str(similarity),
    )


async def _plans_as_usual(db: Db) -> None:
    await db.fetchval(
        """SELECT set_config('plan_cache_mode', 'auto', true),
                  set_config('enable_seqscan', 'on', true)"""
    )


# ---- the lookup: unscoped, every given fact must match, the child still in the plan

_WORD_MATCHES = """(SELECT bool_and(EXISTS (
        SELECT 1 FROM regexp_split_to_table(lower(unaccent({column})), '[^a-z0-9]+') w
         WHERE w <> '' AND (w = t OR dmetaphone(w) = dmetaphone(t)
                            OR dmetaphone_alt(w) = dmetaphone_alt(t) OR similarity(w, t) >= $6)))
      FROM unnest({words}::text[]) t)"""
LOOKUP = f"""
SELECT ch.id, ch.responsible_municipality_id,
       EXISTS (SELECT 1 FROM cases k WHERE k.child_id = ch.id
                AND k.status IN ('ABSENT', 'REPORTED_MISSING')) AS missing
  FROM children ch
 WHERE ch.left_plan_at IS NULL
   AND ($1::text IS NULL OR ch.dossier_number = $1)
   AND ($2::date IS NULL OR ch.birth_date = $2)
   AND ($3::int IS NULL OR ch.birth_date >= make_date($3, 1, 1)
                        AND ch.birth_date < make_date($3 + 1, 1, 1))
   AND (cardinality($4::text[]) + cardinality($5::text[]) = 0
        OR ch.name_keys && name_keys(array_to_string($4::text[] || $5::text[], ' '))
        OR ch.search_name % array_to_string($4::text[] || $5::text[], ' '))
   AND (cardinality($4::text[]) = 0 OR {_WORD_MATCHES.format(column="ch.given_name", words="$4")})
   AND (cardinality($5::text[]) = 0 OR {_WORD_MATCHES.format(column="ch.family_name", words="$5")})
 ORDER BY ch.created_at, ch.id
 LIMIT $7
"""


@dataclass(frozen=True, slots=True)
class Found:
    child_id: uuid.UUID
    responsible_municipality_id: str
    missing: bool


async def lookup(
    db: Db,
    *,
    given: tuple[str, ...],
    family: tuple[str, ...],
    birth_date: date | None,
    birth_year: int | None,
    dossier_number: str | None,
    similarity: float,
    limit: int,
) -> list[Found]:
    await _name_plans(db, similarity)
    rows = await db.fetch(
        LOOKUP,
        dossier_number,
        birth_date,
        birth_year,
        list(given),
        list(family),
        similarity,
        limit,
    )
    await _plans_as_usual(db)
    return [Found(r["id"], r["responsible_municipality_id"], r["missing"]) for r in rows]
