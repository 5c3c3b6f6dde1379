"""Will the target kubelet start with the node's command line and config file? (issue 18; docs/kubelet-flags.md)

An in-place upgrade restarts the new kubelet binary with the node's existing command line. pflag rejects a
flag it does not know (``unknown flag: --allow-privileged``, the kubelet exits at once, the node goes
NotReady): a flag the target removed is a ``risk``. A flag the target deprecates still works (a
``warning`` with the replacement: a config-file field for the ``KubeletConfiguration`` flags). A flag
neither kubelet knows is a ``warning``: the current kubelet could not be running with it, so the input or
kubehash's data is off.

``--feature-gates`` / ``featureGates``: the kubelet refuses to start with a gate it does not know
(``unrecognized feature gate: X``; ``unrecognized key: X`` before 1.14) or with a GA gate set to its
locked opposite (``cannot set feature gate X to false, feature is locked to true``). kubehash judges the
gates its release table knows per minor (``specs/releases.json``: the gates that matter to container
hashes); any other gate name is reported as ``info``.

The config file (``--config``): the kubelet decodes ``KubeletConfiguration`` leniently up to 1.15 (an
unknown field is dropped silently) and, from 1.17 (1.16 not read), strictly first and leniently on a strict
error (it logs ``using lenient decoding as strict decoding failed`` and starts). So a removed field is a
``warning`` (the setting silently stops applying), never fatal; an apiVersion the target does not serve is a
``risk``.

Pure: findings only, no printing, no files.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kubehash.kubelet.flags import (
    FlagInfo,
    config_api_versions,
    config_field_status,
    flag_status,
    flags_removed_between,
)
from kubehash.kubelet.releases import RELEASES, release
from kubehash.model.kubelet_args import KubeletArgs, KubeletConfigFile, KubeletFlag, Origin

__all__ = [
    "HopRemovals",
    "KubeletFlagFinding",
    "check_feature_gates",
    "check_kubelet_args",
    "check_kubelet_config",
    "hop_removals",
    "parse_feature_gates_value",
]

Severity = Literal["risk", "warning", "info"]
What = Literal[
    "removed",
    "maybe-removed",
    "deprecated",
    "unknown",
    "not-yet",
    "stray-argument",
    "gate-removed",
    "gate-locked",
    "gate-unknown",
    "api-version",
]


@dataclass(frozen=True)
class KubeletFlagFinding:
    """One thing about a node's kubelet command line or config file that the target kubelet will mind."""

    node: str | None
    kind: Literal["flag", "field", "feature-gate", "argument", "config"]
    name: str  # "--allow-privileged", "evictionHard", "DynamicKubeletConfig", ...
    severity: Severity
    what: What
    current: str
    target: str
    removed_in: str | None = None
    deprecated_in: str | None = None
    replacement: str | None = None
    origin: str | None = None  # "FILE line N"
    message: str = ""


def _where(origin: Origin | str | None) -> str:
    if origin is None:
        return ""
    return f"; delete it from {origin}" if str(origin) else ""


def _removed_msg(flag: str, info: FlagInfo, target: str, origin: Origin | None, certain: bool) -> str:
    rng = info.removed_range
    when = f"in {info.removed}" if info.removed_exact or rng is None else f"in one of {rng[0]}–{rng[1]}"
    if certain:
        head = f"{flag} was removed {when}: the {target} kubelet exits with 'unknown flag: {flag}'"
    else:
        head = (
            f"{flag} was removed {when} (kubehash has not read every minor in between): the {target} kubelet may "
            f"exit with 'unknown flag: {flag}'; check `kubelet --help` of {target}"
        )
    tail = ""
    if info.config_field:
        tail = f"; set `{info.config_field}` in the KubeletConfiguration file (--config) instead"
    elif info.replacement:
        tail = f"; use {info.replacement} instead"
    return head + _where(origin) + tail


def check_kubelet_args(args: KubeletArgs, current: str, target: str) -> list[KubeletFlagFinding]:
    """Findings for a node's kubelet flags when its kubelet goes from ``current`` to ``target``."""
    cur, tgt = release(current).minor, release(target).minor
    out: list[KubeletFlagFinding] = []
    seen: set[str] = set()
    for f in args.flags:
        written = f"-{f.name}" if f.shorthand else f"--{f.name}"
        if f.name in seen:
            continue
        seen.add(f.name)
        out.extend(_check_flag(f, written, cur, tgt, args.node))
        if f.name == "feature-gates" and f.value:
            try:
                gates = parse_feature_gates_value(f.value)
            except ValueError as e:
                out.append(
                    KubeletFlagFinding(
                        args.node,
                        "flag",
                        written,
                        "risk",
                        "unknown",
                        cur,
                        tgt,
                        origin=str(f.origin),
                        message=f"--feature-gates={f.value}: {e}; the {tgt} kubelet refuses it",
                    )
                )
                continue
            out.extend(check_feature_gates(gates, cur, tgt, node=args.node, origin=f.origin))
    for word in args.positional:
        # 1.12+ stop at a word that is not a flag ("unknown command: WORD"); 1.10 ignored it
        fatal = release(tgt).minor_number >= 12 and release(cur).minor_number < 12
        out.append(
            KubeletFlagFinding(
                args.node,
                "argument",
                word,
                "risk" if fatal else "warning",
                "stray-argument",
                cur,
                tgt,
                message=f"stray argument {word!r} on the kubelet command line: kubelets from 1.12 exit with "
                f"'unknown command: {word}'; a quoting problem, or a bool flag given its value without '='?",
            )
        )
    return out


def _check_flag(f: KubeletFlag, written: str, cur: str, tgt: str, node: str | None) -> list[KubeletFlagFinding]:
    st_t = flag_status(f.name, tgt)
    st_c = flag_status(f.name, cur)
    info = st_t.info
    origin = f.origin
    if st_t.state == "unknown" or info is None:
        if st_t.state == "present":  # -h / --help
            return []
        return [
            KubeletFlagFinding(
                node,
                "flag",
                written,
                "warning",
                "unknown",
                cur,
                tgt,
                origin=str(origin),
                message=f"{written} is not a flag of the {cur} or the {tgt} kubelet as far as kubehash knows "
                f"(read at {origin}): the {cur} kubelet could not be running with it, so check the input; if it "
                f"is real, the {tgt} kubelet may exit with 'unknown flag: {written}'",
            )
        ]
    if st_t.state == "removed":
        return [
            KubeletFlagFinding(
                node,
                "flag",
                written,
                "risk",
                "removed",
                cur,
                tgt,
                removed_in=info.removed,
                deprecated_in=info.deprecated,
                replacement=info.config_field or info.replacement,
                origin=str(origin),
                message=_removed_msg(written, info, tgt, origin, True),
            )
        ]
    if st_t.state == "maybe-removed":
        return [
            KubeletFlagFinding(
                node,
                "flag",
                written,
                "warning",
                "maybe-removed",
                cur,
                tgt,
                removed_in=info.removed,
                deprecated_in=info.deprecated,
                replacement=info.config_field or info.replacement,
                origin=str(origin),
                message=_removed_msg(written, info, tgt, origin, False),
            )
        ]
    if st_t.state in ("not-yet", "maybe-not-yet") or st_c.state in ("not-yet", "removed"):
        return [
            KubeletFlagFinding(
                node,
                "flag",
                written,
                "warning",
                "not-yet",
                cur,
                tgt,
                origin=str(origin),
                message=f"{written} ({origin}) is a flag of kubelet {info.introduced}"
                f"{'' if info.removed is None else '–' + info.removed}; the {cur} kubelet would not accept it: "
                "is the current version right?",
            )
        ]
    if st_t.state == "deprecated":
        instead = (
            f"set `{info.config_field}` in the KubeletConfiguration file (--config)"
            if info.config_field
            else (f"use {info.replacement}" if info.replacement else "")
        )
        note = f" ({info.deprecation_message})" if info.deprecation_message and not info.config_field else ""
        planned = ""
        return [
            KubeletFlagFinding(
                node,
                "flag",
                written,
                "warning" if st_c.state != "deprecated" or info.config_field is None else "info",
                "deprecated",
                cur,
                tgt,
                deprecated_in=info.deprecated,
                replacement=info.config_field or info.replacement,
                origin=str(origin),
                message=f"{written} is deprecated since {info.deprecated}{note}; the {tgt} kubelet still accepts it"
                f"{planned}{'; ' + instead if instead else ''} ({origin})",
            )
        ]
    return []


def parse_feature_gates_value(value: str) -> dict[str, bool]:
    """``A=true,B=false`` as ``cliflag.MapStringBool`` reads it (strconv.ParseBool values)."""
    out: dict[str, bool] = {}
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        k, eq, v = item.partition("=")
        if not eq:
            raise ValueError(f"missing bool value for {k}")
        v = v.strip()
        if v in ("1", "t", "T", "true", "TRUE", "True"):
            out[k.strip()] = True
        elif v in ("0", "f", "F", "false", "FALSE", "False"):
            out[k.strip()] = False
        else:
            raise ValueError(f"invalid value of {k}={v}")
    return out


def check_feature_gates(
    gates: Mapping[str, object],
    current: str,
    target: str,
    *,
    node: str | None = None,
    origin: Origin | str | None = None,
) -> list[KubeletFlagFinding]:
    """Gates the target kubelet refuses (removed, or GA and set to false), as far as the release table knows."""
    cur, tgt = release(current), release(target)
    out: list[KubeletFlagFinding] = []
    cur_stages, tgt_stages = cur.gate_stages(), tgt.gate_stages()
    known_anywhere = {name for r in RELEASES for name, _ in r.feature_gates}
    for name, value in gates.items():
        if name in tgt_stages:
            if tgt_stages[name] == "ga" and value is False:
                out.append(
                    KubeletFlagFinding(
                        node,
                        "feature-gate",
                        name,
                        "risk",
                        "gate-locked",
                        cur.minor,
                        tgt.minor,
                        origin=None if origin is None else str(origin),
                        message=f"feature gate {name}=false: {name} is GA in {tgt.minor} and locked to true; the "
                        f"{tgt.minor} kubelet exits with 'cannot set feature gate {name} to false, feature is "
                        f"locked to true'{_where(origin)}",
                    )
                )
            continue
        if name in cur_stages or (name in known_anywhere and _was_removed_before(name, tgt.minor)):
            out.append(
                KubeletFlagFinding(
                    node,
                    "feature-gate",
                    name,
                    "risk",
                    "gate-removed",
                    cur.minor,
                    tgt.minor,
                    origin=None if origin is None else str(origin),
                    message=f"feature gate {name} no longer exists in {tgt.minor}: the {tgt.minor} kubelet exits "
                    f"with 'unrecognized feature gate: {name}'{_where(origin)}",
                )
            )
        else:
            out.append(
                KubeletFlagFinding(
                    node,
                    "feature-gate",
                    name,
                    "info",
                    "gate-unknown",
                    cur.minor,
                    tgt.minor,
                    origin=None if origin is None else str(origin),
                    message=f"feature gate {name}: kubehash's gate table (the gates that matter to container "
                    f"hashes) does not list it, so it cannot tell whether the {tgt.minor} kubelet knows it; a gate "
                    "the kubelet does not know stops it with 'unrecognized feature gate'",
                )
            )
    return out


def _was_removed_before(name: str, minor: str) -> bool:
    key = release(minor).minor_number
    had = [r.minor_number for r in RELEASES if name in dict(r.feature_gates)]
    return bool(had) and max(had) < key


def check_kubelet_config(config: KubeletConfigFile, current: str, target: str) -> list[KubeletFlagFinding]:
    """Findings for a ``KubeletConfiguration`` file when the kubelet goes from ``current`` to ``target``."""
    cur, tgt = release(current).minor, release(target).minor
    node = config.node
    out: list[KubeletFlagFinding] = []
    served = config_api_versions(tgt)
    api = config.api_version
    if api is None or api not in served:
        out.append(
            KubeletFlagFinding(
                node,
                "config",
                f"apiVersion {api}",
                "risk",
                "api-version",
                cur,
                tgt,
                origin=config.origin,
                message=f"{config.origin}: apiVersion {api!r} is not one the {tgt} kubelet reads "
                f"({', '.join(served) or 'none known'}): it exits when loading --config",
            )
        )
        return out
    reported: list[str] = []
    for path, line in config.fields.items():
        if any(path.startswith(p + ".") or path.startswith(p + "[]") for p in reported):
            continue
        st = config_field_status(api, path, tgt)
        where = f"{config.origin} line {line}" if line else config.origin
        if st.known_prefix is not None and st.state == "present":
            continue  # a key inside a map field (evictionHard: {memory.available: ...})
        if st.state in ("removed", "maybe-removed") and st.info is not None:
            reported.append(path)
            out.append(
                KubeletFlagFinding(
                    node,
                    "field",
                    path,
                    "warning",
                    "removed",
                    cur,
                    tgt,
                    removed_in=st.info.removed,
                    origin=where,
                    message=f"{path} was removed from {api} in {st.info.removed}: the {tgt} kubelet ignores it "
                    f"(lenient decoding; from 1.17 it logs 'using lenient decoding as strict decoding failed'), "
                    f"so this setting silently stops applying ({where})",
                )
            )
        elif st.state == "unknown":
            cur_st = config_field_status(api, path, cur)
            if cur_st.state in ("present", "deprecated"):
                continue
            reported.append(path)
            out.append(
                KubeletFlagFinding(
                    node,
                    "field",
                    path,
                    "warning",
                    "unknown",
                    cur,
                    tgt,
                    origin=where,
                    message=f"{path} is not a field of {api} in {cur} or {tgt}: the kubelet ignores it (lenient "
                    f"decoding) -- a typo? ({where})",
                )
            )
        elif st.state == "deprecated" and st.info is not None:
            out.append(
                KubeletFlagFinding(
                    node,
                    "field",
                    path,
                    "info",
                    "deprecated",
                    cur,
                    tgt,
                    deprecated_in=st.info.deprecated,
                    origin=where,
                    message=f"{path} is deprecated since {st.info.deprecated}: "
                    f"{st.info.deprecation_message or ''} ({where})",
                )
            )
        elif st.state in ("not-yet", "maybe-not-yet") and st.info is not None:
            out.append(
                KubeletFlagFinding(
                    node,
                    "field",
                    path,
                    "warning",
                    "not-yet",
                    cur,
                    tgt,
                    origin=where,
                    message=f"{path} first appears in {api} in {st.info.introduced}: the {tgt} kubelet ignores it "
                    f"({where})",
                )
            )
    if config.feature_gates:
        gates = {k: v for k, v in config.feature_gates.items()}
        bad = [k for k, v in gates.items() if not isinstance(v, bool)]
        for k in bad:
            out.append(
                KubeletFlagFinding(
                    node,
                    "feature-gate",
                    k,
                    "risk",
                    "unknown",
                    cur,
                    tgt,
                    origin=config.origin,
                    message=f"featureGates.{k}: {gates[k]!r} is not true or false; the kubelet cannot decode it",
                )
            )
        out.extend(
            check_feature_gates(
                {k: v for k, v in gates.items() if k not in bad},
                cur,
                tgt,
                node=node,
                origin=f"{config.origin} featureGates",
            )
        )
    return out


@dataclass(frozen=True)
class HopRemovals:
    """The flags one hop of an upgrade path removes."""

    current: str
    target: str
    removed: tuple[FlagInfo, ...]


def hop_removals(path: Sequence[str]) -> list[HopRemovals]:
    """For a multi-hop path (``["1.10", "1.12", "1.14"]``), the flags each hop removes (for sure or maybe)."""
    minors = [release(v).minor for v in path]
    return [HopRemovals(a, b, tuple(flags_removed_between(a, b))) for a, b in itertools.pairwise(minors)]


def worst(findings: Iterable[KubeletFlagFinding]) -> Severity | None:
    order = {"risk": 0, "warning": 1, "info": 2}
    best: Severity | None = None
    for f in findings:
        if best is None or order[f.severity] < order[best]:
            best = f.severity
    return best
