"""What an API server stores for a pod created through it: the old side of a manifest's prediction.

A workload's pods are created from its template by a controller, through the API server of the cluster's
version; what that API server stores is what the running containers were started from, and what the
control plane returns on every later read (then defaulted again by the newer control plane). Creating a
pod through the API server of ``version``:

1. **drops every field that version's types do not have** -- JSON decoding ignores unknown keys
   (:mod:`kubehash.kubelet.unknown_fields`), so a field newer than the cluster never reaches etcd;
2. **drops fields whose feature gate is off** (``dropDisabledFields``, ``specs/dropped_fields.json``);
3. **mounts the service-account token** into every init and regular container (the ``ServiceAccount``
   admission plugin, on by default: ``plugin/pkg/admission/serviceaccount/admission.go``
   ``mountServiceAccountToken``): unless the pod (else its ServiceAccount, when the manifests hold it) sets
   ``automountServiceAccountToken: false``, a container without a mount at
   ``/var/run/secrets/kubernetes.io/serviceaccount`` gets ``{name: <token volume>, readOnly: true, mountPath:
   ...}`` appended -- which is why 1.13 -> 1.14 (``VolumeMount.subPathExpr``) restarts nearly every container.
   The volume's name has a random suffix (``kube-api-access-`` from 1.21, when bound token volumes became the
   default; ``<serviceaccount>-token-`` before), so hashes are not those of a real cluster, verdicts are;
4. **applies that version's defaults** to the Pod (:func:`kubehash.kubelet.defaults.apply_defaults`): the
   template's own defaults are a subset of a Pod's, so defaulting the Pod the controller makes is enough.

Other admission (LimitRange, PodSecurityPolicy, webhooks, ...) is not modelled; nor is validation: kubectl's own
validation
rejects an unknown field (``--validate``, strict server-side field validation from 1.25), so a manifest with
one reaches the API server only through a client that does not validate -- and is then stored without it.
Nothing here reads files or prints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from kubehash.kubelet.defaults import Defaulted, apply_defaults
from kubehash.kubelet.fieldpath import render_path
from kubehash.kubelet.gates import applicable_overrides
from kubehash.kubelet.releases import Release, release
from kubehash.kubelet.unknown_fields import drop_unknown_fields

__all__ = ["DroppedField", "GatedField", "StoredPod", "api_server_gates", "gated_fields", "stored_pod"]

#: Container kind -> its list in a pod spec.
_LISTS = {"container": "containers", "initContainer": "initContainers"}


@dataclass(frozen=True)
class GatedField:
    """A container field the API server drops on create while ``gate`` is off (``specs/dropped_fields.json``)."""

    gate: str
    containers: tuple[str, ...]
    path: tuple[str, ...]
    source: str


@cache
def gated_fields() -> tuple[GatedField, ...]:
    """The rows of ``specs/dropped_fields.json``."""
    text = resources.files("kubehash.specs").joinpath("dropped_fields.json").read_text(encoding="utf-8")
    return tuple(
        GatedField(row["gate"], tuple(row["containers"]), tuple(row["path"]), row["source"])
        for row in json.loads(text)["fields"]
    )


@dataclass(frozen=True)
class DroppedField:
    """A field the API server did not store: the container (its place in the pod spec, ``containers[0]``, and
    name), the field (``kubectl explain`` path in the container, ``securityContext.seccompProfile``), and why --
    ``version`` lacks the field (``gate`` ``None``) or its feature gate is off there."""

    container: str
    name: str
    path: str
    version: str
    gate: str | None = None

    @property
    def why(self) -> str:
        """``does not exist in Kubernetes 1.18`` / ``needs feature gate X, off in Kubernetes 1.28``."""
        if self.gate is None:
            return f"does not exist in Kubernetes {self.version}"
        return f"needs feature gate {self.gate}, off in Kubernetes {self.version}"

    def text(self, spec: str = "spec") -> str:
        """The sentence naming the field below ``spec`` (the pod spec's path in its object)."""
        return f"{spec}.{self.container}.{self.path} {self.why}"


@dataclass
class StoredPod:
    """The pod as the API server of ``version`` stores it, the fields it dropped, and its defaults."""

    pod: dict[str, Any]
    version: str
    dropped: list[DroppedField] = field(default_factory=list)
    defaulted: Defaulted | None = None


def api_server_gates(rel: Release, overrides: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """The container-relevant gates of an API server of minor ``rel``: that minor's defaults, with
    ``overrides`` for the gates it has and does not lock (others do not apply to it)."""
    return {**rel.gate_defaults(), **applicable_overrides(rel, overrides)}


def _containers(spec: Mapping[str, Any], kind: str) -> list[Any]:
    items = spec.get(_LISTS[kind])
    return items if isinstance(items, list) else []


#: Where the ServiceAccount admission plugin mounts the token (``DefaultAPITokenMountPath``).
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def _automount(spec: Mapping[str, Any], service_account: bool | None) -> bool:
    """``shouldAutomount``: the pod's setting, else its ServiceAccount's, else true."""
    own = spec.get("automountServiceAccountToken")
    if isinstance(own, bool):
        return own
    return service_account is not False


def _token_volume(spec: Mapping[str, Any], rel: Release) -> str:
    """The token volume's name: an existing one's, else a new one (with a placeholder for the random part)."""
    volumes = spec.get("volumes")
    for v in volumes if isinstance(volumes, list) else []:
        name = v.get("name") if isinstance(v, Mapping) else None
        if isinstance(name, str) and name.startswith("kube-api-access-"):
            return name
    if rel.projected_token_volume:
        return "kube-api-access-xxxxx"
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    return f"{sa}-token-xxxxx"


def _mount_token(container: Any, volume: str) -> Any:
    """The container with the token mounted (unchanged when something is mounted at the token's path)."""
    if not isinstance(container, dict):
        return container
    mounts = container.get("volumeMounts")
    if mounts is not None and not isinstance(mounts, list):
        return container  # the decoder reports it
    existing = mounts or []
    if any(isinstance(m, Mapping) and m.get("mountPath") == TOKEN_MOUNT_PATH for m in existing):
        return container
    mount = {"name": volume, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
    return {**container, "volumeMounts": [*existing, mount]}


def _stored_container(
    c: Any, kind: str, where: str, i: int, rel: Release, gates: Mapping[str, bool], dropped: list[DroppedField]
) -> Any:
    """One container as the API server stores it: fields ``rel`` does not know and fields of gates that are off
    dropped (each noted in ``dropped``)."""
    name = str(c.get("name", f"#{i}")) if isinstance(c, Mapping) else f"#{i}"
    kept, unknown = drop_unknown_fields(c, rel.minor)
    dropped.extend(DroppedField(where, name, render_path(p), rel.minor) for p in unknown)
    for g in gated_fields():
        if isinstance(kept, dict) and kind in g.containers and gates.get(g.gate, True) is False:
            kept, was_there = _drop(kept, g.path)
            if was_there:
                dropped.append(DroppedField(where, name, render_path(g.path), rel.minor, g.gate))
    return kept


def stored_pod(
    pod: Mapping[str, Any],
    version: str,
    *,
    feature_gates: Mapping[str, bool] | None = None,
    service_account_automount: bool | None = None,
) -> StoredPod:
    """What the API server of ``version`` stores when ``pod`` (a Pod mapping, e.g. made from a workload's
    template) is created through it: unknown and gated-off container fields dropped, the service-account token
    mounted (``service_account_automount``: the pod's ServiceAccount's ``automountServiceAccountToken``, when
    known), its defaults applied with ``feature_gates`` (:func:`api_server_gates`). The input is never touched."""
    rel = release(version)
    gates = api_server_gates(rel, feature_gates)
    out = dict(pod)
    spec_in = pod.get("spec")
    dropped: list[DroppedField] = []
    if isinstance(spec_in, Mapping):
        spec = dict(spec_in)
        for kind, list_name in _LISTS.items():
            items = _containers(spec_in, kind)
            if items:
                spec[list_name] = [
                    _stored_container(c, kind, render_path((list_name, i)), i, rel, gates, dropped)
                    for i, c in enumerate(items)
                ]
        if _automount(spec, service_account_automount):
            volume = _token_volume(spec, rel)
            for list_name in _LISTS.values():
                if isinstance(spec.get(list_name), list):
                    spec[list_name] = [_mount_token(c, volume) for c in spec[list_name]]
        out["spec"] = spec
    defaulted = apply_defaults(out, rel.minor, feature_gates=gates)
    return StoredPod(defaulted.obj, rel.minor, dropped, defaulted)


def _drop(container: dict[str, Any], path: tuple[str, ...]) -> tuple[dict[str, Any], bool]:
    """``container`` without the field at ``path`` (a copy where it changed) and whether it was there."""
    head, rest = path[0], path[1:]
    if head not in container:
        return container, False
    if not rest:
        return {k: v for k, v in container.items() if k != head}, True
    inner = container[head]
    if not isinstance(inner, dict):
        return container, False
    inner, was_there = _drop(inner, rest)
    return ({**container, head: inner}, True) if was_there else (container, False)
