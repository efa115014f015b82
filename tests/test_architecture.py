"""The layout's rules: no import circles, and every import points inward.

Layers, outermost first: the entry points (``steerco.cli``, the web app
``steerco_admin``, the built-in plugins, ``steerco.demo``, ``steerco.testing``),
then the runtime (``steerco.jobs``, migrations, settings), ``steerco.services``,
the plugin API (``steerco.plugins``), ``steerco.store``, ``steerco.domain``,
``steerco.rules``. Inside
``steerco.services``, each capability package says in its docstring which
other packages it may import (a line ``May import: ...``); the services root
(access, models, views, events) is open to all. Every import counts, those
inside functions too: a local import does not hide a circle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = [REPO / "platform", REPO / "admin", REPO / "plugins"]
SERVICES = REPO / "platform" / "steerco" / "services"

# Outermost (highest) first; a module may import its own layer and those below it.
LAYERS = [
    ("entry points", ("steerco.cli", "steerco_admin", "steerco_", "steerco.demo", "steerco.testing")),
    ("runtime", ("steerco.jobs", "steerco.migrate", "steerco.settings", "steerco.backup")),
    ("services", ("steerco.services",)),
    ("plugin API", ("steerco.plugins", "steerco")),
    ("store", ("steerco.store",)),
    ("domain", ("steerco.domain",)),
    ("rules", ("steerco.rules",)),
]


def modules() -> dict[str, Path]:
    found = {}
    for root in SOURCE_ROOTS:
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> dict[str, int]:
    """The project modules ``module`` imports, anywhere in it, with the line of the first import."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            # `from package import module` names a module; `from module import name` the module itself
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for target in targets:
            found = _resolve(target)
            if found and found != module:
                out.setdefault(found, node.lineno)
    return out


GRAPH = {m: imports_of(m) for m in MODULES}


def cycles(graph=None) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    graph = GRAPH if graph is None else graph
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
    return out


def _path_within(group: list[str]) -> str:
    """One circle through ``group``, as ``a -> b -> a`` with lines."""
    members = set(group)
    start = group[0]
    trail, node, seen = [start], start, {start}
    while True:
        nxt = next((m for m in GRAPH[node] if m in members and (m == start or m not in seen)), None)
        if nxt is None or nxt == start:
            trail.append(start)
            break
        trail.append(nxt)
        seen.add(nxt)
        node = nxt
    return " -> ".join(f"{a} (line {GRAPH[a].get(b, '?')})" for a, b in zip(trail, trail[1:])) + f" -> {start}"


def layer_of(module: str) -> int:
    best = None
    for rank, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + ".") or (prefix.endswith("_") and module.startswith(prefix)):
                length = len(prefix)
                if best is None or length > best[0]:
                    best = (length, rank)
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS in {__file__}"
    return best[1]


def test_no_import_circles():
    found = cycles()
    assert not found, "import circles:\n" + "\n".join(_path_within(g) for g in found)


def test_imports_point_inward():
    wrong = []
    for module, targets in GRAPH.items():
        mine = layer_of(module)
        for target, line in targets.items():
            theirs = layer_of(target)
            if theirs < mine:
                wrong.append(f"{MODULES[module].relative_to(REPO)}:{line} {module} ({LAYERS[mine][0]}) imports "
                             f"{target} ({LAYERS[theirs][0]})")
    assert not wrong, "imports that point outward:\n" + "\n".join(sorted(wrong))


def areas() -> dict[str, set[str]]:
    """Each services capability package and the packages its docstring says it may import."""
    out = {}
    for init in sorted(SERVICES.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        found = re.search(r"^May import: (.*)$", doc, re.M)
        assert found, f"{init.relative_to(REPO)}: the docstring needs a line 'May import: ...'"
        allowed = {a.strip().rstrip(".") for a in found.group(1).split(",")} - {"nothing else", ""}
        out[init.parent.name] = allowed
    return out


def test_service_areas_import_only_what_their_docstring_allows():
    allowed = areas()
    assert {"governance", "value", "rights", "integration", "configuration", "reporting"} <= set(allowed)
    wrong = []
    for module, targets in GRAPH.items():
        parts = module.split(".")
        if parts[:2] != ["steerco", "services"] or len(parts) < 4:
            continue
        area = parts[2]
        for target, line in targets.items():
            tparts = target.split(".")
            if tparts[:2] != ["steerco", "services"] or len(tparts) < 4 or tparts[2] == area:
                continue
            if tparts[2] not in allowed[area]:
                wrong.append(f"{MODULES[module].relative_to(REPO)}:{line} {area} imports {tparts[2]} ({target})")
    assert not wrong, "imports across service areas that the area's docstring does not allow:\n" + "\n".join(wrong)


def test_the_services_root_holds_only_the_shared_kernel():
    loose = sorted(p.stem for p in SERVICES.glob("*.py") if p.stem != "__init__")
    assert loose == ["access", "events", "models", "views"], loose


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b": 1}, "b": {"a": 3}}, [["a", "b"]]),
    ({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}, [["a", "b", "c"]]),
    ({"a": {"b": 1}, "b": {"c": 1}, "c": {}}, []),
])
def test_the_circle_finder_finds_circles(graph, expected):
    assert cycles(graph) == expected
