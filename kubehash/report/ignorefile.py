"""Ignore-file results: ``kubehash ignore-file check`` (containers, nodes, problems, files) and ``generate``.

Check (:class:`IgnoreCheck`): ``table`` shows the nodes (is each file still needed, safe to delete), the
dangers (protected containers whose spec change the kubelet will not apply) and, asked for, every container;
without pods, one row per file. ``json``/``yaml``: ``{"problems", "nodes", "dangers"[, "containers"]}``.
``csv``/``markdown``: one table -- the containers when asked for, else the nodes (the files without pods).
Generate (:class:`GeneratedFiles`): one row per node's file; :func:`at_target_note` and :func:`wrote_note` are
its notes on standard error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from pathlib import PurePath
from typing import Any, Protocol

from kubehash.errors import IgnoreFileError
from kubehash.report.columns import Column, Show
from kubehash.report.formats import Block, Rows, register
from kubehash.report.prediction import hex_text
from kubehash.upgrade.ignorefile.check import CheckResult, ContainerCheck, NodeCheck
from kubehash.upgrade.ignorefile.rules import IgnoreFile

__all__ = [
    "CONTAINER_CHECK_COLUMNS",
    "FILE_COLUMNS",
    "GENERATED_COLUMNS",
    "NODE_CHECK_COLUMNS",
    "PROBLEM_COLUMNS",
    "FileStatus",
    "GeneratedFile",
    "GeneratedFiles",
    "IgnoreCheck",
    "at_target_note",
    "wrote_note",
]


def _hash(name: str) -> Column[ContainerCheck]:
    return Column(name, attrgetter(name), text=hex_text)


#: One column per field of a container's check, in the order of its document.
CONTAINER_CHECK_COLUMNS: tuple[Column[ContainerCheck], ...] = (
    Column("node", attrgetter("node")),
    Column("namespace", attrgetter("namespace")),
    Column("pod", attrgetter("pod")),
    Column("container", attrgetter("container")),
    Column("status", attrgetter("status")),
    Column("danger", attrgetter("danger"), cell=lambda c: "DANGER" if c.danger else ""),
    _hash("recorded_hash"),
    _hash("old_hash"),
    _hash("running_hash"),
    Column("started_at", attrgetter("started_at")),
    Column("reason", attrgetter("reason")),
)

#: One column per field of a node's check, in the order of its document.
NODE_CHECK_COLUMNS: tuple[Column[NodeCheck], ...] = (
    Column("node", attrgetter("node")),
    Column("file_version", lambda n: n.file.version if n.file else None),
    Column("file_time", lambda n: n.file.time if n.file else None),
    Column("active", attrgetter("active")),
    Column("protected", attrgetter("protected")),
    Column("dangers", attrgetter("dangers")),
    Column("safe_to_delete", attrgetter("safe_to_delete")),
    Column("why", lambda n: list(n.why)),
)

#: One column per field of a file problem.
PROBLEM_COLUMNS: tuple[Column[IgnoreFileError], ...] = (
    Column("file", attrgetter("origin")),
    Column("kind", attrgetter("kind")),
    Column("problem", attrgetter("problem")),
)


@dataclass(frozen=True)
class FileStatus:
    """One loaded (or unloadable) ignore file, without pods to judge it by."""

    node: str
    file: str | None
    version: str | None
    time: datetime | None
    status: str  # "ok" or the kind of its problem


FILE_COLUMNS: tuple[Column[FileStatus], ...] = tuple(
    Column(name, attrgetter(name)) for name in ("node", "file", "version", "time", "status")
)


@dataclass(frozen=True)
class IgnoreCheck:
    """What ``kubehash ignore-file check`` writes: the result, the files it loaded, whether to list every
    container and whether pods were given."""

    result: CheckResult
    files: Mapping[str, IgnoreFile] = field(default_factory=dict)
    show_containers: bool = False
    with_pods: bool = True

    def file_statuses(self) -> list[FileStatus]:
        """One row per node's file; a stray temporary file gets a row of its own, under the node whose
        directory holds it (its path in the file column)."""
        strays = [e for e in self.result.problems if e.kind == "stray-temp" and e.node is None]
        stray_ids = {id(e) for e in strays}
        bad = {e.node or e.origin: e for e in self.result.problems if id(e) not in stray_ids}
        known = set(self.files) | {e.node for e in self.result.problems if e.node}
        rows = []
        for node, f in sorted(self.files.items()):
            e = bad.pop(node, None)
            rows.append(FileStatus(node, f.origin, f.version, f.time, e.kind if e else "ok"))
        rows += [FileStatus(k, e.origin, None, None, e.kind) for k, e in sorted(bad.items())]
        rows += [FileStatus(_node_of(e.origin, known), e.origin, None, None, e.kind) for e in strays]
        return sorted(rows, key=attrgetter("node"))


def _node_of(path: str, nodes: set[str]) -> str:
    """The node whose directory (``DIR/<node>/...``) holds ``path``: the nearest parent named like a node
    kubehash loaded, else the directory above ``tmp``, else the file's own directory."""
    parents = PurePath(path).parents
    for parent in parents:
        if parent.name in nodes:
            return parent.name
    for parent in parents:
        if parent.name == "tmp" and parent.parent.name:
            return parent.parent.name
    return parents[0].name or path


@register(IgnoreCheck)
class IgnoreCheckView:
    def document(self, check: IgnoreCheck) -> dict[str, Any]:
        r = check.result
        doc: dict[str, Any] = {
            "problems": Rows(PROBLEM_COLUMNS, r.problems),
            "nodes": Rows(NODE_CHECK_COLUMNS, r.nodes),
            "dangers": Rows(CONTAINER_CHECK_COLUMNS, r.dangers),
        }
        if check.show_containers:
            doc["containers"] = Rows(CONTAINER_CHECK_COLUMNS, r.containers)
        return doc

    def blocks(self, check: IgnoreCheck, level: Show) -> Iterable[Block]:
        if not check.with_pods:
            return [Rows(FILE_COLUMNS, check.file_statuses())]
        r = check.result
        dangers = r.dangers
        blocks: list[Block] = ["Nodes\n", Rows(NODE_CHECK_COLUMNS, r.nodes)]
        if r.have_runtime:
            blocks.append(
                f"\nDangers: {len(dangers)} protected container(s) whose spec change the kubelet will not apply\n"
            )
        else:
            blocks.append("\nDangers: unknown without runtime records (--runtime): recorded hashes are needed\n")
        if dangers:
            blocks.append(Rows(CONTAINER_CHECK_COLUMNS, dangers))
        if check.show_containers:
            blocks += ["\nContainers\n", Rows(CONTAINER_CHECK_COLUMNS, r.containers)]
        return blocks

    def rows(self, check: IgnoreCheck) -> Rows[Any]:
        if not check.with_pods:
            return Rows(FILE_COLUMNS, check.file_statuses())
        if check.show_containers:
            return Rows(CONTAINER_CHECK_COLUMNS, check.result.containers)
        return Rows(NODE_CHECK_COLUMNS, check.result.nodes)


class WriteResult(Protocol):
    """One file written by :func:`kubehash.pipeline.ignorefiles.write_ignore_files` (read-only)."""

    @property
    def node(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True)
class GeneratedFile:
    node: str
    version: str
    time: datetime
    path: str
    status: str  # "written", "unchanged", "refused: <why>" or "error: <why>"


GENERATED_COLUMNS: tuple[Column[GeneratedFile], ...] = tuple(
    Column(name, attrgetter(name)) for name in ("node", "version", "time", "path", "status")
)


@dataclass(frozen=True)
class GeneratedFiles:
    """What ``kubehash ignore-file generate --format files`` writes: one row per node's file."""

    items: Sequence[GeneratedFile]

    @classmethod
    def of(cls, results: Iterable[WriteResult], files: Mapping[str, IgnoreFile]) -> GeneratedFiles:
        return cls(
            [
                GeneratedFile(
                    r.node,
                    files[r.node].version,
                    files[r.node].time,
                    r.path,
                    r.status if r.error is None else f"{r.status}: {r.error}",
                )
                for r in results
            ]
        )


@register(GeneratedFiles)
class GeneratedFilesView:
    def document(self, g: GeneratedFiles) -> Rows[GeneratedFile]:
        return self.rows(g)

    def blocks(self, g: GeneratedFiles, level: Show) -> Iterable[Block]:
        return [self.rows(g)]

    def rows(self, g: GeneratedFiles) -> Rows[GeneratedFile]:
        return Rows(GENERATED_COLUMNS, g.items)


def at_target_note(node: str, version: str) -> str:
    """``generate``'s note for a node that already runs the target (it gets no file)."""
    return f"note: {node} already runs {version}: no file (nothing to protect)"


def wrote_note(path: str, nodes: int) -> str:
    """``generate --format script|daemonset --out FILE``'s note once the file is written."""
    return f"wrote {path} ({nodes} nodes)"
