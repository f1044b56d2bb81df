"""Reading and validating `policies/routines.yaml`; a mistake stops start-up, named."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import yaml

from hub.errors import ConfigurationError
from hub.policy.rules import POLICY_DIR
from hub.policy.states import CaseStatus
from hub.routines.models import TaskTemplate, Trigger

ROUTINES = POLICY_DIR / "routines.yaml"
RELATIONS = frozenset({"responsible_municipality", "residence"})
# what completes a task by itself: the case reaching a state, or a recorded fact
DONE_WHEN = frozenset({*(s.value for s in CaseStatus), "AVVIKEN_REGISTERED"})
_DEADLINE = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_ORG_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")

Routines = dict[Trigger, tuple[TaskTemplate, ...]]


def _deadline(where: str, raw: object) -> timedelta:
    match = _DEADLINE.match(str(raw))
    if match is None or int(match.group(1)) == 0:
        raise ConfigurationError(f"{where}.deadline {raw!r}: write a number and m, h or d (2h, 7d)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _template(where: str, raw: object) -> TaskTemplate:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: a task has key, title, responsible, deadline")
    unknown = set(raw) - {"key", "title", "responsible", "deadline", "done_when"}
    missing = {"key", "title", "responsible", "deadline"} - set(raw)
    if unknown or missing:
        word = sorted(unknown)[0] if unknown else f"missing {sorted(missing)[0]}"
        raise ConfigurationError(f"{where}: unknown or missing field ({word})")
    responsible = str(raw["responsible"])
    if responsible not in RELATIONS and not _ORG_ID.match(responsible):
        raise ConfigurationError(
            f"{where}.responsible {responsible!r}: use a relation "
            f"({', '.join(sorted(RELATIONS))}) or an organisation id"
        )
    done_when = raw.get("done_when")
    if done_when is not None and done_when not in DONE_WHEN:
        raise ConfigurationError(
            f"{where}.done_when {done_when!r}: use one of {', '.join(sorted(DONE_WHEN))}"
        )
    return TaskTemplate(
        key=str(raw["key"]),
        title=str(raw["title"]),
        responsible=responsible,
        deadline=_deadline(where, raw["deadline"]),
        done_when=done_when,
    )


def load_routines(path: Path = ROUTINES) -> Routines:
    name = path.name
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"{name}: cannot be read as YAML ({type(exc).__name__})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("routines"), dict):
        raise ConfigurationError(f"{name}: the file holds a 'routines' mapping")
    routines: Routines = {}
    for trigger, tasks in document["routines"].items():
        if trigger not in Trigger.__members__:
            raise ConfigurationError(
                f"{name}: unknown trigger {trigger!r}; use one of {', '.join(Trigger.__members__)}"
            )
        if not isinstance(tasks, list):
            raise ConfigurationError(f"{name}: {trigger} holds a list of tasks")
        templates = tuple(_template(f"{name}: {trigger}[{i}]", t) for i, t in enumerate(tasks))
        keys = [t.key for t in templates]
        if len(set(keys)) != len(keys):
            raise ConfigurationError(f"{name}: {trigger} has two tasks with one key")
        routines[Trigger(trigger)] = templates
    return routines


def organisation_ids(routines: Routines) -> set[str]:
    """Organisation ids named as responsible: the registry must know every one."""
    return {t.responsible for ts in routines.values() for t in ts if t.responsible not in RELATIONS}
