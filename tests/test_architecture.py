"""The import graph as docs/ARCHITECTURE.md draws it ("Layers"): the layers, written as import-linter contracts in
pyproject.toml, hold (`lint-imports`); no module comes back to itself through its imports, also inside a layer,
where the contracts let modules import each other; and every module has a layer, so a new one is placed on
purpose. Each guard is shown to fail on a graph that breaks it."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
LAYERS = next(contract for contract in CONTRACTS if contract["id"] == "layers")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the samlinger package and pyproject.toml in *folder*."""
    return subprocess.run([Path(sys.executable).with_name("lint-imports"), "--no-cache"], cwd=folder,
                          env={**os.environ, "PYTHONPATH": str(folder)}, capture_output=True, text=True, timeout=300)


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_against_the_layers_breaks_the_contracts(tmp_path):
    """The mail outbox made to import a feature, in a copy of the code: both contracts say where."""
    shutil.copytree(ROOT / "samlinger", tmp_path / "samlinger",
                    ignore=shutil.ignore_patterns("__pycache__", "translations", "static", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / "samlinger" / "mail" / "outbox.py").open("a") as outbox:
        outbox.write("\nfrom ..registration import models as registration  # noqa: E402, F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 2 broken." in result.stdout, result.stdout
    assert "samlinger.mail.outbox -> samlinger.registration.models" in result.stdout


def graph() -> grimp.ImportGraph:
    """samlinger's imports, less those the layers contract ignores for now."""
    found = grimp.build_graph("samlinger", cache_dir=None)
    for ignored in LAYERS.get("ignore_imports", []):
        importer, imported = (name.strip() for name in ignored.split("->"))
        found.remove_import(importer=importer, imported=imported)
    return found


def cycles(imports: grimp.ImportGraph) -> list[list[str]]:
    """Every set of modules that import one another round a cycle (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []
    for start in sorted(imports.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(imports.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            module, following = work[-1]
            for imported in following:
                if imported not in index:
                    index[imported] = low[imported] = len(index)
                    stack.append(imported)
                    work.append((imported, iter(sorted(imports.find_modules_directly_imported_by(imported)))))
                    break
                if imported in stack:
                    low[module] = min(low[module], index[imported])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = stack[stack.index(module):]
                    del stack[stack.index(module):]
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_itself_round_a_cycle():
    assert cycles(graph()) == []


def test_a_cycle_inside_one_layer_is_found():
    """The contracts let the helpers of one layer import each other; a cycle among them is still found
    (links, languages and the redirect check were one until the check got its module)."""
    imports = graph()
    imports.add_import(importer="samlinger.redirects", imported="samlinger.urls")
    assert cycles(imports) == [["samlinger.i18n", "samlinger.redirects", "samlinger.urls"]]


def placed(layers: list[str]) -> set[str]:
    """The modules the layers name (with what is below them)."""
    return {"samlinger." + name.strip().strip("()") for layer in layers for name in re.split(r"[|:]", layer)}


def unplaced(imports: grimp.ImportGraph, layers: list[str]) -> list[str]:
    """Modules no layer names, leaving out create_app and the empty __init__ of a package."""
    names = placed(layers)
    return sorted(
        module for module in imports.modules
        if module != "samlinger" and not any(module == name or module.startswith(name + ".") for name in names)
        and not (imports.find_children(module) and not imports.find_modules_directly_imported_by(module)))


def test_every_module_has_a_layer():
    assert unplaced(graph(), LAYERS["layers"]) == [], "name the layer of each in pyproject.toml"


def test_a_module_without_a_layer_is_found():
    imports = graph()
    imports.add_module("samlinger.registration.ledger")
    assert unplaced(imports, LAYERS["layers"]) == ["samlinger.registration.ledger"]


MOST_LINES = 400


def modules_over(limit: int, package: Path = ROOT / "samlinger") -> list[str]:
    return [f"{path.relative_to(ROOT)}: {lines}" for path in sorted(package.rglob("*.py"))
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > limit]


def test_no_module_is_over_400_lines():
    """A module that grows past this is split by theme (registration/service.py was 448 lines, then 409)."""
    assert modules_over(MOST_LINES) == []
    assert modules_over(300), "the walk finds the long modules it is meant to see"
