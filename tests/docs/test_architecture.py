"""docs/architecture.md's layer table holds for the real imports of ``kubehash/``: each module imports only from
the layers its row allows, apart from the exceptions the page lists (and those must still exist)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "kubehash"
PAGE = ROOT / "docs" / "architecture.md"


def _layers() -> tuple[dict[str, str], dict[str, set[str]]]:
    """From the page's table: module or package name -> layer, and layer -> the layers it may import."""
    text = PAGE.read_text(encoding="utf-8")
    table = text[text.index("## The layers") : text.index("Known exceptions")]
    layer_of: dict[str, str] = {}
    allowed: dict[str, set[str]] = {}
    order: list[str] = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[1].startswith("`kubehash/"):
            continue
        names = [n.removesuffix(".py") for n in re.findall(r"`(?:kubehash/)?([a-z_]+)(?:/|\.py)`", cells[1])]
        layer = cells[0] if cells[0] == "base" else names[0]
        for n in names:
            layer_of[n] = layer
        may = cells[3]
        if may == "—":
            allowed[layer] = set()
        elif may == "everything":
            allowed[layer] = {"*"}
        elif may == "everything above this row":
            allowed[layer] = set(order)
        else:
            allowed[layer] = {m.strip() for m in may.split(",")}
        order.append(layer)
    return layer_of, allowed


def _exceptions() -> set[tuple[str, str]]:
    text = PAGE.read_text(encoding="utf-8")
    part = text[text.index("Known exceptions") : text.index("## Data, not code")]
    return set(re.findall(r"`(kubehash/[\w/]+\.py)` imports `(kubehash\.[\w.]+)`", part))


def _imports(path: Path) -> list[str]:
    """The ``kubehash`` modules ``path`` imports (``from kubehash import x`` counts as ``kubehash.x``)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "kubehash":
                out += [f"kubehash.{a.name}" for a in node.names]
            elif node.module.startswith("kubehash."):
                out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("kubehash")]
    return out


def _violations() -> set[tuple[str, str]]:
    layer_of, allowed = _layers()
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts == ("__init__.py",):
            continue  # the package root re-exports the public doors
        layer = layer_of[rel.parts[0].removesuffix(".py")]
        for module in _imports(path):
            target = module.split(".")[1]
            assert target in layer_of, f"{rel} imports {module}: the root package, or a layer the page does not name"
            other = layer_of[target]
            if other != layer and "*" not in allowed[layer] and other not in allowed[layer]:
                found.add((f"kubehash/{rel.as_posix()}", module))
    return found


def test_the_page_names_every_package() -> None:
    layer_of, allowed = _layers()
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert packages | modules == set(layer_of)
    assert allowed["base"] == set() and allowed["cli"] == {"*"}
    assert "sources" not in allowed["upgrade"] and "report" not in allowed["upgrade"]


def test_imports_follow_the_layers() -> None:
    assert _violations() <= _exceptions()


def test_the_listed_exceptions_still_exist() -> None:
    assert _exceptions() <= _violations(), "an exception on docs/architecture.md is gone: remove it from the page"


def test_the_upgrade_layer_reads_no_files_and_spawns_no_processes() -> None:
    banned = re.compile(r"\b(subprocess|multiprocessing|concurrent\.futures|os\.fork)\b|(?<![.\w])open\(")
    hits = []
    for path in (PACKAGE / "upgrade").rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if banned.search(line.split("#")[0]):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []
