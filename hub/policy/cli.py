"""`hub policy check | explain | matrix`: the policy for the people who review it."""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, date, datetime

import asyncpg

from hub.auth.principal import Principal, Purpose, Role
from hub.errors import ConfigurationError
from hub.organisations import repository as organisations
from hub.policy import diff, matrix, versions
from hub.policy.categories import DataCategory
from hub.policy.enforcer import Enforcer
from hub.policy.engine import Policy
from hub.policy.versions import Verdict


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    policy = commands.add_parser("policy", help="check, explain or tabulate the sharing policy")
    actions = policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    actions.add_parser("check", help="lint policies/ and report; non-zero on any error")
    explain = actions.add_parser("explain", help="why an organisation sees (or not) a child")
    explain.add_argument("--org", required=True, help="organisation id")
    explain.add_argument("--child", required=True, help="child id")
    explain.add_argument("--category", choices=[c.value for c in DataCategory])
    explain.add_argument("--sub", default="explain", help="subject (for a god man: their sub)")
    explain.add_argument("--role", default="caseworker", choices=[r.value for r in Role])
    explain.add_argument("--purpose", default="protection", choices=[p.value for p in Purpose])
    explain.add_argument("--data-dir", help="data directory (HUB_DATA_DIR)")
    actions.add_parser("status", help="the policy version in force and its latest review")
    review = actions.add_parser("review", help="record a review of the version in force")
    review.add_argument("--reviewer", required=True, help="who reviewed (a name)")
    review.add_argument("--role", required=True, help="e.g. dataskyddsombud, jurist")
    review.add_argument("--verdict", required=True, choices=[v.value for v in Verdict])
    review.add_argument("--notes", default="", help="what was checked, conditions")
    changes = actions.add_parser("diff", help="every decision a policy change opens or closes")
    changes.add_argument("--from", dest="from_revision", default="HEAD", help="git revision")
    changes.add_argument("--to", dest="to_revision", help="git revision (default: working tree)")
    table = actions.add_parser(
        "matrix", help="compare (or --write) policies/expectations.csv and action_expectations.csv"
    )
    table.add_argument("--write", action="store_true", help="rewrite the expectations table")


def versions_command(args: argparse.Namespace) -> int:
    """`hub policy status | review | diff`."""
    if args.policy_command == "diff":
        print("\n".join(diff.diff(args.from_revision, args.to_revision)))
        return 0
    current = versions.version()
    if args.policy_command == "review":
        versions.record(
            versions.Review(
                current, date.today(), args.reviewer, args.role, Verdict(args.verdict), args.notes
            )
        )
        print(f"recorded: {args.verdict} of policy version {current} by {args.reviewer}")
        return 0
    found = versions.review_of(current)
    print(f"policy version {current}")
    if found is None:
        print("  not reviewed: prod refuses it unless HUB_ACCEPT_UNREVIEWED_POLICY names it")
        return 1
    print(f"  {found.verdict.value} on {found.on} by {found.reviewer} ({found.role})")
    if found.notes:
        print(f"  notes: {found.notes}")
    return 0 if found.verdict is Verdict.APPROVED else 1


def check() -> int:
    enforcer = Enforcer()
    print(
        f"policies ok: {len(enforcer.sharing_rules)} sharing rules, "
        f"{len(enforcer.action_rules)} action rules"
    )
    return 0


def table(write: bool) -> int:
    enforcer = Enforcer()
    if write:
        print(f"wrote the expectation tables ({matrix.write(enforcer)} decisions)")
        return 0
    for path in matrix.differing(enforcer):
        print(f"policies/{path.name} differs from the policy; review, then --write")
    if matrix.differing(enforcer):
        return 1
    print("policies/expectations.csv and policies/action_expectations.csv match the policy")
    return 0


async def explain(url: str, args: argparse.Namespace) -> int:
    try:
        child_id = uuid.UUID(args.child)
    except ValueError:
        raise ConfigurationError("--child is not a child id") from None
    from hub.children import repository as children

    conn = await asyncpg.connect(url)
    try:
        orgs = await organisations.by_ids(conn, [args.org])
        facts = await children.policy_facts(conn, child_id, args.org, args.sub)
    except asyncpg.UndefinedTableError:
        raise ConfigurationError("the database is not migrated; run: hub migrate") from None
    finally:
        await conn.close()
    if args.org not in orgs:
        raise ConfigurationError(f"no organisation {args.org!r} in the registry")
    if facts is None:
        raise ConfigurationError(f"no child {args.child}")
    principal = Principal(
        sub=args.sub,
        organisation=orgs[args.org],
        roles=frozenset({Role(args.role)}),
        purpose=Purpose(args.purpose),
        expires_at=datetime.now(UTC),
    )
    policy = Policy()
    relation = policy.relation(principal, facts)
    print(
        f"{args.org} ({principal.organisation.kind.value}) as {relation.value}; "
        f"case state {facts.state}; purpose {args.purpose}"
    )
    categories = [DataCategory(args.category)] if args.category else list(DataCategory)
    for category in categories:
        d = policy.decide(principal, relation, category, facts)
        verdict = "ALLOW" if d.allowed else "DENY "
        rule = d.rule.source if d.rule else "no rule (deny by default)"
        why = d.basis if d.allowed else d.reason
        print(f"  {verdict} {category.value:<17} {rule:<16} {why}")
    return 0
