"""Log lines as JSON (or text for people at a terminal), each with its request id and
trace id. Messages name counts, codes and incident ids; never a person's data."""

from __future__ import annotations

import logging
import sys

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from hub.telemetry import request_id

_PAYLOAD_LOGGERS = ("websockets", "httpx", "httpcore", "asyncpg", "strawberry")


class _Correlation(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.peek() or "-"
        record.client_request_id = request_id.client() or "-"
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else "-"
        return True


def configure_logging(level: str, fmt: str) -> None:
    """`fmt` is "json" (one object per line on stderr) or "text"."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Correlation())
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{request_id}{client_request_id}{trace_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(levelname)s %(name)s [%(request_id)s]: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in _PAYLOAD_LOGGERS:  # at DEBUG these print frames and bodies
        logging.getLogger(chatty).setLevel(max(logging.INFO, root.level))
