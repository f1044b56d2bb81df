"""Reading and validating `policies/routines.yaml`; a mistake stops start-up, named."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from hub.errors import ConfigurationError
from hub.events.models import EventType
from hub.policy.rules import POLICY_DIR
from hub.policy.states import CaseStatus
from hub.routines.models import EscalationStep, TaskTemplate, Trigger

ROUTINES = POLICY_DIR / "routines.yaml"
RELATIONS = frozenset({"responsible_municipality", "residence", "guardian"})
# what completes a task by itself, or makes it moot: the case reaching a state, or a fact
# an organisation records
FACTS = frozenset(
    {
        *(s.value for s in CaseStatus),
        "AVVIKEN_REGISTERED",
        "POLICE_ASSESSED",
        "ALERT_ISSUED",
        "ALERT_CANCELLED",
        "RETURN_REGISTERED",
        "TURNED_18",
        # what a case never had, settled as it reaches a state: no alert out, no avviken
        "NO_ACTIVE_ALERT",
        "NO_AVVIKEN",
    }
)
DONE_WHEN = FACTS
_DEADLINE = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_ORG_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class Routines:
    """policies/routines.yaml: each trigger's tasks; the guardianship board whose god men
    take the `guardian` tasks; the event types a partner must acknowledge."""

    tasks: Mapping[Trigger, tuple[TaskTemplate, ...]]
    guardianship: str | None = None
    acknowledge: frozenset[str] = frozenset()

    def get(self, trigger: Trigger) -> tuple[TaskTemplate, ...]:
        return self.tasks.get(trigger, ())


def _deadline(where: str, raw: object) -> timedelta:
    match = _DEADLINE.match(str(raw))
    if match is None or int(match.group(1)) == 0:
        raise ConfigurationError(f"{where}.deadline {raw!r}: write a number and m, h or d (2h, 7d)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


ESCALATE_TO = frozenset({"responsible", "on_call", "responsible_municipality"})


def _ladder(where: str, raw: object) -> tuple[EscalationStep, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"{where}: a list of steps {{after: 2h, to: on_call}}")
    steps: list[EscalationStep] = []
    for n, step in enumerate(raw):
        at = f"{where}[{n}]"
        if not isinstance(step, dict) or set(step) != {"after", "to"}:
            raise ConfigurationError(f"{at} (line {_line(step)}): a step has after and to")
        after = str(step["after"])
        delay = timedelta(0) if after in ("0", "0h", "0m", "0d") else _deadline(at, after)
        to = str(step["to"])
        if to not in ESCALATE_TO and not _ORG_ID.match(to):
            raise ConfigurationError(
                f"{at}.to {to!r} (line {_line(step)}): use "
                f"{', '.join(sorted(ESCALATE_TO))} or an organisation id"
            )
        if steps and delay <= steps[-1].after:
            raise ConfigurationError(f"{at}.after {after!r}: each step comes after the last")
        steps.append(EscalationStep(delay, to))
    return tuple(steps)


def _template(where: str, raw: object) -> TaskTemplate:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: a task has key, title, responsible, deadline")
    unknown = set(raw) - {
        "key",
        "title",
        "responsible",
        "deadline",
        "done_when",
        "not_needed_when",
        "escalate",
    }
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
    moot = raw.get("not_needed_when", [])
    if not isinstance(moot, list) or any(m not in FACTS for m in moot):
        raise ConfigurationError(
            f"{where}.not_needed_when {moot!r}: a list of {', '.join(sorted(FACTS))}"
        )
    return TaskTemplate(
        key=str(raw["key"]),
        title=str(raw["title"]),
        responsible=responsible,
        deadline=_deadline(where, raw["deadline"]),
        done_when=done_when,
        not_needed_when=tuple(str(m) for m in moot),
        escalation=_ladder(f"{where}.escalate", raw["escalate"]) if "escalate" in raw else (),
    )


class _Lined(dict[Any, Any]):
    """A mapping that remembers the line it starts on in its file."""

    line = 0


class _LineLoader(yaml.SafeLoader):
    """yaml's SafeLoader, whose mappings know their line: errors name file, line, word."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lined = _Lined(super().construct_mapping(node, deep=deep))
        lined.line = node.start_mark.line + 1
        return lined


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node),  # type: ignore[arg-type]
)


def _line(raw: object) -> int:
    return raw.line if isinstance(raw, _Lined) else 0


def _with_default(template: TaskTemplate, ladder: tuple[EscalationStep, ...]) -> TaskTemplate:
    return template if template.escalation else replace(template, escalation=ladder)


def load_routines(path: Path = ROUTINES) -> Routines:
    name = path.name
    try:
        document = yaml.load(path.read_text(), Loader=_LineLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"{name}: cannot be read as YAML ({type(exc).__name__})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("routines"), dict):
        raise ConfigurationError(f"{name}: the file holds a 'routines' mapping")
    default = (
        _ladder(f"{name}: escalate_default", document["escalate_default"])
        if "escalate_default" in document
        else ()
    )
    tasks: dict[Trigger, tuple[TaskTemplate, ...]] = {}
    for trigger, listed in document["routines"].items():
        if trigger not in Trigger.__members__:
            raise ConfigurationError(
                f"{name}: unknown trigger {trigger!r}; use one of {', '.join(Trigger.__members__)}"
            )
        if not isinstance(listed, list):
            raise ConfigurationError(f"{name}: {trigger} holds a list of tasks")
        templates = tuple(
            _with_default(_template(f"{name}:{_line(t)}: {trigger}[{i}]", t), default)
            for i, t in enumerate(listed)
        )
        keys = [t.key for t in templates]
        if len(set(keys)) != len(keys):
            raise ConfigurationError(f"{name}: {trigger} has two tasks with one key")
        tasks[Trigger(trigger)] = templates
    guardianship = document.get("guardianship")
    if guardianship is not None and not _ORG_ID.match(str(guardianship)):
        raise ConfigurationError(f"{name}: guardianship {guardianship!r} is no organisation id")
    acknowledge = document.get("acknowledge", [])
    if not isinstance(acknowledge, list) or any(
        a not in EventType.__members__ for a in acknowledge
    ):
        raise ConfigurationError(f"{name}: acknowledge lists event types (STATUS_CHANGED, ...)")
    if any(t.responsible == "guardian" for ts in tasks.values() for t in ts) and not guardianship:
        raise ConfigurationError(f"{name}: a task for the guardian needs 'guardianship'")
    return Routines(
        tasks, str(guardianship) if guardianship else None, frozenset(map(str, acknowledge))
    )


def organisation_ids(routines: Routines) -> set[str]:
    """Organisation ids named as responsible: the registry must know every one."""
    named = {t.responsible for ts in routines.tasks.values() for t in ts}
    return (named - RELATIONS) | ({routines.guardianship} if routines.guardianship else set())
