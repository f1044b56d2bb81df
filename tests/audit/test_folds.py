"""What a type shown under a view adds to a record is worked out once for the process
(`hub.audit.recorder._fold`): views that come and go are still recorded by their own
categories, and what is kept stays bounded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hub.audit import recorder
from hub.audit.recorder import AuditPolicy, Recorder
from hub.policy.categories import DataCategory
from hub.policy.view import RowView

CATEGORIES = list(DataCategory)


def test_views_coming_and_going_are_each_recorded_by_their_own_categories() -> None:
    child = uuid.uuid4()
    for n in range(recorder._MEMO + 50):
        shown = CATEGORIES[n % len(CATEGORIES)]
        view = RowView(allowed=frozenset({shown}), bases={shown: f"basis-{n}"})
        audit = Recorder(None, request_id=f"r{n}", policy=AuditPolicy())
        audit.disclosed("Child", frozenset(CATEGORIES), view, child_id=child)
        [entry] = audit.entries(datetime(2026, 12, 2, 10, tzinfo=UTC))
        assert entry.disclosed == (shown.value,)
        assert entry.bases == {shown.value: f"basis-{n}"}
        assert set(entry.withheld) == {c.value for c in CATEGORIES} - {shown.value}
        assert len(recorder._FOLDS) <= recorder._MEMO
        assert len(recorder._UNIONS) <= recorder._MEMO


def test_a_child_shown_under_two_views_by_two_requests_is_recorded_alike_by_both() -> None:
    child = uuid.uuid4()
    status, identity = DataCategory.CASE_STATUS, DataCategory.IDENTITY
    case_view = RowView(allowed=frozenset({status}), bases={status: "case"})
    child_view = RowView(allowed=frozenset({identity}), bases={identity: "child"})
    found = []
    for request in ("first", "second"):
        audit = Recorder(None, request_id=request, policy=AuditPolicy())
        audit.disclosed_cases(
            "Case", frozenset({status}), case_view, child_id=child, case_ids=[b"\x01" * 16]
        )
        audit.disclosed("Child", frozenset({identity}), child_view, child_id=child)
        [entry] = audit.entries(datetime(2026, 12, 2, 10, tzinfo=UTC))
        found.append((entry.disclosed, entry.bases, entry.case_ids))
    assert (
        found[0]
        == found[1]
        == (
            (status.value, identity.value),
            {status.value: "case", identity.value: "child"},
            (uuid.UUID(bytes=b"\x01" * 16),),
        )
    )
