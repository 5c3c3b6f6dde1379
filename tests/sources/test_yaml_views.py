"""``decode_pod`` (PodViews read from a YAML item by indentation) gives what ``pod_view`` gives for the
exactly loaded item, or declines."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import SIMPLE_TEXT, json_values

from kubehash.model import PodView, iter_pods, pod_view
from kubehash.sources.podbytes import NotAPod
from kubehash.sources.yaml_items import FALLBACK, iter_yaml_items
from kubehash.sources.yaml_views import decode_pod

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402


def texts(data: bytes) -> list[bytes]:
    """The item texts of a YAML List, as the reader cuts them."""
    return list(iter_yaml_items(io.BytesIO(data), decode=lambda t: t))


def exact(data: bytes) -> list[Any]:
    return list(iter_yaml_items(io.BytesIO(data)))


def fields(v: Any) -> Any:
    """A view without the hash-cache keys (pod_view leaves them to the predictor)."""
    if v is None or isinstance(v, NotAPod):
        return None
    return (
        v.namespace, v.name, v.uid, v.source, v.node, v.host_network, v.owner_kind, v.owner_name,
        [(n, k, c) for n, k, c, _ in v.containers], v.statuses, v.schedulable,
    )  # fmt: skip


def reference(item: Any) -> PodView | None:
    pods = list(iter_pods(item))
    assert len(pods) <= 1
    return pod_view(pods[0]) if pods else None


def check(data: bytes) -> tuple[int, int]:
    """Every item decodes to its reference view or declines; returns (decoded, declined)."""
    decoded = declined = 0
    for text, item in zip(texts(data), exact(data), strict=True):
        got = decode_pod(text)
        if got is FALLBACK:
            declined += 1
            continue
        assert fields(got) == fields(reference(item)), text.decode()
        decoded += 1
        if isinstance(got, PodView):
            assert all(key is not None for _, _, _, key in got.containers)
    return decoded, declined


def as_list_yaml(pods: list[Any], **style: Any) -> bytes:
    """A List with kubectl's layout, the items in the given YAML style."""
    items = yaml.safe_dump(pods, sort_keys=False, **style) if pods else ""
    return f"apiVersion: v1\nitems:\n{items}kind: List\n".encode()


@pytest.mark.parametrize("kubelet", ["v1.10.13", "v1.24.3"])
def test_generated_cluster_is_decoded_without_the_exact_loader(kubelet: str) -> None:
    data = as_list_yaml(generate.pod_list(150, seed=11, kubelet=kubelet)["items"])
    assert check(data) == (150, 0)


def test_bundled_example_cluster() -> None:
    pods = json.loads((ROOT / "examples" / "cluster" / "pods.json").read_text())["items"]
    decoded, declined = check(as_list_yaml(pods))
    assert decoded + declined == len(pods) and declined <= len(pods) // 10


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    style=st.fixed_dictionaries(
        {
            "default_flow_style": st.sampled_from([False, None]),
            "default_style": st.sampled_from([None, None, '"', "'"]),
            "indent": st.sampled_from([2, 3, 4]),
            "width": st.sampled_from([80, 30, 4096]),
        }
    ),
)
def test_generated_pods_in_other_styles(seed: int, style: dict[str, Any]) -> None:
    check(as_list_yaml(generate.pod_list(6, seed=seed, kubelet="v1.24.3")["items"], **style))


ODD_VALUE = st.one_of(json_values(4), st.sampled_from(["yes", "~", "", "null", "1.5", "Pod", "Running", True, 1]))


@st.composite
def odd_pods(draw: Any) -> Any:
    """Pod-shaped items with odd values where predict reads: names that are not strings, statuses without
    state, states that are not mappings, duplicate statuses, containers that are not mappings..."""

    def maybe(d: dict[str, Any], key: str, value: Any) -> None:
        if draw(st.booleans()):
            d[key] = value

    def status() -> Any:
        s: dict[str, Any] = {}
        maybe(s, "name", draw(st.one_of(st.sampled_from(["app", "side"]), ODD_VALUE)))
        maybe(s, "state", draw(st.one_of(
            st.just({"running": {"startedAt": "2026-01-01T00:00:00Z"}}),
            st.just({"waiting": {"reason": "x"}}),
            st.just({"running": {}}),
            st.just({}),
            st.fixed_dictionaries({"running": ODD_VALUE}),
            ODD_VALUE,
        )))  # fmt: skip
        return s if draw(st.integers(0, 9)) else draw(ODD_VALUE)

    def container() -> Any:
        c = {"name": draw(st.one_of(st.sampled_from(["app", "side"]), ODD_VALUE)), "image": "nginx"}
        maybe(c, "env", [{"name": "A", "value": draw(SIMPLE_TEXT)}])
        return c if draw(st.integers(0, 9)) else draw(ODD_VALUE)

    meta: dict[str, Any] = {}
    for key in ("name", "namespace", "uid"):
        maybe(meta, key, draw(st.one_of(SIMPLE_TEXT, ODD_VALUE)))
    maybe(meta, "annotations", draw(st.one_of(
        st.just({"kubernetes.io/config.mirror": "x", "a": "b"}), st.just({"other": "1"}), ODD_VALUE
    )))  # fmt: skip
    maybe(meta, "ownerReferences", draw(st.one_of(
        st.lists(st.fixed_dictionaries({"kind": ODD_VALUE, "name": SIMPLE_TEXT, "controller": ODD_VALUE}), max_size=3),
        ODD_VALUE,
    )))  # fmt: skip
    spec: dict[str, Any] = {}
    maybe(spec, "nodeName", draw(st.one_of(st.sampled_from(["node-1", ""]), ODD_VALUE)))
    maybe(spec, "hostNetwork", draw(st.one_of(st.booleans(), ODD_VALUE)))
    maybe(spec, "containers", draw(st.one_of(st.lists(st.builds(container), max_size=3), ODD_VALUE)))
    maybe(spec, "initContainers", draw(st.lists(st.builds(container), max_size=2)))
    status_: dict[str, Any] = {}
    maybe(status_, "phase", draw(st.one_of(st.sampled_from(["Running", "Pending", "Succeeded"]), ODD_VALUE)))
    maybe(status_, "containerStatuses", draw(st.one_of(st.lists(st.builds(status), max_size=3), ODD_VALUE)))
    maybe(status_, "initContainerStatuses", draw(st.lists(st.builds(status), max_size=2)))
    pod: dict[str, Any] = {}
    maybe(pod, "kind", draw(st.sampled_from(["Pod", "Service", None])))
    maybe(pod, "metadata", meta if draw(st.integers(0, 9)) else draw(ODD_VALUE))
    maybe(pod, "spec", spec if draw(st.integers(0, 9)) else draw(ODD_VALUE))
    maybe(pod, "status", status_)
    return pod


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pods=st.lists(odd_pods(), min_size=1, max_size=4), indent=st.sampled_from([2, 4]))
def test_odd_pods(pods: list[Any], indent: int) -> None:
    check(as_list_yaml(pods, indent=indent))


# Texts the indentation alone would misread: each must decline or give the exact view.
TRICKY = [
    # a double-quoted scalar running back to column 2, where it looks like a top-level key
    b'- kind: Pod\n  note: "x\n  spec:\n    nodeName: evil"\n  spec:\n    nodeName: good\n',
    # a flow sequence spanning lines
    b"- kind: Pod\n  spec: {nodeName: a,\n    hostNetwork: true}\n",
    # a duplicate key: the last one wins
    b"- kind: Pod\n  spec:\n    nodeName: a\n    nodeName: b\n",
    # a complex key spelling a read key
    b"- kind: Pod\n  spec:\n    nodeName: a\n    ? nodeName\n    : b\n",
    # an alias and a merge key
    b"- kind: Pod\n  metadata: &m {name: x}\n  spec:\n    <<: {nodeName: n}\n  status: *m\n",
    # a block scalar whose content looks like keys, and a comment at the key column
    b"- kind: Pod\n  metadata:\n    name: p\n    description: |\n      name: q\n  # a comment\n    uid: u\n"
    b"  spec:\n    nodeName: a\n",
    # YAML 1.1 scalars where predict reads
    b"- kind: Pod\n  metadata:\n    name: 123\n    namespace: ~\n  spec:\n    hostNetwork: yes\n    nodeName: 'n'\n",
    # a multi-line plain scalar
    b"- kind: Pod\n  metadata:\n    name: a\n      b\n  spec: {}\n",
    # tabs and CR
    b"- kind: Pod\n  spec:\n    nodeName:\tx\n",
    b"- kind: Pod\r\n  spec:\r\n    nodeName: x\r\n",
    # odd indentation
    b"- kind: Pod\n  spec:\n     nodeName: x\n    hostNetwork: true\n",
    # a nested List
    b"- kind: List\n  items:\n  - kind: Pod\n    spec: {}\n",
    # a tag
    b"- kind: Pod\n  spec:\n    nodeName: !!str 1\n",
    # a value that is not YAML (a mapping value inside a plain scalar)
    b"- kind: Pod\n  metadata:\n    name: b: 'c'\n  spec: {}\n",
    # a key of a read mapping that is quoted
    b"- kind: Pod\n  spec:\n    nodeName: a\n    'nodeName': b\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts(text: bytes) -> None:
    data = b"items:\n" + text
    try:
        items = exact(data)
    except Exception:  # invalid YAML: the fast path must not claim a view
        assert decode_pod(text) is FALLBACK
        return
    got = decode_pod(text)
    if got is not FALLBACK:
        assert fields(got) == fields(reference(items[0]))


def test_containers_are_shared_between_replicas() -> None:
    data = as_list_yaml(generate.pod_list(40, seed=3, kubelet="v1.10.13")["items"])
    views = [decode_pod(t) for t in texts(data)]
    specs = [id(c) for v in views if isinstance(v, PodView) for _, _, c, _ in v.containers]
    assert len(set(specs)) < len(specs)


# -- a corrupt line anywhere: the fast path gives what the exact loader gives (issue 17) ---------------------

#: What a corrupt line may become: a bad indentation, a mapping inside a plain scalar, a character that
#: cannot start a token, a bad escape, a value PyYAML cannot construct, a truncated or lost line...
CORRUPTIONS = [
    lambda line: b" " + line,
    lambda line: line[1:],
    lambda line: line + b": x",
    lambda line: line.rstrip(b"\n") + b" y: z\n",
    lambda line: line.replace(b": ", b" ", 1),
    lambda line: line[: len(line) // 2],
    lambda line: line.replace(b": ", b": @", 1),
    lambda line: line.replace(b": ", b': "\\q', 1),
    lambda line: line.replace(b": ", b': "\\uD800"  # ', 1),
    lambda line: line.replace(b": ", b": =\n", 1),
    lambda line: line.replace(b": ", b": 0b_\n", 1),
    lambda line: line.replace(b": ", b": " + b"9" * 4400 + b"\n", 1),
    lambda line: b"",
    lambda line: line + b"  - stray\n",
    lambda line: line.replace(b"  ", b"\t", 1),
]


def outcome(v: Any) -> Any:
    """A read item as the pipeline sees it: its view's fields, or its error row's problem."""
    if isinstance(v, PodView) and v.problems:
        return ("error", v.name, v.namespace, v.problems)
    if isinstance(v, dict):
        return fields(reference(v))
    return fields(v)


def read_all(data: bytes, decode: Any) -> Any:
    try:
        return [outcome(v) for v in iter_yaml_items(io.BytesIO(data), decode=decode)]
    except Exception as e:  # an error around the items: the same for both
        return ("raised", type(e).__name__, str(e))


def _exact(text: bytes) -> Any:
    return FALLBACK


_exact.unreadable = decode_pod.unreadable  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    corrupt=st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.integers(0, len(CORRUPTIONS) - 1))),
)
def test_fast_path_gives_the_exact_loaders_verdicts_and_errors(seed: int, corrupt: tuple[int, int] | None) -> None:
    data = as_list_yaml(generate.pod_list(3, seed=seed, kubelet="v1.24.3")["items"])
    if corrupt is not None:
        lines = data.splitlines(keepends=True)
        at = 2 + corrupt[0] % (len(lines) - 3)  # a line inside the items
        lines[at] = CORRUPTIONS[corrupt[1]](lines[at])
        data = b"".join(lines)
    assert read_all(data, decode_pod) == read_all(data, _exact)


@pytest.mark.parametrize("depth", [44, 47, 48, 49, 50, 95, 99, 100, 101])
@pytest.mark.parametrize("style", ["map1", "seq", "map-seq"])
def test_deep_values_in_skipped_fields(depth: int, style: str) -> None:
    """A value nested about MAX_DEPTH deep where predict does not read: the exact loader's answer."""
    deep = b""
    for i in range(depth):
        pad = b" " * (6 + i) if style == "map1" else b" " * (6 + 2 * i)
        deep += pad + (b"a:\n" if style == "map1" else b"- \n" if style == "seq" else b"a:\n" + pad + b"- \n")
    deep += b" " * (7 + 2 * depth) + b"x\n"
    text = b"- kind: Pod\n  metadata:\n    name: p\n    labels:\n" + deep + b"  spec:\n    nodeName: n\n"
    data = b"items:\n" + text
    assert read_all(data, decode_pod) == read_all(data, _exact)
