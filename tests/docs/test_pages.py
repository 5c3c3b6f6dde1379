"""The documentation says what the code does: a page per command listing its options, the option table of
docs/cli.md, generated tables matching specs/, the README's front door, runnable examples, no citations of
files outside the repository."""

from __future__ import annotations

import ast
import io
import json
import re
import shlex
import tokenize
import types
from pathlib import Path
from typing import Any

import click
import pytest
import yaml  # type: ignore[import-untyped]

from kubehash.cli import cli, main

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"


def _commands() -> dict[str, click.Command]:
    """Every command and subcommand, by its full name (``ignore-file check``)."""
    out: dict[str, click.Command] = {}
    for name, cmd in cli.commands.items():
        out[name] = cmd
        if isinstance(cmd, click.Group):
            out.update({f"{name} {sub}": sc for sub, sc in cmd.commands.items()})
    return out


def _option_names(cmd: click.Command) -> set[str]:
    names: set[str] = set()
    for p in cmd.params:
        if isinstance(p, click.Option) and p.name != "help":
            names.update(o for o in (*p.opts, *p.secondary_opts) if o.startswith("--"))
    return names


def _nav_files() -> set[str]:
    def walk(node: Any) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [f for item in node for f in walk(item)]
        if isinstance(node, dict):
            return [f for v in node.values() for f in walk(v)]
        return []

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return set(walk(config["nav"]))


def test_every_command_has_a_page_in_the_nav() -> None:
    top = sorted(cli.commands)
    assert {"predict", "plan", "preflight", "explain", "hash", "snapshot", "ignore-file", "versions"} <= set(top)
    nav = _nav_files()
    for name in top:
        page = DOCS / "commands" / f"{name}.md"
        assert page.is_file(), f"kubehash {name} has no page docs/commands/{name}.md"
        assert f"commands/{name}.md" in nav, f"docs/commands/{name}.md is not in the mkdocs.yml nav"
        assert page.read_text(encoding="utf-8").startswith(f"# kubehash {name}\n")


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


@pytest.mark.parametrize("name", sorted(n for n, c in _commands().items() if not isinstance(c, click.Group)))
def test_a_command_page_lists_every_option(name: str) -> None:
    """The page's options section ("## Options", or "## Options of <subcommand>") has a row per option."""
    command, _, sub = name.partition(" ")
    page = (DOCS / "commands" / f"{command}.md").read_text(encoding="utf-8")
    section = _section(page, f"## Options of {sub}" if sub else "## Options")
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    rows = {o for cell in first_cells for o in re.findall(r"`(--[a-z0-9-]+)`", cell)}
    assert rows == _option_names(_commands()[name]), (
        f"docs/commands/{command}.md, options of {name}: regenerate with python docs/hooks/options_table.py {name}"
    )


def _cli_table() -> dict[str, set[str]]:
    """docs/cli.md: option name -> the commands its row says take it."""
    rows: dict[str, set[str]] = {}
    for line in (DOCS / "cli.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 3 or not cells[0].startswith("`-"):
            continue
        commands = set(_commands()) if cells[2] == "every command" else {c.strip() for c in cells[2].split(",")}
        for opt in re.findall(r"`(--[a-z0-9-]+)`", cells[0]):
            rows[opt] = commands
    return rows


def test_the_cli_table_names_every_option_with_the_commands_that_take_it() -> None:
    table = _cli_table()
    takes: dict[str, set[str]] = {}
    for name, cmd in _commands().items():
        if isinstance(cmd, click.Group):
            continue
        for opt in _option_names(cmd):
            takes.setdefault(opt, set()).add(name)
    assert sorted(set(takes) - set(table)) == [], "options missing from docs/cli.md"
    assert sorted(set(table) - set(takes)) == [], "docs/cli.md lists options no command has"
    if "--output" in table:  # 'every command': the commands that have an output at all
        table["--output"] = {n for n in table["--output"] if "--output" in _option_names(_commands()[n])}
    for opt, names in takes.items():
        assert table[opt] == names, f"docs/cli.md row {opt}: {sorted(table[opt])} != {sorted(names)}"


def test_the_upgrade_behaviour_table_is_the_release_table() -> None:
    rows = json.loads((ROOT / "specs" / "releases.json").read_text(encoding="utf-8"))["releases"]
    text = (DOCS / "upgrade-behaviour.md").read_text(encoding="utf-8")
    table = text[text.index("## The table") :]
    header = next(line for line in table.splitlines() if line.startswith("| minor"))
    columns = re.findall(r"`(\w+)`", header)
    page = {}
    for line in table.splitlines():
        if re.match(r"\| 1\.\d+ \|", line):
            cells = [c.strip() for c in line.strip("|").split("|")]
            page[cells[0]] = cells[1:]

    def cell(v: object) -> str:
        return ("yes" if v else "no") if isinstance(v, bool) else str(v)

    assert columns and all(c in rows[0] for c in columns)
    assert page == {r["minor"]: [cell(r[c]) for c in columns] for r in rows}


def test_the_readme_is_a_front_door() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    first = text.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert first[0].startswith("pip install -e '.[test]' && kubehash predict ")
    assert first[1] == "pytest"
    for heading in ("## Install", "## Exit codes", "## Documentation"):
        assert heading in text
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / link).is_file(), f"README links to missing {link}"


def test_the_readme_first_command_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = README.read_text(encoding="utf-8")
    line = text.split("```sh\n", 1)[1].splitlines()[0]
    args = shlex.split(line.split(" && ", 1)[1])
    assert args[0] == "kubehash"
    assert main(args[1:]) == 0
    out = capsys.readouterr().out
    assert "304 containers: 281 restart, 23 not-running" in out
    assert out.splitlines()[0] in text  # the README shows this run's output


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


_NOTHING = object()


def _run_checked(code: str) -> int:
    """Run ``code``; every top-level expression whose line ends in ``# <python literal>`` must equal it.
    Returns how many were checked."""
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string[1:].strip()
    namespace: dict[str, Any] = {}
    checked = 0
    for stmt in ast.parse(code).body:
        expected = comments.get(stmt.end_lineno or 0)
        literal: Any = _NOTHING
        if isinstance(stmt, ast.Expr) and expected is not None:
            try:
                literal = ast.literal_eval(expected.split(" (")[0].strip())
            except (ValueError, SyntaxError):
                literal = _NOTHING
        if not isinstance(stmt, ast.Expr) or literal is _NOTHING:
            exec(compile(ast.Module([stmt], []), "<docs>", "exec"), namespace)
            continue
        got = eval(compile(ast.Expression(stmt.value), "<docs>", "eval"), namespace)
        assert got == literal, f"{ast.unparse(stmt)}: {got!r} != {literal!r}"
        checked += 1
    return checked


@pytest.mark.parametrize(
    ("page", "block", "at_least"),
    [
        ("README.md", 0, 5),
        ("docs/commands/hash.md", 0, 3),
        ("docs/commands/plan.md", 0, 1),
        ("docs/commands/explain.md", 0, 1),
        ("docs/commands/predict.md", 0, 1),
    ],
)
def test_python_examples_print_what_they_say(
    page: str, block: int, at_least: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert _run_checked(_python_blocks(ROOT / page)[block]) >= at_least


def test_no_citation_of_files_outside_the_repository() -> None:
    banned = re.compile("|".join(re.escape(s) for s in ("DOMAIN" + ".md", "DESIGN" + ".md", "../" + "shared")))
    roots = [ROOT / d for d in ("kubehash", "docs", "tests", "benchmarks", "examples")] + [README]
    files = [p for r in roots for p in ([r] if r.is_file() else r.rglob("*")) if p.suffix in {".py", ".md", ".yaml"}]
    assert len(files) > 100
    hits = [f"{p.relative_to(ROOT)}" for p in files if banned.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert hits == []


def test_every_docs_page_is_in_the_nav() -> None:
    nav = _nav_files()
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert sorted(pages - nav) == []
    assert sorted(nav - pages) == []


def test_every_public_name_has_an_api_page() -> None:
    import importlib

    import kubehash

    text = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "reference").glob("*.md"))
    documented: set[str] = set()
    for target in re.findall(r"^::: kubehash\.([\w.]+)$", text, flags=re.M):
        obj = getattr(kubehash, target, None)
        if obj is None or isinstance(obj, types.ModuleType):  # a module's page documents what it exports
            documented |= set(getattr(importlib.import_module(f"kubehash.{target}"), "__all__", ()))
        else:
            documented.add(target)
    public = {n for n in kubehash.__all__ if not n.startswith("_")}
    assert sorted(public - documented) == []
