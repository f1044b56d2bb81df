"""The report: Markdown for people, and the same figures as JSON for tools.

Every figure a scenario measures is in one of its Markdown tables, so the JSON is read
off those tables: per section its title, each table as rows of {column: cell}, and its
prose lines.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from typing import Any


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def sections(markdown: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            found.append({"title": line[3:].strip(), "tables": [], "text": []})
        elif (
            found
            and line.startswith("|")
            and i + 1 < len(lines)
            and set(lines[i + 1]) <= set("|-: ")
        ):
            header = _cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(dict(zip(header, _cells(lines[i]), strict=False)))
                i += 1
            found[-1]["tables"].append(rows)
            continue
        elif found and line.strip() and not line.startswith("```"):
            found[-1]["text"].append(line.strip())
        i += 1
    return found


def as_json(markdown: str) -> str:
    return json.dumps(
        {
            "made": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "sections": sections(markdown),
        },
        indent=2,
        ensure_ascii=False,
    )
