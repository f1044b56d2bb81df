"""Checks of caller input, each failing as INVALID_INPUT naming the field."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hub.errors import InvalidInput

CLOCK_SKEW = timedelta(minutes=5)


def text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str | None:
    """Trimmed text, or None when optional and empty."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise InvalidInput(f"{field} must not be empty", field=field)
        return None
    if len(cleaned) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return cleaned


def required_text(value: str | None, field: str, *, max_length: int) -> str:
    cleaned = text(value, field, max_length=max_length)
    assert cleaned is not None
    return cleaned


def past(value: datetime, field: str) -> datetime:
    """A moment that has happened (a few minutes of clock skew allowed)."""
    if value.tzinfo is None:
        raise InvalidInput(
            f"{field} needs a time zone (e.g. 2026-11-23T14:00:00+01:00)", field=field
        )
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise InvalidInput(f"{field} is in the future", field=field)
    return value


def birth_date(value: date, field: str = "birthDate") -> date:
    today = datetime.now(UTC).date()
    if value > today:
        raise InvalidInput(f"{field} is in the future", field=field)
    if value < today.replace(year=today.year - 25):
        raise InvalidInput(
            f"{field} is more than 25 years ago; the hub is for children", field=field
        )
    return value


def items(values: list[str] | None, field: str, *, max_items: int, max_length: int) -> list[str]:
    cleaned = [v.strip() for v in values or [] if v.strip()]
    if len(cleaned) > max_items:
        raise InvalidInput(f"{field} has more than {max_items} entries", field=field)
    for v in cleaned:
        if len(v) > max_length:
            raise InvalidInput(
                f"an entry of {field} is longer than {max_length} characters", field=field
            )
    return cleaned


_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")


def phone(value: str | None, field: str, *, required: bool = False) -> str | None:
    """A telephone number as people write it: digits, spaces, dashes, brackets, a +."""
    cleaned = text(value, field, max_length=40, required=required)
    if cleaned is not None and not _PHONE.match(cleaned):
        raise InvalidInput(f"{field} is not a telephone number", field=field)
    return cleaned


def email(value: str | None, field: str) -> str | None:
    cleaned = text(value, field, max_length=200, required=False)
    if cleaned is not None and not _EMAIL.match(cleaned):
        raise InvalidInput(f"{field} is not an e-mail address", field=field)
    return cleaned
