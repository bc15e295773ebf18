"""The layering holds in the code, not only in the picture: imports flow downward, with no cycles.

``integrations -> copilot -> tools -> knowledge -> copilot.core`` (and ``prompts``, data plus one renderer,
at the bottom). Function-level imports count: a cycle hidden inside a function is still a cycle. Imports
under ``if TYPE_CHECKING:`` are annotations only; they must respect the layers but may not form cycles
that matter at run time, so the cycle check leaves them out.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("copilot", "tools", "knowledge", "integrations", "prompts", "evals")
RANK = {"copilot.core": 0, "prompts": 0, "knowledge": 1, "tools": 2, "copilot": 3, "integrations": 4, "evals": 4}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str:
    if module == "copilot.core" or module.startswith("copilot.core."):
        return "copilot.core"
    return module.split(".")[0]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str) -> list[tuple[str, bool]]:
    """(imported module, only under TYPE_CHECKING) for every import statement, at any depth."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.body:
                    visit_stmt(sub, True)
                for sub in child.orelse:
                    visit_stmt(sub, typing_only)
                continue
            visit_stmt(child, typing_only)

    def visit_stmt(child: ast.AST, typing_only: bool) -> None:
        if isinstance(child, ast.Import):
            found.extend((a.name, typing_only) for a in child.names)
        elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
            found.extend((f"{child.module}.{a.name}", typing_only) for a in child.names)
            found.append((child.module, typing_only))
        elif isinstance(child, ast.ImportFrom) and child.level:
            base = module.split(".")[: -child.level + (1 if module.endswith("__init__") else 0) or None]
            found.append((".".join([*base, child.module or ""]).strip("."), typing_only))
        visit(child, typing_only)

    visit(tree, False)
    return found


def _graph() -> tuple[set[str], dict[str, set[str]], dict[str, set[str]]]:
    modules: dict[str, Path] = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module(path)] = path
    names = set(modules)
    runtime: dict[str, set[str]] = {m: set() for m in names}
    every: dict[str, set[str]] = {m: set() for m in names}
    for mod, path in modules.items():
        for target, typing_only in _imports(ast.parse(path.read_text()), mod):
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target and target != mod:
                every[mod].add(target)
                if not typing_only:
                    runtime[mod].add(target)
    return names, runtime, every


def test_imports_flow_downward():
    _, _, every = _graph()
    upward = sorted(f"{mod} imports {dep}" for mod, deps in every.items() for dep in deps
                    if RANK[_layer(dep)] > RANK[_layer(mod)])
    assert upward == []


def test_no_import_cycles():
    names, runtime, _ = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def strongconnect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in runtime[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    import sys

    sys.setrecursionlimit(10000)
    for v in sorted(names):
        if v not in index:
            strongconnect(v)
    assert cycles == []
