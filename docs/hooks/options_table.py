"""Print the options table of a command page from the command itself: ``python docs/hooks/options_table.py
predict`` (or ``ignore-file check``). Paste it under the page's "## Options" heading;
``tests/docs/test_pages.py`` checks that every page's table has exactly its command's options."""

from __future__ import annotations

import sys

import click

from kubehash.cli import cli


def table(cmd: click.Command) -> str:
    """One row per option: its names, its help, its choices, default, and whether it is required/repeatable."""
    rows = ["| option | meaning |", "|---|---|"]
    for p in cmd.params:
        if not isinstance(p, click.Option) or p.name == "help":
            continue
        names = ", ".join(f"`{o}`" for o in (*p.opts, *p.secondary_opts))
        text = (p.help or "").replace("|", "\\|").replace("<", "&lt;")
        if isinstance(p.type, click.Choice):
            text = "one of `" + "`, `".join(str(c) for c in p.type.choices) + "`. " + text
        d = p.default
        if not p.multiple and p.show_default is not False and "default" not in text.lower():
            if isinstance(d, bool):
                text += f" Default: `{p.opts[0]}`." if d and p.secondary_opts else ""
            elif isinstance(d, (str, int, float)) and d != "":
                text += f" Default: `{d}`."
        if p.required:
            text += " Required."
        if p.multiple and "epeatable" not in text:
            text += " Repeatable."
        rows.append(f"| {names} | {text.strip()} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    cmd: click.Command = cli
    for name in argv:
        if not isinstance(cmd, click.Group) or name not in cmd.commands:
            print(f"no command {' '.join(argv)!r}", file=sys.stderr)
            return 1
        cmd = cmd.commands[name]
    print(table(cmd))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
