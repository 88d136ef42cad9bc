"""The package's layers, as the README draws them: the modules a page uses (analysis/*.py), the
build machinery (analysis/pipeline) and the records engine (analysis/records). Pages never import
the machinery, the engine never imports it either, no two modules import each other, and an import
inside a function says why it is there."""

import ast
import functools
from pathlib import Path

from analysis.paths import REPO

PACKAGE = REPO / "analysis"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def imports() -> dict[str, list[tuple[str, int, bool]]]:
    """module -> (imported module of analysis, line, inside a function?) for every import."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inner = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
        }
        rows = []
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                rows.append((name, node.lineno, id(node) in inner))
        found[module_name(path)] = rows
    return found


def ours(name: str, modules) -> str | None:
    """The module of analysis an import names (a module or a name inside one), if any."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_pages_and_the_engine_never_import_the_build_machinery():
    found = imports()
    for module, rows in found.items():
        if module.startswith("analysis.pipeline") or module == "analysis.__main__":
            continue  # (python -m analysis is the command line, which is part of the machinery)
        wrong = [n for n, _, _ in rows if n.startswith("analysis.pipeline")]
        assert not wrong, (module, wrong)


def test_no_two_modules_import_each_other():
    found = imports()
    edges = {
        (module, target)
        for module, rows in found.items()
        for name, _, _ in rows
        if (target := ours(name, found)) and target not in (module, "analysis")
    }
    assert not [(a, b) for a, b in edges if (b, a) in edges and a < b]


def test_an_import_inside_a_function_says_why():
    """Imports belong at the top of a module; one kept inside a function (heavy and seldom used)
    carries a comment that says why, on the lines just above it or in the command line's note."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "cli.py":  # one note at the top covers every command (see the module)
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for name, line, inside in imports()[module_name(path)]:
            if inside and path.name != "notebook.py":  # (notebook.py's are code for the kernel)
                above = lines[max(0, line - 4) : line - 1]
                assert any(text.strip().startswith("#") for text in above), f"{path}:{line} {name}"
