"""decode_pods keeps exactly what predict reads: predictions from its pods equal those from the full items,
and every item it cannot describe is left to the exact loader."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from same import assert_same_prediction

from kubehash.errors import InputError
from kubehash.model import MIRROR_ANNOTATION, PodView, iter_containers, iter_pods, pod_view
from kubehash.pipeline.predict_file import predict_file
from kubehash.report.formats import Rows
from kubehash.report.prediction import CONTAINER_COLUMNS
from kubehash.sources.documents import load_documents
from kubehash.sources.podbytes import decode_pods
from kubehash.sources.stream import iter_items
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import Predictor, predict

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

DECLINED = object()


def decode_pod(data: bytes) -> Any:
    """The item's PodView, ``None`` when it is not a pod, ``DECLINED`` when the exact loader must decide."""
    pods = decode_pods(b"[" + data + b"]")
    return DECLINED if pods is None else pods[0]


NODES = {"n1": "v1.10.13", "n2": "v1.16.15"}


def _rows(predictor: Predictor, item: Any) -> list[dict[str, Any]]:
    if isinstance(item, PodView):
        return _docs(predictor.view(item))
    return _docs(p for pod in iter_pods(item) for p in predictor.pod(pod))


def _same_predictions(item: Any, to: str = "1.17") -> None:
    data = json.dumps(item, indent=4).encode()
    lite = decode_pod(data)
    if lite is DECLINED:
        return
    full = json.loads(data)
    assert _rows(Predictor(Options(to=to), nodes=NODES), lite) == _rows(Predictor(Options(to=to), nodes=NODES), full)


def _dump(tmp: Path, pods: int, kubelet: str, seed: int) -> tuple[Path, Any]:
    gen = generate.write_pod_list(tmp / "pods.json", pods, seed=seed, kubelet=kubelet)
    return tmp / "pods.json", gen.node_list()


@pytest.mark.parametrize("kubelet", ["v1.10.13", "v1.16.15"])
def test_generated_dump_predictions_are_the_full_ones(tmp_path: Path, kubelet: str) -> None:
    pods, nodes = _dump(tmp_path, 120, kubelet, seed=11)
    expected = predict(load_documents(pods), Options(to="1.17"), nodes=nodes)
    got = predict_file(pods, Options(to="1.17"), nodes=nodes, jobs=1)
    assert_same_prediction(got, expected)
    assert expected.summary["containers"] > 120
    text = pods.read_text()
    items = json.loads(text)["items"]
    assert all(isinstance(decode_pod(json.dumps(i, indent=4).encode()), PodView) for i in items)


def test_example_cluster(tmp_path: Path) -> None:
    pods = ROOT / "examples" / "cluster" / "pods.json"
    nodes = load_documents(ROOT / "examples" / "cluster" / "nodes.json")
    for to in ("1.17", "1.33"):
        expected = predict(load_documents(pods), Options(to=to), nodes=nodes)
        for jobs in (1, 2):
            assert_same_prediction(predict_file(pods, Options(to=to), nodes=nodes, jobs=jobs), expected)
    for item in iter_items(pods):
        _same_predictions(item)


def test_replicas_share_one_container_mapping() -> None:
    c = {"name": "app", "image": "nginx:1.25", "resources": {"limits": {"cpu": 0.50}}}
    pods = [
        {"kind": "Pod", "metadata": {"name": f"p{i}"}, "spec": {"nodeName": "n1", "containers": [c]}} for i in range(3)
    ]
    decoded = [decode_pod(json.dumps(p, indent=4).encode()) for p in pods]
    assert all(isinstance(d, PodView) for d in decoded)
    assert len({id(d.containers[0][2]) for d in decoded}) == 1
    name, kind, spec, key = decoded[0].containers[0]
    assert (name, kind) == ("app", "container")
    assert key is not None and key.startswith(b"r") and b'"cpu": 0.5' in key  # the raw bytes: the literal kept
    assert spec["resources"]["limits"]["cpu"].text == "0.5"


@pytest.mark.parametrize(
    "item",
    [
        {"kind": "Pod", "spec": {"containers": {"name": "x"}}},  # containers not a list
        {"kind": "Pod", "metadata": {"name": 5}, "spec": {"containers": []}},
        {"kind": "List", "items": [{"kind": "Pod", "spec": {"containers": [{"name": "a"}]}}]},
        {"kind": "Pod", "spec": {"hostNetwork": "yes", "containers": []}},
        {"kind": "Pod", "metadata": {"ownerReferences": [{"kind": "X", "controller": 1}]}, "spec": {}},
        {"kind": "Pod", "status": {"containerStatuses": [{"name": "a", "state": []}]}, "spec": {}},
        ["not", "a", "pod"],
    ],
)
def test_odd_items_are_left_to_the_exact_loader(item: Any) -> None:
    assert decode_pod(json.dumps(item, indent=4).encode()) is DECLINED


def test_duplicate_keys_and_nan_fall_back_or_agree(tmp_path: Path) -> None:
    """Python's json keeps the last duplicate key; msgspec's structs must agree or decline."""
    item = b'{"kind": "Pod", "metadata": {"name": "a", "name": "b"}, "spec": {"nodeName": "n1", "containers": []}}'
    lite = decode_pod(item)
    assert isinstance(lite, PodView) and lite.name == "b"
    assert decode_pod(b'{"kind": "Pod", "metadata": {"name": 1, "name": "b"}}') is DECLINED
    assert decode_pod(b'{"kind": "Pod", "x": NaN}') is DECLINED
    path = tmp_path / "pods.json"
    body = ",\n        ".join(
        [
            '{"kind": "Pod", "metadata": {"name": "a"}, "spec": {"nodeName": "n1", "containers": [{"name": "c"}]}}',
            '{"kind": "Pod", "metadata": {"name": "b"}, "x": NaN, "spec": {"nodeName": "n1", '
            '"containers": [{"name": "c", "image": "i"}]}}',
            '{"kind": "Pod", "metadata": {"name": "c", "name": 7}, "spec": {"nodeName": "n1", "containers": [1]}}',
        ]
    )
    path.write_text('{\n    "items": [\n        ' + body + '\n    ],\n    "kind": "List"\n}\n')
    expected = predict(list(iter_items(path)), Options(to="1.17"), nodes=NODES)
    for jobs in (1, 2):
        assert_same_prediction(predict_file(path, Options(to="1.17"), nodes=NODES, jobs=jobs), expected)
    assert [c.pod for c in expected.containers] == ["a", "b", "?"]


def test_errors_are_the_streaming_readers(tmp_path: Path) -> None:
    path = tmp_path / "pods.json"
    good = '{"kind": "Pod", "metadata": {"name": "a"}, "spec": {"nodeName": "n1", "containers": [{"name": "c"}]}}'
    cases = [
        "[" + good + ",\n        " + good + '\n    ],\n    "kind": \n}\n',  # bad tail
        "[" + good + ",\n        " + good.replace('"a"', '"a\x01"') + "\n    ]\n}\n",  # control character
        "[" + good + ",\n        " + good + ",\n        " + '{"kind": ',  # truncated
    ]
    for case in cases:
        path.write_text('{\n    "items": ' + case)
        with pytest.raises(InputError) as exact:
            list(iter_items(path))
        # the items before the problem are predicted (issue 17); the error is the streaming reader's
        (fast,) = predict_file(path, Options(to="1.17"), nodes=NODES, jobs=1).input_errors
        assert fast.startswith(str(exact.value) + " (the dump stops being readable there")
    # a byte that is not UTF-8 costs its item only: an error row (its kind cannot be read: taken for a pod)
    path.write_bytes(('{\n    "items": [' + good + ",\n        ").encode() + b'{"kind": "\xff"}\n    ]\n}\n')
    result = predict_file(path, Options(to="1.17"), nodes=NODES, jobs=1)
    assert not result.input_errors
    (bad,) = [c for c in result.containers if c.verdict == "error"]
    assert bad.container == "-" and "not UTF-8 text: invalid start byte (byte 0xff at offset" in (bad.error or "")


_ODD = st.sampled_from([None, 1, "x", True, [], {}, 0.5])


def _field(ok: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field's value: usually a well-typed one, sometimes any odd JSON value, or absent (``...``)."""
    return st.one_of(ok, ok, ok, _ODD, st.just(...))


_names = st.sampled_from(["a", "b", "app", "init"])
_container = st.one_of(
    st.fixed_dictionaries(
        {"name": _field(_names), "image": _field(st.sampled_from(["nginx", "busybox:1"]))},
        optional={"restartPolicy": st.sampled_from(["Always", "Never"]), "ports": st.just([{"containerPort": 80}])},
    ),
    _ODD,
)
_state = st.one_of(
    st.just({}),
    st.just({"running": None}),
    st.fixed_dictionaries(
        {"running": st.fixed_dictionaries({}, optional={"startedAt": _field(st.just("2020-01-02T03:04:05Z"))})}
    ),
    st.just({"waiting": {"reason": "x"}}),
    _ODD,
)
_status_entry = st.one_of(st.fixed_dictionaries({}, optional={"name": _field(_names), "state": _state}), _ODD)
_pod = st.fixed_dictionaries(
    {},
    optional={
        "kind": _field(st.just("Pod")),
        "metadata": _field(
            st.fixed_dictionaries(
                {},
                optional={
                    "name": _field(st.sampled_from(["p1", "p2"])),
                    "namespace": _field(st.just("ns")),
                    "annotations": _field(st.sampled_from([{MIRROR_ANNOTATION: "x"}, {"a": "b"}, {}])),
                    "ownerReferences": _field(
                        st.lists(
                            st.fixed_dictionaries(
                                {},
                                optional={
                                    "kind": _field(st.just("ReplicaSet")),
                                    "name": _field(st.just("rs")),
                                    "controller": _field(st.booleans()),
                                },
                            ),
                            max_size=2,
                        )
                    ),
                },
            )
        ),
        "spec": _field(
            st.fixed_dictionaries(
                {},
                optional={
                    "nodeName": _field(st.sampled_from(["n1", "n2", "n9", ""])),
                    "hostNetwork": _field(st.booleans()),
                    "containers": _field(st.lists(_container, max_size=3)),
                    "initContainers": _field(st.lists(_container, max_size=2)),
                },
            )
        ),
        "status": _field(
            st.fixed_dictionaries(
                {},
                optional={
                    "phase": _field(st.sampled_from(["Running", "Pending", "Succeeded"])),
                    "containerStatuses": _field(st.lists(_status_entry, max_size=3)),
                    "initContainerStatuses": _field(st.lists(_status_entry, max_size=2)),
                },
            )
        ),
    },
)


def _drop_absent(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _drop_absent(x) for k, x in v.items() if x is not ...}
    if isinstance(v, list):
        return [_drop_absent(x) for x in v]
    return v


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pod.map(_drop_absent))
def test_lite_pods_predict_like_full_pods(item: Any) -> None:
    for to in ("1.17", "1.29"):
        _same_predictions(item, to)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(_pod.map(_drop_absent), min_size=1, max_size=6))
def test_dump_of_odd_pods(tmp_path: Path, items: list[Any]) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"items": items, "kind": "List"}, indent=4))
    expected = predict(items, Options(to="1.17"), nodes=NODES)
    assert_same_prediction(predict_file(path, Options(to="1.17"), nodes=NODES, jobs=1), expected)


def test_null_container_is_explained_without_defaults() -> None:
    """Go decodes ``null`` into a struct as a no-op, so both kubelets hash it; it is not defaulted (it was a
    KubehashError from apply_defaults before)."""
    got = predict({"spec": {"nodeName": "n1", "containers": [None]}}, Options(to="1.17"), nodes=NODES).containers
    assert [(c.container, c.verdict, [r.kind for r in c.reasons]) for c in got] == [("#0", "restart", ["algorithm"])]


@settings(max_examples=300, deadline=None)
@given(_pod.map(_drop_absent))
def test_pod_view_lists_what_iter_containers_yields(item: Any) -> None:
    """One walk of a pod for predict (pod_view) and the general one (iter_containers) agree: same containers,
    names, kinds, order and decode path; and the lite decoder's view of the same bytes is the same view."""
    for pod in iter_pods(item):
        view = pod_view(pod)
        refs = list(iter_containers(pod))
        assert [(n, k) for n, k, _, _ in view.containers] == [(r.name, r.kind) for r in refs]
        assert all(spec is r.spec for (_, _, spec, _), r in zip(view.containers, refs, strict=True))
        assert all(r.source == view.source and r.namespace == view.namespace and r.pod == view.name for r in refs)
    lite = decode_pod(json.dumps(item, indent=4).encode())
    if isinstance(lite, PodView):
        (pod,) = iter_pods(json.loads(json.dumps(item)))
        full = pod_view(pod)
        lite.containers = [(n, k, c, None) for n, k, c, _ in lite.containers]
        full.containers = [(n, k, c, None) for n, k, c, _ in full.containers]
        assert lite == full
    elif lite is None:
        assert list(iter_pods(item)) == []


def _docs(containers: Any) -> list[dict[str, Any]]:
    return Rows(CONTAINER_COLUMNS, list(containers)).dicts()
