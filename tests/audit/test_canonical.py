"""The chain's canonical bytes (`hub.audit.chain.canonical`) are json.dumps' bytes, whichever
encoder wrote them: every stored hash, and every hash to come, depends on it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.audit.chain import canonical

# any text: every plane, surrogates, controls and DEL included
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
NUMBERS = st.integers() | st.floats(allow_nan=True, allow_infinity=True)
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
# a record as `hub.audit.chain._content` makes one: typed fields, then details last
RECORD = st.tuples(
    st.lists(st.integers() | TEXT | st.none() | st.lists(TEXT, max_size=3), max_size=8),
    st.dictionaries(TEXT, TEXT, max_size=4),
    st.dictionaries(TEXT, JSON, max_size=4),
)


def _json(record: list[Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


def _equal(record: list[Any], details: Any) -> None:
    try:
        expected = _json(record)
    except (TypeError, ValueError):  # json refuses it: so must the chain
        try:
            canonical(record, details)
        except (TypeError, ValueError):
            return
        raise AssertionError(f"canonical wrote what json refuses: {record!r}") from None
    assert canonical(record, details) == expected


def test_every_character_is_written_as_json_writes_it() -> None:
    ascii_ = [chr(code) for code in range(0x80)]
    for one in ascii_:  # alone and beside every other: where orjson may write them
        _equal([one, {one: [one + two for two in ascii_]}], {})
    for start in range(0x80, 0x110000, 0x400):  # past ASCII json's bytes are always kept
        text = "".join(map(chr, range(start, min(start + 0x400, 0x110000))))
        _equal([text, {text: text}], {})


@settings(max_examples=1000, derandomize=True, deadline=None)
@given(RECORD)
def test_any_record_is_written_as_json_writes_it(parts: tuple[Any, ...]) -> None:
    fields, bases, details = parts
    _equal([*fields, bases, details], details)


def test_a_record_of_plain_words_is_the_same_bytes_as_before() -> None:
    record = [7, "2026-12-03T10:00:00+00:00", "READ", ["officer"], {"IDENTITY": "RELATION"}, {}]
    assert canonical(record, {}) == (
        b'[7,"2026-12-03T10:00:00+00:00","READ",["officer"],{"IDENTITY":"RELATION"},{}]'
    )
