"""policies/routines.yaml is validated at start-up: any error names file, line and word."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hub.errors import ConfigurationError
from hub.routines.config import ROUTINES, load_routines
from hub.routines.models import EscalationStep, Trigger


def _with(tmp_path: Path, old: str, new: str) -> Path:
    text = ROUTINES.read_text()
    assert old in text
    path = tmp_path / "routines.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_task_without_its_own_ladder_climbs_the_default_one() -> None:
    search = load_routines().get(Trigger.ABSENT)[0]
    assert search.escalation == (
        EscalationStep(timedelta(0), "responsible"),
        EscalationStep(timedelta(hours=2), "on_call"),
        EscalationStep(timedelta(hours=24), "responsible_municipality"),
    )


def test_a_bad_deadline_names_the_file_the_tasks_line_and_the_word(tmp_path: Path) -> None:
    path = _with(tmp_path, "    - key: search\n", "    - key: search-broken\n")
    path.write_text(path.read_text().replace("deadline: 2h\n", "deadline: soon\n", 1))
    with pytest.raises(ConfigurationError) as refused:
        load_routines(path)
    line = _line_of(path, "key: search-broken")
    assert str(refused.value).startswith(f"routines.yaml:{line}: ABSENT[0].deadline 'soon'")


def test_a_ladder_must_climb_and_name_whom_it_reaches(tmp_path: Path) -> None:
    backwards = _with(
        tmp_path, "{after: 24h, to: responsible_municipality}", "{after: 1h, to: polisen-stockholm}"
    )
    with pytest.raises(ConfigurationError, match=r"escalate_default\[2\]\.after '1h'"):
        load_routines(backwards)
    nobody = _with(tmp_path, "{after: 2h, to: on_call}", "{after: 2h, to: Someone Else}")
    with pytest.raises(ConfigurationError, match=r"'Someone Else' \(line \d+\)"):
        load_routines(nobody)
