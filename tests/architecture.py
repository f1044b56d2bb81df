"""The hub's layout as figures: modules per package, the largest module, import cycles.

    python -m tests.architecture [root]

Every `import` of a hub module counts, type-checking-only and function-local ones
included; a cycle is a strongly connected component of two or more modules (Tarjan).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module under hub/, by dotted name (a package by its __init__)."""
    found = {}
    for path in sorted((root / "hub").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(node: ast.AST, here: str, known: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = here.split(".")[: -node.level] if here in known else []
            base = ".".join([*package, base] if base else package)
        for alias in node.names:
            whole = f"{base}.{alias.name}"
            yield whole if whole in known else base


def imports(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the hub modules it imports."""
    known = modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[name] = {
            target
            for node in ast.walk(tree)
            for target in _imported(node, name, known)
            if target in known and target != name and target != "hub"
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def figures(root: Path = ROOT) -> str:
    known = modules(root)
    per_package: dict[str, int] = {}
    for name in known:
        parts = name.split(".")
        if len(parts) > 2 or (len(parts) == 2 and (root / "hub" / parts[1]).is_dir()):
            per_package[parts[1]] = per_package.get(parts[1], 0) + 1
    lines = {name: len(path.read_text().splitlines()) for name, path in known.items()}
    largest = max(lines, key=lambda n: lines[n])
    found = cycles(imports(root))
    out = [f"modules: {len(known)}, in {len(per_package)} packages"]
    out += [f"  {package}: {count}" for package, count in sorted(per_package.items())]
    out.append(f"largest module: {largest} ({lines[largest]} lines)")
    out.append(f"import cycles: {len(found)}")
    out += [f"  {len(c)} modules: {', '.join(c)}" for c in found]
    return "\n".join(out)


if __name__ == "__main__":
    print(figures(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT))
