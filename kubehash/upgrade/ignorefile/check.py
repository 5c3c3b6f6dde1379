"""Checking ignore files against the cluster: are they right, what do they protect, when can they go.

* **Validation** -- per file: one :class:`~kubehash.upgrade.ignorefile.IgnoreFileError` per problem
  (unreadable, malformed, time in the future, version not older than the version the kubelet runs, missing
  for a node).
* **Per container** (with pods): ``protected`` (the patched kubelet skips its check and it would otherwise
  restart), ``restart`` (its hash differs and the file does not cover it: no active file, or it started
  after the kubelet), ``unchanged``, ``not-running``, ``not-checked``, ``error`` -- the verdicts of
  :func:`~kubehash.upgrade.predict.predict` run with the files. A **danger** is a protected container whose
  recorded hash is neither the old kubelet's nor the running kubelet's hash of its current spec: the spec
  changed after it started and, while the file is active, the kubelet will not apply that change.
* **Per node, safe to delete** -- every running compared container has a recorded hash equal to the running
  kubelet's hash of its current spec (the seed's criterion). Deleting the file takes effect at the next
  kubelet start; the patched kubelet then writes its own version there (protecting nothing now, and the
  next upgrade's old version later).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from kubehash.errors import IgnoreFileError
from kubehash.golang.fnv import runtime_hex
from kubehash.model import Documents, NodeVersions, RuntimeRecord, node_kubelet_versions
from kubehash.upgrade.ignorefile.rules import (
    IgnoreFile,
    decide,
    parse_version,
    same_version,
    unix_seconds,
)
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import ContainerPrediction, predict

__all__ = [
    "CheckResult",
    "ContainerCheck",
    "NodeCheck",
    "check_ignore_files",
    "validate_ignore_files",
]


def _version_key(v: str) -> tuple[int, int, int] | None:
    key = parse_version(v if v.count(".") >= 2 else v + ".0")
    return None if key is None else key[:3]


def validate_ignore_files(
    files: Mapping[str, IgnoreFile],
    *,
    running_version: str | None = None,
    node_versions: Mapping[str, str] | None = None,
    now: datetime | int | None = None,
) -> list[IgnoreFileError]:
    """Problems with files that parsed: time in the future, version not older than ``running_version`` (the
    upgrade target), nodes of ``node_versions`` without a file (except nodes already running the target:
    nothing to protect there)."""
    if now is None:
        now = datetime.now(timezone.utc)
    t_now = now if isinstance(now, int) else unix_seconds(now)
    problems = []
    for node, f in sorted(files.items()):
        problems += _file_problems(node, f, t_now, running_version)
    problems += _missing_files(files, node_versions or {}, running_version)
    return problems


def _file_problems(node: str, f: IgnoreFile, t_now: int, running: str | None) -> list[IgnoreFileError]:
    """One parsed file's problems: a time after ``t_now``, a version without its ``v``, a version not older
    than ``running``."""
    origin = f.origin or node
    problems = []
    if f.timestamp > t_now:
        problems.append(
            IgnoreFileError(origin, f"time {f.timestamp} ({f.time.isoformat()}) is in the future", "future", node)
        )
    if not f.version.startswith("v"):
        problems.append(
            IgnoreFileError(
                origin,
                f"version {f.version!r} lacks the 'v' the kubelet prints (v{f.version}): the patch compares "
                "text, so this file also protects after a restart of the same version",
                "version-text",
                node,
            )
        )
    if running is not None:
        problems += _not_older(origin, node, f, running)
    return problems


def _not_older(origin: str, node: str, f: IgnoreFile, running: str) -> list[IgnoreFileError]:
    """The file's version is the target's (protects nothing) or newer than it (a downgrade?)."""
    fk, rk = _version_key(f.version), _version_key(running)
    # a file whose version equals the target: public and seed both protect nothing
    if same_version(f.version, running) and f.version.startswith("v"):
        problem = f"version {f.version} is the version the kubelet runs ({running}): the file protects nothing"
    elif fk is not None and rk is not None and fk >= rk:
        problem = (
            f"version {f.version} is not older than the version the kubelet runs ({running}): "
            "a downgrade? (rule 'seed' protects nothing; 'public' protects)"
        )
    else:
        return []
    return [IgnoreFileError(origin, problem, "not-older", node)]


def _missing_files(
    files: Mapping[str, IgnoreFile], node_versions: Mapping[str, str], running: str | None
) -> list[IgnoreFileError]:
    """The nodes without a file, except those already running ``running`` (nothing to protect there)."""
    problems = []
    for node in sorted(set(node_versions) - set(files)):
        if running is not None and same_version(node_versions[node], running):
            continue
        problems.append(
            IgnoreFileError(node, "no ignore file for this node: its changed containers restart", "missing", node)
        )
    return problems


@dataclass
class ContainerCheck:
    node: str | None
    namespace: str | None
    pod: str | None
    container: str
    status: str
    danger: bool
    recorded_hash: int | None
    old_hash: int | None
    running_hash: int | None
    started_at: datetime | None
    reason: str


@dataclass
class NodeCheck:
    node: str
    file: IgnoreFile | None
    active: bool
    protected: int
    dangers: int
    safe_to_delete: bool | None  # None: the node has no file
    why: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    """Problems with the files, and (given pods) per-container and per-node findings."""

    problems: list[IgnoreFileError]
    containers: list[ContainerCheck] = field(default_factory=list)
    nodes: list[NodeCheck] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    have_runtime: bool = False  # dangers and safe-to-delete need recorded hashes

    @property
    def dangers(self) -> list[ContainerCheck]:
        return [c for c in self.containers if c.danger]

    @property
    def not_safe(self) -> list[NodeCheck]:
        return [n for n in self.nodes if n.safe_to_delete is False]


def _hex(h: int | None) -> str:
    return "" if h is None else runtime_hex(h)


def _old_versions(node_versions: Mapping[str, str], files: Mapping[str, IgnoreFile], running: str) -> dict[str, str]:
    """The version that recorded the running containers' hashes: the node's, unless the node already reports
    the running version (after the upgrade), then the file's."""
    out = dict(node_versions)
    for node, f in files.items():
        if node not in out or same_version(out[node], running):
            out[node] = f.version
    return out


def check_ignore_files(
    files: Mapping[str, IgnoreFile],
    options: Options | None = None,
    *,
    problems: Iterable[IgnoreFileError] = (),
    pods: Documents | None = None,
    nodes: Documents | NodeVersions | None = None,
    runtime: Iterable[RuntimeRecord] | None = None,
    now: datetime | int | None = None,
) -> CheckResult:
    """Validate ``files`` (node → file; ``problems``: files that did not load) and, given ``pods`` and the
    run's ``options`` (``options.to``: the version the new kubelets run; the ignore-file rule, when the kubelet
    starts, and the rest of the prediction's settings), judge every container and node. ``nodes``: Node
    documents or ``{node: version}`` (the old versions, before the upgrade); ``runtime=None``: no runtime
    records were given (dangers cannot be seen)."""
    running_version = options.to if options is not None else None
    node_versions = _versions_of(nodes)
    result = CheckResult(list(problems))
    reported = {e.node for e in result.problems}
    result.problems += validate_ignore_files(
        files,
        running_version=running_version,
        node_versions={n: v for n, v in node_versions.items() if n not in reported},
        now=now,
    )
    if pods is None or options is None or running_version is None:
        return result
    _judge(result, files, pods, options, running_version, node_versions, runtime)
    return result


def _versions_of(nodes: Documents | NodeVersions | None) -> dict[str, str]:
    """``{node: kubelet version}`` from Node documents or such a mapping already."""
    if isinstance(nodes, Mapping) and "items" not in nodes and "kind" not in nodes:
        return {str(k): str(v) for k, v in nodes.items()}
    return node_kubelet_versions(nodes) if nodes is not None else {}


def _judge(
    result: CheckResult,
    files: Mapping[str, IgnoreFile],
    pods: Documents,
    options: Options,
    running: str,
    node_versions: dict[str, str],
    runtime: Iterable[RuntimeRecord] | None,
) -> None:
    """Fill ``result``'s containers and nodes from a prediction run with ``files``."""
    kubelet_started, rule = options.kubelet_started, options.ignore_rule
    records = list(runtime) if runtime is not None else None
    result.have_runtime = records is not None
    pred = predict(
        pods,
        options,
        nodes=_old_versions(node_versions, files, running),
        runtime=records or (),
        ignore_files=files,
    )
    result.input_errors = [c.error or "" for c in pred.errors]
    for c in pred:
        result.containers.append(_container(c, files, running, kubelet_started, rule))
    all_nodes = sorted(set(node_versions) | set(files) | {c.node for c in pred if c.node})
    for node in all_nodes:
        result.nodes.append(
            _node(
                node,
                files.get(node),
                [c for c in result.containers if c.node == node],
                records is not None,
                running,
                kubelet_started,
                rule,
            )
        )


def _skips(
    f: IgnoreFile | None, running: str, started_at: datetime | None, ks: Any, node: str | None, rule: str
) -> bool:
    start = ks.get(node) if isinstance(ks, Mapping) else ks
    return decide(f, running_version=running, started_at=started_at, kubelet_started=start, rule=rule)


def _container(
    c: ContainerPrediction, files: Mapping[str, IgnoreFile], running: str, ks: Any, rule: str
) -> ContainerCheck:
    f = files.get(c.node) if c.node else None
    danger = (
        c.verdict == "protected" and c.recorded_hash is not None and c.recorded_hash not in (c.old_hash, c.new_hash)
    )
    if c.verdict == "protected":
        reason = "the ignore file keeps it: its hash differs from the running kubelet's"
        if danger:
            reason = (
                f"spec changed since it started (recorded {_hex(c.recorded_hash)} ≠ {c.old_version} hash "
                f"{_hex(c.old_hash)}): the change is not applied while the file is active"
            )
    elif c.verdict == "restart":
        if f is None:
            reason = "hash differs and the node has no ignore file"
        elif _skips(f, running, None, None, c.node, rule):
            reason = "hash differs and it started after the kubelet: the file does not cover it"
        else:
            reason = f"hash differs and the file ({f.version}) is not active for kubelet {running}"
    elif c.verdict == "unchanged":
        reason = (
            "recorded hash equals the running kubelet's"
            if c.recorded_hash is not None
            else ("no runtime record: the current spec's hash is the same for both kubelets")
        )
    else:
        reason = c.reason_text()
    return ContainerCheck(
        c.node,
        c.namespace,
        c.pod,
        c.container,
        c.verdict,
        danger,
        c.recorded_hash,
        c.old_hash,
        c.new_hash,
        c.started_at,
        reason,
    )


def _names(cs: list[ContainerCheck], limit: int = 2) -> str:
    names = [f"{c.namespace}/{c.pod}/{c.container}" for c in cs[:limit]]
    return ", ".join(names) + (f" and {len(cs) - limit} more" if len(cs) > limit else "")


def _node(
    node: str, f: IgnoreFile | None, cs: list[ContainerCheck], have_runtime: bool, running: str, ks: Any, rule: str
) -> NodeCheck:
    active = f is not None and _skips(f, running, None, ks, node, rule)
    compared = [c for c in cs if c.status not in ("not-running", "not-checked")]
    protected = [c for c in compared if c.status == "protected"]
    dangers = [c for c in compared if c.danger]
    why = _still_needed(compared, have_runtime)
    if f is None:
        return NodeCheck(node, None, False, 0, 0, None, ["no ignore file", *why])
    safe = not why
    if safe:
        why.append(
            "every running container's recorded hash equals the running kubelet's hash of its spec"
            if compared
            else "no running containers"
        )
    return NodeCheck(node, f, active, len(protected), len(dangers), safe, why)


def _still_needed(compared: list[ContainerCheck], have_runtime: bool) -> list[str]:
    """Why a node's file cannot be deleted yet, judged from its compared containers (empty: it can)."""
    why = []
    for status, what in (
        ("protected", "still rely on it"),
        ("restart", "will restart anyway"),
        ("error", "could not be hashed"),
    ):
        group = [c for c in compared if c.status == status]
        if group:
            why.append(f"{len(group)} container(s) {what}: {_names(group)}")
    unverified = [c for c in compared if c.status == "unchanged" and c.recorded_hash is None]
    if unverified:
        why.append(
            "no runtime records given: recorded hashes unknown"
            if not have_runtime
            else f"{len(unverified)} container(s) without a runtime record: {_names(unverified)}"
        )
    return why
