"""What one principal may see of one child or case: the per-row outcome of the policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.policy.categories import DataCategory


@dataclass(frozen=True, slots=True)
class Withholding:
    category: DataCategory
    reason: str


@dataclass(frozen=True, slots=True)
class RowView:
    """Categories disclosed for one row, and the ones held back with their reasons."""

    allowed: frozenset[DataCategory]
    withheld: tuple[Withholding, ...] = field(default=())
    # the legal basis of each disclosed category, for the audit record
    bases: dict[DataCategory, str] = field(default_factory=dict)
    # the allowed categories that only emergency access opened (flagged in the audit)
    emergency: frozenset[DataCategory] = frozenset()

    def allows(self, category: DataCategory) -> bool:
        return category in self.allowed


FULL_VIEW = RowView(allowed=frozenset(DataCategory), bases={c: "bypass" for c in DataCategory})
