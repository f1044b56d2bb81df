"""The layout the README's map promises, checked: every domain has the same file roles,
services take the actor first, only the assembler imports every domain, only the app and
the CLI import the runtime, and no import cycle but the node types' lazy references."""

from __future__ import annotations

import ast

from tests.architecture import ROOT, cycles, imports, modules

DOMAINS = (
    "cases",
    "children",
    "consents",
    "emergency",
    "events",
    "organisations",
    "routines",
    "statistics",
)
ROLES = {"__init__", "models", "repository", "service", "types", "schema", "loaders"}
# modules beyond the roles, each a concern of its own domain
EXTRA = {
    # facts recorded without a move, and their mutations; the compiled reads' statements
    "cases": {"facts", "facts_schema", "compiled_repository"},
    # histories' SQL; Pillow; the photo route; handing a child over (placements, transfers,
    # a new god man, leaving the plan at 18)
    "children": {"history_repository", "images", "photos"}
    | {"handover", "handover_repository", "handover_schema", "handover_types"}
    # finding a child: ranked search, the outreach lookup and contact reports
    | {"search", "search_repository", "lookup", "lookup_repository", "lookup_schema"}
    | {"audience", "audience_schema"}  # who will read what you write
    | {"compiled_repository"},  # the compiled reads' statements for children
    "events": {
        "bus",
        "outbox",
        "scheduler",
        "sse",
        "subscription",
        "notifier",
        "notifier_repository",
        "cohorts",  # deliveries shared by subscribers who receive the same answer
        "parked",  # cohort members served by their cohort's one task
    }
    | {"webhooks", "webhook_repository", "webhook_schema"},  # partner systems
    "organisations": {"registry"},  # the cached directory
    "routines": {"config"},  # policies/routines.yaml
    "statistics": {"perturbation", "chart"},  # cell-key noise; the SVG charts
}
# GraphQL's object graph has cycles (a case's child, a child's cases): these node types
# name each other through strawberry.lazy and import each other only for type checking
# and inside resolvers, never at module level
NODE_TYPES = {"hub.cases.types", "hub.children.types", "hub.events.types", "hub.routines.types"}


def _module_level_imports() -> dict[str, set[str]]:
    graph = imports()
    for name, path in modules().items():
        tree = ast.parse(path.read_text())
        top = {
            alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        } | {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
        graph[name] = {target for target in graph[name] if target in top}
    return graph


def test_every_domain_has_the_same_file_roles_and_no_undeclared_module() -> None:
    for domain in DOMAINS:
        found = {p.stem for p in (ROOT / "hub" / domain).glob("*.py")}
        assert found - ROLES <= EXTRA.get(domain, set()), (domain, found - ROLES)
        assert {"__init__", "models", "service", "types", "schema"} <= found, domain


def test_a_service_acts_for_a_principal_only_through_the_actor() -> None:
    forbidden = {"Policy", "Principal", "Recorder", "OrganisationRegistry"}
    for domain in DOMAINS:
        tree = ast.parse((ROOT / "hub" / domain / "service.py").read_text())
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            annotations = {ast.unparse(a.annotation) for a in params if a.annotation}
            assert not annotations & forbidden, f"hub/{domain}/service.py {node.name}"
            if "Actor" in annotations:
                assert params[0].arg == "actor", f"hub/{domain}/service.py {node.name}"


def test_only_the_schema_assembler_imports_every_domains_schema() -> None:
    schemas = {f"hub.{d}.schema" for d in DOMAINS}
    importers = {name for name, targets in imports().items() if len(targets & schemas) > 1}
    assert importers == {"hub.graphql.schema"}


def test_only_the_app_and_the_cli_import_the_runtime() -> None:
    importers = {name for name, targets in imports().items() if "hub.runtime" in targets}
    assert importers <= {"hub.app", "hub.cli"}, importers


def test_no_module_imports_another_in_a_cycle_at_load_time() -> None:
    assert cycles(_module_level_imports()) == []


def test_the_only_cycle_counting_every_import_is_the_node_types_lazy_references() -> None:
    assert [set(c) for c in cycles(imports())] in ([], [NODE_TYPES])
