"""A ``KubeletConfiguration`` file (YAML or JSON) and the ``/configz`` answer of a running kubelet, read into
the set of fields they set (with their lines) and their feature gates."""

from __future__ import annotations

import json
from typing import Any

import yaml

from kubehash.errors import KubeletArgsError
from kubehash.model.kubelet_args import KubeletConfigFile

__all__ = ["CONFIGZ_API_VERSION", "parse_configz", "parse_kubelet_config"]


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: /configz carries no apiVersion; its JSON names are those of kubelet.config.k8s.io/v1beta1
CONFIGZ_API_VERSION = "kubelet.config.k8s.io/v1beta1"


def _walk(node: yaml.Node, prefix: str, out: dict[str, int | None], origin: str) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise KubeletArgsError(f"{origin} line {k.start_mark.line + 1}: a mapping key must be a string")
            path = f"{prefix}.{k.value}" if prefix else str(k.value)
            out.setdefault(path, k.start_mark.line + 1)
            _walk(v, path, out, origin)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk(item, prefix + "[]", out, origin)


def _root(text: str | bytes, origin: str) -> yaml.MappingNode:
    """The one mapping document of ``text``."""
    try:
        docs = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as e:
        raise KubeletArgsError(f"{origin}: not valid YAML or JSON: {e}") from None
    except (ValueError, RecursionError) as e:  # not UTF-8, or nested deeper than Python recurses
        raise KubeletArgsError(f"{origin}: not a readable document: {e}") from None
    docs = [d for d in docs if d is not None]
    if len(docs) != 1:
        raise KubeletArgsError(f"{origin}: expected one KubeletConfiguration document, found {len(docs)}")
    root = docs[0]
    if not isinstance(root, yaml.MappingNode):
        raise KubeletArgsError(f"{origin}: a KubeletConfiguration is a mapping, not a {root.tag.rsplit(':', 1)[-1]}")
    return root


def _checked_header(
    data: dict[str, Any], fields: dict[str, int | None], origin: str
) -> tuple[Any, Any, dict[Any, Any]]:
    """apiVersion, kind and featureGates of a config document, each of the type the kubelet requires."""
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    for key, value in (("apiVersion", api_version), ("kind", kind)):
        if value is not None and not isinstance(value, str):
            raise KubeletArgsError(f"{origin} line {fields.get(key)}: {key} must be a string, got {value!r}")
    if kind not in (None, "KubeletConfiguration"):
        raise KubeletArgsError(f"{origin} line {fields.get('kind')}: kind is {kind!r}, not KubeletConfiguration")
    gates = data.get("featureGates") or {}
    if not isinstance(gates, dict):
        raise KubeletArgsError(f"{origin} line {fields.get('featureGates')}: featureGates must be a mapping")
    return api_version, kind, gates


def parse_kubelet_config(text: str | bytes, *, origin: str = "<config>", node: str | None = None) -> KubeletConfigFile:
    """A ``KubeletConfiguration`` in YAML or JSON."""
    root = _root(text, origin)
    fields: dict[str, int | None] = {}
    try:
        _walk(root, "", fields, origin)
        data = yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError) as e:
        raise KubeletArgsError(f"{origin}: {e}") from None
    api_version, kind, gates = _checked_header(data, fields, origin)
    for k in ("apiVersion", "kind"):
        fields.pop(k, None)
    return KubeletConfigFile(origin, api_version, kind, fields, {str(k): v for k, v in gates.items()}, node)


def parse_configz(data: str | bytes, *, origin: str = "<configz>", node: str | None = None) -> KubeletConfigFile:
    """The answer of ``/api/v1/nodes/<node>/proxy/configz``: ``{"kubeletconfig": {...}}``, the running
    kubelet's effective configuration (defaults included, no apiVersion/kind: read as ``v1beta1``, whose JSON
    names the kubelet's internal type shares from 1.10)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise KubeletArgsError(f"{origin}: not JSON: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("kubeletconfig"), dict):
        raise KubeletArgsError(f'{origin}: expected {{"kubeletconfig": {{...}}}} from /configz')
    body = {"apiVersion": CONFIGZ_API_VERSION, "kind": "KubeletConfiguration", **doc["kubeletconfig"]}
    cfg = parse_kubelet_config(json.dumps(body), origin=origin, node=node)
    return KubeletConfigFile(origin, cfg.api_version, cfg.kind, {k: None for k in cfg.fields}, cfg.feature_gates, node)
