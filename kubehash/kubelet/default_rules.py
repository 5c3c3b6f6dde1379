"""The API server's defaulting rules of one container, one small function each
(``pkg/apis/core/v1/defaults.go``; which rules a minor runs, and behind which gate, is data in
``specs/releases.json``), and what a run of them records (:class:`Applied`, :class:`Defaulted`).
:mod:`kubehash.kubelet.defaults` walks objects to their containers and runs these rules on each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubehash.apimachinery.codecs import QuantityCodec
from kubehash.apimachinery.quantity import canonical_string, round_up
from kubehash.errors import KubehashError
from kubehash.kubelet.imageref import default_pull_policy
from kubehash.kubelet.releases import Release

__all__ = ["RULES", "Applied", "Defaulted", "Rule"]

Path = tuple[str | int, ...]
_QUANTITY_JSON = QuantityCodec()


@dataclass(frozen=True)
class Rule:
    """One defaulting rule: its id, the field it writes (Go owner type and field), what it writes, and the
    gate of the field it lives in (``field_gate``: the field exists only with it; informational)."""

    id: str
    field: str
    summary: str
    field_gate: str | None = None


_R = Rule
RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        _R("image-pull-policy", "Container.ImagePullPolicy", "Always for tag latest or no tag, else IfNotPresent"),
        _R("termination-message-path", "Container.TerminationMessagePath", "/dev/termination-log"),
        _R("termination-message-policy", "Container.TerminationMessagePolicy", "File"),
        _R("port-protocol", "ContainerPort.Protocol", "TCP"),
        _R("host-port", "ContainerPort.HostPort", "containerPort, in hostNetwork pods"),
        _R("host-port-in-templates", "ContainerPort.HostPort", "containerPort, in hostNetwork pod templates"),
        _R("requests-from-limits", "ResourceRequirements.Requests", "a copy of each limit without a request (pods)"),
        _R("quantity-round-up", "ResourceRequirements", "limits and requests rounded up to milli precision"),
        _R("probe-timeout-seconds", "Probe.TimeoutSeconds", "1"),
        _R("probe-period-seconds", "Probe.PeriodSeconds", "10"),
        _R("probe-success-threshold", "Probe.SuccessThreshold", "1"),
        _R("probe-failure-threshold", "Probe.FailureThreshold", "3"),
        _R("http-get-path", "HTTPGetAction.Path", "/ (probes and lifecycle hooks)"),
        _R("http-get-scheme", "HTTPGetAction.Scheme", "HTTP (probes and lifecycle hooks)"),
        _R("field-ref-api-version", "ObjectFieldSelector.APIVersion", "v1"),
        _R("startup-probe", "Container.StartupProbe", "probe defaults on startupProbe too", "StartupProbe"),
        _R("ephemeral-container-nested", "EphemeralContainer", "nested defaults", "EphemeralContainers"),
        _R(
            "ephemeral-container-basics",
            "EphemeralContainer",
            "pull policy, termination message",
            "EphemeralContainers",
        ),
        _R("grpc-service", "GRPCAction.Service", 'pointer to ""', "GRPCContainerProbe"),
        _R("resize-policy", "Container.ResizePolicy", "NotRequired for cpu/memory in requests (regular containers)"),
        _R("file-key-ref-optional", "FileKeySelector.Optional", "pointer to false", "EnvFiles"),
    )
}


@dataclass(frozen=True)
class Applied:
    """One default written: where (JSON path segments from the object's root), what, by which rule, and
    the feature gate involved (the gate the rule needs, or the gate of the field it writes into)."""

    path: Path
    value: Any
    rule: str
    gate: str | None = None

    @property
    def json_path(self) -> str:
        out = "$"
        for seg in self.path:
            out += f"[{seg}]" if isinstance(seg, int) else f".{seg}"
        return out

    def text(self) -> str:
        gate = f" (gate {self.gate})" if self.gate else ""
        return f"{self.json_path} = {self.value!r} [{self.rule}]{gate}"

    def to_dict(self) -> dict[str, object]:
        return {"path": self.json_path, "value": self.value, "rule": self.rule, "gate": self.gate}


@dataclass
class Defaulted:
    """The defaulted copy of the object, the version whose API server defaulted it, the gates in effect,
    and every default written, in the order the API server writes them."""

    obj: Any
    version: str
    feature_gates: dict[str, bool]
    applied: list[Applied] = field(default_factory=list)


# ---- the run ------------------------------------------------------------------------------------


@dataclass
class _Run:
    rel: Release
    gates: dict[str, bool]
    applied: list[Applied]
    host_network: bool = False

    def on(self, rule: str) -> bool:
        if rule not in self.rel.defaults:
            return False
        gate = self.rel.rule_gate(rule)
        return gate is None or self.gates.get(gate, False)

    def gate_of(self, rule: str) -> str | None:
        gate = self.rel.rule_gate(rule)
        if gate is None:
            fg = RULES[rule].field_gate
            gate = fg if fg is not None and fg in self.gates else None
        return gate

    def record(self, at: Path, value: Any, rule: str, via: str | None = None) -> None:
        """``via`` names an enabling rule whose gate applies (e.g. ``startup-probe`` for its timeouts)."""
        gate = self.gate_of(rule) or (self.gate_of(via) if via else None)
        self.applied.append(Applied(at, value, rule, gate))


def _dict(x: Any) -> dict[str, Any] | None:
    return x if isinstance(x, dict) else None


def _list(x: Any) -> list[Any]:
    return x if isinstance(x, list) else []


def _empty_string(d: dict[str, Any], key: str) -> bool:
    return d.get(key) is None or d.get(key) == ""


def _zero_int(d: dict[str, Any], key: str) -> bool:
    v = d.get(key)
    return v is None or (type(v) is int and v == 0)


def _set_string(
    run: _Run, d: dict[str, Any], key: str, value: str, at: Path, rule: str, via: str | None = None
) -> None:
    if run.on(rule) and _empty_string(d, key):
        d[key] = value
        run.record((*at, key), value, rule, via)


#: Leaves :func:`_plain` returns as they are (exact types: a subclass goes through the checks).
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _plain(x: Any) -> Any:
    """A deep copy with every mapping a dict and every sequence a list (the input is never touched)."""
    if isinstance(x, Mapping):
        return {k: v if type(v) in _LEAVES else _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [v if type(v) in _LEAVES else _plain(v) for v in x]
    return x


def _image_pull_policy(c: dict[str, Any], at: Path, run: _Run) -> None:
    image = c.get("image")
    if image is not None and not isinstance(image, str):
        return  # the decoder rejects it
    _set_string(run, c, "imagePullPolicy", default_pull_policy(image or ""), at, "image-pull-policy")


def _termination_message_path(c: dict[str, Any], at: Path, run: _Run) -> None:
    _set_string(run, c, "terminationMessagePath", "/dev/termination-log", at, "termination-message-path")


def _termination_message_policy(c: dict[str, Any], at: Path, run: _Run) -> None:
    _set_string(run, c, "terminationMessagePolicy", "File", at, "termination-message-policy")


def _port_protocol(c: dict[str, Any], at: Path, run: _Run) -> None:
    for i, port in enumerate(_list(c.get("ports"))):
        if (p := _dict(port)) is not None:
            _set_string(run, p, "protocol", "TCP", (*at, "ports", i), "port-protocol")


def _host_port(c: dict[str, Any], at: Path, run: _Run, rule: str) -> None:
    """``defaultHostNetworkPorts``: hostPort := containerPort where hostPort is 0."""
    for i, port in enumerate(_list(c.get("ports"))):
        p = _dict(port)
        if p is None or not _zero_int(p, "hostPort"):
            continue
        cp = p.get("containerPort")
        if type(cp) is int and cp != 0:
            p["hostPort"] = cp
            run.record((*at, "ports", i, "hostPort"), cp, rule)


def _field_ref_api_version(c: dict[str, Any], at: Path, run: _Run) -> None:
    for i, env in enumerate(_list(c.get("env"))):
        ref = _dict((_dict(_dict(env) and env.get("valueFrom")) or {}).get("fieldRef"))
        if ref is not None:
            _set_string(run, ref, "apiVersion", "v1", (*at, "env", i, "valueFrom", "fieldRef"), "field-ref-api-version")


def _file_key_ref_optional(c: dict[str, Any], at: Path, run: _Run) -> None:
    if not run.on("file-key-ref-optional"):
        return
    for i, env in enumerate(_list(c.get("env"))):
        ref = _dict((_dict(_dict(env) and env.get("valueFrom")) or {}).get("fileKeyRef"))
        if ref is not None and ref.get("optional") is None:
            ref["optional"] = False
            run.record((*at, "env", i, "valueFrom", "fileKeyRef", "optional"), False, "file-key-ref-optional")


def _requests_from_limits(c: dict[str, Any], at: Path, run: _Run) -> None:
    """``SetDefaults_Pod``: a nil requests map is created when limits is non-nil (even empty)."""
    if not run.on("requests-from-limits"):
        return
    res = _dict(c.get("resources"))
    limits = _dict(res.get("limits")) if res is not None else None
    if res is None or limits is None:
        return
    if res.get("requests") is None:
        res["requests"] = {}
        run.record((*at, "resources", "requests"), {}, "requests-from-limits")
    requests = _dict(res["requests"])
    if requests is None:
        return
    for key, value in limits.items():
        if key not in requests:
            requests[key] = _plain(value)
            run.record((*at, "resources", "requests", key), value, "requests-from-limits")


def _resize_policy(c: dict[str, Any], at: Path, run: _Run) -> None:
    """1.27-1.32 with ``InPlacePodVerticalScaling``: ``NotRequired`` for cpu, then memory, when present in
    requests and not already listed; existing entries are kept."""
    if not run.on("resize-policy"):
        return
    requests = _dict((_dict(c.get("resources")) or {}).get("requests"))
    if requests is None:
        return
    existing = c.get("resizePolicy")
    if existing is not None and not isinstance(existing, list):
        return
    policies: list[Any] = existing if existing is not None else []
    listed = {p.get("resourceName") for p in policies if isinstance(p, dict)}
    for resource in ("cpu", "memory"):
        if resource in requests and resource not in listed:
            entry = {"resourceName": resource, "restartPolicy": "NotRequired"}
            policies.append(entry)
            c["resizePolicy"] = policies
            run.record((*at, "resizePolicy", len(policies) - 1), dict(entry), "resize-policy")


#: ``_rounded_text`` of quantity strings seen (spec values repeat across a cluster).
_ROUNDED: dict[str, str | None] = {}
_UNSEEN: Any = object()


def _rounded_text(raw: Any) -> str | None:
    """The canonical string ``RoundUp(-3)`` writes back, or ``None`` when the value is kept (already exact at
    milli precision, or not parseable: the decoder reports that)."""
    try:  # the decoder's own JSON -> Quantity step (whitespace, numbers), then RoundUp(-3)
        rounded, exact = round_up(_QUANTITY_JSON.decode(raw), -3)
    except KubehashError:
        return None
    return None if exact else canonical_string(rounded)


def _quantity_round_up(c: dict[str, Any], at: Path, run: _Run) -> None:
    """``SetDefaults_ResourceList`` on limits then requests: ``RoundUp(-3)``; only values that change are
    rewritten, as their canonical string. Values Go cannot parse are left for the decoder to report."""
    if not run.on("quantity-round-up"):
        return
    res = _dict(c.get("resources"))
    for list_name in ("limits", "requests"):
        rl = _dict(res.get(list_name)) if res is not None else None
        if rl is None:
            continue
        for key, raw in rl.items():
            if raw is None:
                continue
            text = _ROUNDED.get(raw, _UNSEEN) if type(raw) is str else _UNSEEN
            if text is _UNSEEN:
                text = _rounded_text(raw)
                if type(raw) is str and len(_ROUNDED) < 4096:
                    _ROUNDED[raw] = text
            if text is not None:
                rl[key] = text
                run.record((*at, "resources", list_name, key), rl[key], "quantity-round-up")


def _http_get(handler: dict[str, Any], at: Path, run: _Run, via: str | None) -> None:
    hg = _dict(handler.get("httpGet"))
    if hg is not None:
        _set_string(run, hg, "path", "/", (*at, "httpGet"), "http-get-path", via)
        _set_string(run, hg, "scheme", "HTTP", (*at, "httpGet"), "http-get-scheme", via)


def _probe_int(rule: str, key: str, value: int) -> Callable[[dict[str, Any], Path, _Run, str | None], None]:
    def apply(probe: dict[str, Any], at: Path, run: _Run, via: str | None) -> None:
        if run.on(rule) and _zero_int(probe, key):
            probe[key] = value
            run.record((*at, key), value, rule, via)

    apply.__doc__ = f"``SetDefaults_Probe``: ``{key}`` 0 -> {value}."
    return apply


_PROBE_INTS = (
    _probe_int("probe-timeout-seconds", "timeoutSeconds", 1),
    _probe_int("probe-period-seconds", "periodSeconds", 10),
    _probe_int("probe-success-threshold", "successThreshold", 1),
    _probe_int("probe-failure-threshold", "failureThreshold", 3),
)


def _grpc_service(probe: dict[str, Any], at: Path, run: _Run) -> None:
    grpc = _dict(probe.get("grpc"))
    if grpc is not None and run.on("grpc-service") and grpc.get("service") is None:
        grpc["service"] = ""
        run.record((*at, "grpc", "service"), "", "grpc-service")


def _probes_and_handlers(c: dict[str, Any], at: Path, run: _Run) -> None:
    probes = ["livenessProbe", "readinessProbe"] + (["startupProbe"] if run.on("startup-probe") else [])
    for name in probes:
        probe = _dict(c.get(name))
        if probe is None:
            continue
        via = "startup-probe" if name == "startupProbe" else None
        for rule in _PROBE_INTS:
            rule(probe, (*at, name), run, via)
        _http_get(probe, (*at, name), run, via)
        _grpc_service(probe, (*at, name), run)
    lifecycle = _dict(c.get("lifecycle"))
    for hook in ("postStart", "preStop"):
        handler = _dict((lifecycle or {}).get(hook))
        if handler is not None:
            _http_get(handler, (*at, "lifecycle", hook), run, None)


def _container(c: dict[str, Any], at: Path, run: _Run, kind: str | None) -> None:
    """The per-container part of ``SetObjectDefaults_Pod`` (kind ``None``: a bare container)."""
    if kind == "ephemeralContainer" and not run.on("ephemeral-container-nested"):
        return
    if kind != "ephemeralContainer" or run.on("ephemeral-container-basics"):
        _image_pull_policy(c, at, run)
        _termination_message_path(c, at, run)
        _termination_message_policy(c, at, run)
    _port_protocol(c, at, run)
    _field_ref_api_version(c, at, run)
    _file_key_ref_optional(c, at, run)
    _quantity_round_up(c, at, run)
    _probes_and_handlers(c, at, run)
