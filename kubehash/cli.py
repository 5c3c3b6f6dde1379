"""The ``kubehash`` command (also installed as ``kubectl-kubehash`` for use as a kubectl plugin).

Exit codes are defined in :mod:`kubehash.exitcodes` and listed in the README.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from kubehash import exitcodes
from kubehash.errors import DecodeError, KubehashError, UnsupportedVersionError
from kubehash.golang.fnv import fnv1a_32, runtime_hex
from kubehash.kubelet.hashing import SOURCES, plan_for
from kubehash.kubelet.releases import RELEASES, release
from kubehash.model import iter_containers
from kubehash.report.render import render_rows
from kubehash.sources.documents import InputError, load_documents

DEFAULT_VERSION = RELEASES[-1].minor


def _version(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return release(value).minor
    except UnsupportedVersionError as e:
        raise click.BadParameter(str(e)) from None


def _load_or_exit(file: str) -> list[Any]:
    """Documents of FILE, or a one-line error and exit code 2."""
    try:
        return load_documents(file)
    except InputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)


def _report(e: DecodeError, ref: Any) -> None:
    """One stderr line for a container the kubelet could not decode."""
    e.with_context(namespace=ref.namespace, pod=ref.pod, container=ref.name)
    click.echo(f"error: {e}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kubehash")
def cli() -> None:
    """Bit-exact kubelet container hashes: which containers an in-place kubelet upgrade restarts."""


@cli.command("hash")
@click.argument("file", type=str)
@click.option(
    "--kubelet-version",
    "-k",
    callback=_version,
    default=DEFAULT_VERSION,
    show_default=True,
    help="Kubelet version, e.g. 1.10, v1.10.13, 1.17.0.",
)
@click.option(
    "--source",
    type=click.Choice(SOURCES),
    default=None,
    help="Decode path. Default: 'file' for mirror pods of static pods, else 'apiserver'.",
)
@click.option("--go-version", default=None, help="Go version the kubelet was built with (default: release table).")
@click.option("--show-input", is_flag=True, help="Also print the exact text fed to FNV-1a.")
@click.option("--init-containers/--no-init-containers", default=True, show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json", "yaml", "csv", "markdown"]),
    default="table",
    show_default=True,
)
def hash_cmd(
    file: str,
    kubelet_version: str,
    source: str | None,
    go_version: str | None,
    show_input: bool,
    init_containers: bool,
    output: str,
) -> None:
    """Print the kubelet's hash of every container in FILE (a container, a pod, a list of pods;
    JSON or YAML; '-' for standard input): decimal, and hex as the runtime records it."""
    docs = _load_or_exit(file)
    rows: list[dict[str, Any]] = []
    failed = 0
    for doc in docs:
        for ref in iter_containers(doc, init_containers=init_containers, source=source):
            plan = plan_for(kubelet_version, ref.source, go_version)
            row: dict[str, Any] = {
                "pod": ref.pod_key,
                "container": ref.name,
                "kind": ref.kind,
                "source": ref.source,
                "version": kubelet_version,
            }
            try:
                data = plan.input(ref.spec)
            except DecodeError as e:
                _report(e, ref)
                failed += 1
                row.update(hash=None, hex=None, error=str(e))
                rows.append(row)
                continue
            h = fnv1a_32(data)
            row.update(hash=h, hex=runtime_hex(h))
            if show_input:
                row["input"] = data.decode("utf-8")
            rows.append(row)
    if not rows and not failed:
        click.echo(f"error: {file}: no container, pod or list of pods found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if output == "table" and show_input:
        for r in rows:
            if r.get("input") is not None:
                click.echo(f"# {r['pod']} {r['container']} hash={r['hash']} hex={r['hex']}")
                click.echo(r["input"])
    else:
        columns = ["pod", "container", "kind", "source", "version", "hash", "hex"]
        if show_input:
            columns.append("input")
        ok_rows = [r for r in rows if r.get("hash") is not None] if output in ("table", "csv", "markdown") else rows
        click.echo(render_rows(ok_rows, columns, output), nl=False)
    sys.exit(exitcodes.INPUT_ERROR if failed else exitcodes.OK)


@cli.command("explain")
@click.argument("file", type=str)
@click.option("--from", "from_version", required=True, callback=_version, help="Old kubelet version.")
@click.option("--to", "to_version", required=True, callback=_version, help="New kubelet version.")
@click.option("--source", type=click.Choice(SOURCES), default=None, help="Decode path (default: per pod).")
@click.option("--to-source", type=click.Choice(SOURCES), default=None, help="Decode path on the new side.")
@click.option("-o", "--output", type=click.Choice(["text", "json", "yaml"]), default="text", show_default=True)
def explain_cmd(
    file: str, from_version: str, to_version: str, source: str | None, to_source: str | None, output: str
) -> None:
    """Why each container's hash differs between two kubelet versions."""
    import json as _json

    import yaml as _yaml

    from kubehash.upgrade.explain import explain

    docs = _load_or_exit(file)
    results: list[dict[str, Any]] = []
    failed = 0
    for doc in docs:
        for ref in iter_containers(doc, source=source):
            try:
                ex = explain(
                    ref.spec, from_version, to_version, old_source=ref.source, new_source=to_source or ref.source
                )
            except DecodeError as e:
                _report(e, ref)
                failed += 1
                continue
            d = ex.to_dict()
            d.update(pod=ref.pod_key, container=ref.name)
            results.append(d)
            if output == "text":
                click.echo(f"{ref.pod_key} {ref.name}: {ex.text()}")
    if output == "json":
        click.echo(_json.dumps(results, indent=2, default=str))
    elif output == "yaml":
        click.echo(_yaml.safe_dump(_json.loads(_json.dumps(results, default=str)), sort_keys=False), nl=False)
    sys.exit(exitcodes.INPUT_ERROR if failed else exitcodes.OK)


@cli.command("versions")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json", "yaml", "csv", "markdown"]),
    default="table",
    show_default=True,
)
def versions_cmd(output: str) -> None:
    """The release table: every supported kubelet minor, its hash era and what changes its hashes."""
    from kubehash.kubelet.schema import spec_document

    rows = []
    for r in RELEASES:
        rows.append(
            {
                "minor": r.minor,
                "era": r.era,
                "go": r.go,
                "hash_without_resources": r.hash_without_resources,
                "restartable_init_containers": r.restartable_init_containers,
                "api_tag": spec_document(r.minor)["source"].get("tag"),
            }
        )
    columns = ["minor", "era", "go", "hash_without_resources", "restartable_init_containers", "api_tag"]
    click.echo(render_rows(rows, columns, output), nl=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point: maps click's usage errors to exit code 1 and kubehash errors to clean messages."""
    try:
        cli.main(args=argv, prog_name="kubehash", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return exitcodes.USAGE
    except click.UsageError as e:
        e.show()
        return exitcodes.USAGE
    except click.ClickException as e:
        e.show()
        return exitcodes.USAGE
    except KubehashError as e:
        click.echo(f"error: {e}", err=True)
        return exitcodes.INPUT_ERROR
    except SystemExit as e:
        return int(e.code or 0)
    return exitcodes.OK


if __name__ == "__main__":
    sys.exit(main())
