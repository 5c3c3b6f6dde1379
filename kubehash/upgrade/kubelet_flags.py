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
hashes) and the curated gate lives of ``specs/kubelet-flags.json`` (a gate removed before the target is a
``risk``); a gate in neither, or a GA / deprecated gate set off its default when the lock is not recorded, is
``info`` saying why.

The config file (``--config``): :mod:`kubehash.upgrade.kubelet_config`; the gates:
:mod:`kubehash.upgrade.kubelet_gates`.

Pure: findings only, no printing, no files.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from kubehash.kubelet.flags import FlagInfo, flag_status, flags_removed_between
from kubehash.kubelet.releases import release
from kubehash.model.kubelet_args import KubeletArgs, KubeletFlag, Origin
from kubehash.upgrade.kubelet_config import check_kubelet_config
from kubehash.upgrade.kubelet_findings import KubeletFlagFinding, Severity, What, _where, worst
from kubehash.upgrade.kubelet_gates import check_feature_gates, parse_feature_gates_value

__all__ = [
    "HopRemovals",
    "KubeletFlagFinding",
    "Severity",
    "What",
    "check_feature_gates",
    "check_kubelet_args",
    "check_kubelet_config",
    "hop_removals",
    "parse_feature_gates_value",
    "worst",
]


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
        # 1.12+ stop at a word that is not a flag ("unknown command: WORD"); 1.10 ignored it (releases.json)
        fatal = release(tgt).stray_argument_fatal and not release(cur).stray_argument_fatal
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


def _unknown_flag(written: str, cur: str, tgt: str, node: str | None, origin: Origin) -> KubeletFlagFinding:
    return KubeletFlagFinding(
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


def _removed_flag(
    written: str, info: FlagInfo, certain: bool, cur: str, tgt: str, node: str | None, origin: Origin
) -> KubeletFlagFinding:
    """A flag the target removed (a ``risk``), or may have removed (``certain`` false: a ``warning``)."""
    return KubeletFlagFinding(
        node,
        "flag",
        written,
        "risk" if certain else "warning",
        "removed" if certain else "maybe-removed",
        cur,
        tgt,
        removed_in=info.removed,
        deprecated_in=info.deprecated,
        replacement=info.config_field or info.replacement,
        origin=str(origin),
        message=_removed_msg(written, info, tgt, origin, certain),
    )


def _not_yet_flag(
    written: str, info: FlagInfo, cur: str, tgt: str, node: str | None, origin: Origin
) -> KubeletFlagFinding:
    return KubeletFlagFinding(
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


def _deprecated_flag(
    written: str, info: FlagInfo, cur: str, tgt: str, node: str | None, origin: Origin
) -> KubeletFlagFinding:
    """A flag the target deprecates: it still works, but is on its way out (a ``warning``, issue 18)."""
    instead = (
        f"set `{info.config_field}` in the KubeletConfiguration file (--config)"
        if info.config_field
        else (f"use {info.replacement}" if info.replacement else "")
    )
    note = f" ({info.deprecation_message})" if info.deprecation_message and not info.config_field else ""
    return KubeletFlagFinding(
        node,
        "flag",
        written,
        "warning",
        "deprecated",
        cur,
        tgt,
        deprecated_in=info.deprecated,
        replacement=info.config_field or info.replacement,
        origin=str(origin),
        message=f"{written} is deprecated since {info.deprecated}{note}; the {tgt} kubelet still accepts it"
        f"{'; ' + instead if instead else ''} ({origin})",
    )


def _check_flag(f: KubeletFlag, written: str, cur: str, tgt: str, node: str | None) -> list[KubeletFlagFinding]:
    st_t = flag_status(f.name, tgt)
    st_c = flag_status(f.name, cur)
    info = st_t.info
    origin = f.origin
    if st_t.state == "unknown" or info is None:
        if st_t.state == "present":  # -h / --help
            return []
        return [_unknown_flag(written, cur, tgt, node, origin)]
    if st_t.state in ("removed", "maybe-removed"):
        return [_removed_flag(written, info, st_t.state == "removed", cur, tgt, node, origin)]
    if st_t.state in ("not-yet", "maybe-not-yet") or st_c.state in ("not-yet", "removed"):
        return [_not_yet_flag(written, info, cur, tgt, node, origin)]
    if st_t.state == "deprecated":
        return [_deprecated_flag(written, info, cur, tgt, node, origin)]
    return []


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
