"""Policy versions and their review trail.

A version is the content hash of `policies/` (every file but the review trail itself), so
the same rules are the same version on every machine. Reviews are data beside the rules,
in `policies/reviews.csv`: who, in which role, when, of which version, the verdict, notes.
`hub policy review` appends one; `hub policy status` shows the version in force and its
latest review. In prod an unreviewed version is refused at start-up, unless
HUB_ACCEPT_UNREVIEWED_POLICY names it (logged, and shown by /readyz).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from hub.errors import ConfigurationError
from hub.policy.rules import POLICY_DIR

REVIEWS = "reviews.csv"
_HEADER = ["version", "date", "reviewer", "role", "verdict", "notes"]


def version(directory: Path = POLICY_DIR) -> str:
    """The first 16 hex digits of the SHA-256 over every policy file's name and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != REVIEWS):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class Verdict(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Review:
    version: str
    on: date
    reviewer: str
    role: str
    verdict: Verdict
    notes: str


def reviews(directory: Path = POLICY_DIR) -> list[Review]:
    path = directory / REVIEWS
    if not path.exists():
        return []
    found = []
    rows = list(csv.reader(io.StringIO(path.read_text())))
    if not rows or rows[0] != _HEADER:
        raise ConfigurationError(f"{REVIEWS}: the first line is {','.join(_HEADER)}")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(_HEADER):
            raise ConfigurationError(f"{REVIEWS}:{number}: expected {len(_HEADER)} fields")
        try:
            found.append(
                Review(row[0], date.fromisoformat(row[1]), row[2], row[3], Verdict(row[4]), row[5])
            )
        except ValueError as exc:
            raise ConfigurationError(f"{REVIEWS}:{number}: {exc}") from None
    return found


def review_of(version_: str, directory: Path = POLICY_DIR) -> Review | None:
    """The latest review of `version_`, whatever its verdict."""
    mine = [r for r in reviews(directory) if r.version == version_]
    return mine[-1] if mine else None


def record(review: Review, directory: Path = POLICY_DIR) -> None:
    for name, value in (("--reviewer", review.reviewer), ("--role", review.role)):
        if not value.strip():
            raise ConfigurationError(f"{name} must not be empty")
    path = directory / REVIEWS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not path.exists():
        writer.writerow(_HEADER)
    writer.writerow(
        [
            review.version,
            review.on.isoformat(),
            review.reviewer,
            review.role,
            review.verdict.value,
            review.notes,
        ]
    )
    with path.open("a") as f:
        f.write(out.getvalue())


@dataclass(frozen=True, slots=True)
class Standing:
    """The version in force and what stands behind it, for start-up and /readyz."""

    version: str
    review: Review | None
    accepted_unreviewed: bool

    @property
    def approved(self) -> bool:
        return self.review is not None and self.review.verdict is Verdict.APPROVED

    def as_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "reviewed": self.approved,
            "reviewedOn": self.review.on.isoformat() if self.review else None,
            "acceptedUnreviewed": self.accepted_unreviewed,
        }


def standing(
    accept_unreviewed: str | None, *, prod: bool, directory: Path = POLICY_DIR
) -> Standing:
    """The policy's standing; in prod a version without an approving review is refused
    unless `accept_unreviewed` (HUB_ACCEPT_UNREVIEWED_POLICY) names exactly it."""
    current = version(directory)
    found = standing_of(current, directory)
    if not prod or found.approved:
        return found
    if accept_unreviewed != current:
        verdict = f"was {found.review.verdict.value}" if found.review else "has no review"
        raise ConfigurationError(
            f"the policy in force (version {current}) {verdict}: record an approving review "
            f"with `hub policy review`, or set HUB_ACCEPT_UNREVIEWED_POLICY={current}"
        )
    return Standing(current, found.review, accepted_unreviewed=True)


def standing_of(current: str, directory: Path = POLICY_DIR) -> Standing:
    return Standing(current, review_of(current, directory), accepted_unreviewed=False)
