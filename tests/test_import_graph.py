"""The package's import graph: no cycles, no layer breaks, no provider code importing the emulator.

Every ``import`` of the package's own modules counts, at module level or inside a function, so a
deferred import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import airflow_provider_twitter_ads

PACKAGE = airflow_provider_twitter_ads.__name__
ROOT = Path(airflow_provider_twitter_ads.__file__).parent


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """The package modules ``name`` imports (``from pkg import mod`` names ``pkg.mod``)."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # ``from pkg import mod`` imports the module; ``from mod import name`` the module itself.
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in MODULES else module)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _cycle() -> list[str] | None:
    # An import of a parent package (``from pkg import __version__``) is not a cycle when the
    # parent imports nothing back, which the graph itself checks.
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = "open"
        stack.append(name)
        for imported in sorted(GRAPH[name]):
            if state.get(imported) == "open":
                return [*stack[stack.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        stack.pop()
        state[name] = "done"
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_the_graph_sees_the_modules_and_their_imports() -> None:
    assert f"{PACKAGE}.hooks.ads_api" in MODULES
    assert f"{PACKAGE}.hooks.http_core" in GRAPH[f"{PACKAGE}.hooks.ads_api"]
    assert f"{PACKAGE}.hooks.upload" in GRAPH[f"{PACKAGE}.hooks.ads_api"]
    # A deferred import inside a function counts as well.
    assert f"{PACKAGE}.get_provider_info" in GRAPH[f"{PACKAGE}.hooks.ads_api"]


def test_no_import_cycles() -> None:
    assert _cycle() is None


def test_a_cycle_would_be_found() -> None:
    GRAPH[f"{PACKAGE}.ids"].add(f"{PACKAGE}.hooks.ads_api")
    try:
        found = _cycle()
    finally:
        GRAPH[f"{PACKAGE}.ids"].discard(f"{PACKAGE}.hooks.ads_api")
    assert found is not None and found[0] == found[-1]


def test_hooks_import_no_operators_sensors_or_triggers() -> None:
    upper = tuple(f"{PACKAGE}.{layer}" for layer in ("operators", "sensors", "triggers"))
    for name, imported in GRAPH.items():
        if name.startswith(f"{PACKAGE}.hooks"):
            assert not [module for module in imported if module.startswith(upper)], name


def test_pure_modules_import_no_hooks() -> None:
    pure = [f"{PACKAGE}.vocabulary", f"{PACKAGE}.ids", f"{PACKAGE}.exceptions"]
    pure += [name for name in MODULES if name.startswith(f"{PACKAGE}.utils")]
    for name in pure:
        assert not [m for m in GRAPH[name] if m.startswith(f"{PACKAGE}.hooks") or ".operators" in m], name


def test_provider_code_never_imports_the_emulator_and_the_emulator_no_provider_code() -> None:
    emulator = f"{PACKAGE}.emulator"
    for name, imported in GRAPH.items():
        inside = name == emulator or name.startswith(f"{emulator}.")
        for module in imported - _parents(name):
            assert module.startswith(emulator) == inside, f"{name} imports {module}"
