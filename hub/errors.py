"""Expected failures, each with a stable code that clients can act on.

A `HubError` crosses the GraphQL boundary as an error with `extensions.code`; anything
else is an internal error and is masked. Messages are written for the person reading
them: what was wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class HubError(Exception):
    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, **extensions: object) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: Mapping[str, object] = extensions


class Unauthenticated(HubError):
    code = "UNAUTHENTICATED"


class Forbidden(HubError):
    code = "FORBIDDEN"


class NotFound(HubError):
    code = "NOT_FOUND"


class BadRequest(HubError):
    """The request itself is malformed (not JSON, not an object, nested too deeply)."""

    code = "BAD_REQUEST"


class InvalidInput(HubError):
    code = "INVALID_INPUT"

    def __init__(self, message: str, *, field: str, **extensions: object) -> None:
        super().__init__(message, field=field, **extensions)
        self.field = field


class InvalidTransition(HubError):
    code = "INVALID_TRANSITION"


class Conflict(HubError):
    code = "CONFLICT"


class RateLimited(HubError):
    """Too many of one thing from one person; `retryAfter` says when to try again."""

    code = "RATE_LIMITED"


class Unavailable(HubError):
    """A dependency (database, identity provider) cannot be reached right now."""

    code = "UNAVAILABLE"


class ConfigurationError(Exception):
    """Bad settings or policy files; the process refuses to start with this one line."""
