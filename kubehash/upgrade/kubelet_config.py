"""Will the target kubelet read the node's ``KubeletConfiguration`` file (``--config``)?

The kubelet decodes ``KubeletConfiguration`` leniently up to 1.15 (an unknown field is dropped silently) and,
from 1.17 (1.16 not read), strictly first and leniently on a strict error (it logs ``using lenient decoding as
strict decoding failed`` and starts). So a removed field is a ``warning`` (the setting silently stops applying),
never fatal; an apiVersion the target does not serve is a ``risk``.
"""

from __future__ import annotations

from kubehash.kubelet.flags import config_api_versions, config_field_status
from kubehash.kubelet.releases import release
from kubehash.model.kubelet_args import KubeletConfigFile
from kubehash.upgrade.kubelet_findings import KubeletFlagFinding
from kubehash.upgrade.kubelet_gates import check_feature_gates

__all__ = ["check_kubelet_config"]


def _field_finding(
    config: KubeletConfigFile, api: str, path: str, line: int | None, cur: str, tgt: str
) -> tuple[KubeletFlagFinding | None, bool]:
    """The finding for one config field (or ``None``), and whether the fields under it go unreported."""
    node = config.node
    st = config_field_status(api, path, tgt)
    where = f"{config.origin} line {line}" if line else config.origin
    if st.known_prefix is not None and st.state == "present":
        return None, False  # a key inside a map field (evictionHard: {memory.available: ...})
    if st.state in ("removed", "maybe-removed") and st.info is not None:
        return KubeletFlagFinding(
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
        ), True
    if st.state == "unknown":
        cur_st = config_field_status(api, path, cur)
        if cur_st.state in ("present", "deprecated"):
            return None, False
        return KubeletFlagFinding(
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
        ), True
    if st.state == "deprecated" and st.info is not None:
        return KubeletFlagFinding(
            node,
            "field",
            path,
            "info",
            "deprecated",
            cur,
            tgt,
            deprecated_in=st.info.deprecated,
            origin=where,
            message=f"{path} is deprecated since {st.info.deprecated}: {st.info.deprecation_message or ''} ({where})",
        ), False
    if st.state in ("not-yet", "maybe-not-yet") and st.info is not None:
        return KubeletFlagFinding(
            node,
            "field",
            path,
            "warning",
            "not-yet",
            cur,
            tgt,
            origin=where,
            message=f"{path} first appears in {api} in {st.info.introduced}: the {tgt} kubelet ignores it ({where})",
        ), False
    return None, False


def _gate_findings(config: KubeletConfigFile, cur: str, tgt: str) -> list[KubeletFlagFinding]:
    """The config file's ``featureGates``: a value that is not a bool, then :func:`check_feature_gates`."""
    out: list[KubeletFlagFinding] = []
    gates = {k: v for k, v in config.feature_gates.items()}
    bad = [k for k, v in gates.items() if not isinstance(v, bool)]
    for k in bad:
        out.append(
            KubeletFlagFinding(
                config.node,
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
            node=config.node,
            origin=f"{config.origin} featureGates",
        )
    )
    return out


def check_kubelet_config(config: KubeletConfigFile, current: str, target: str) -> list[KubeletFlagFinding]:
    """Findings for a ``KubeletConfiguration`` file when the kubelet goes from ``current`` to ``target``."""
    cur, tgt = release(current).minor, release(target).minor
    served = config_api_versions(tgt)
    api = config.api_version
    if api is None or api not in served:
        return [
            KubeletFlagFinding(
                config.node,
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
        ]
    out: list[KubeletFlagFinding] = []
    reported: list[str] = []
    for path, line in config.fields.items():
        if any(path.startswith(p + ".") or path.startswith(p + "[]") for p in reported):
            continue
        finding, covers = _field_finding(config, api, path, line, cur, tgt)
        if covers:
            reported.append(path)
        if finding is not None:
            out.append(finding)
    if config.feature_gates:
        out.extend(_gate_findings(config, cur, tgt))
    return out
