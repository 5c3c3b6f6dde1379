"""The public doors exported from ``kubehash`` are typed without ``Any``: callers' type checkers see what they take
and return (``mypy --strict kubehash`` runs in CI; this guards the surface itself)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest

import kubehash

_ANY = re.compile(r"\bAny\b")


def _public_callables() -> Iterator[tuple[str, Callable[..., object]]]:
    """Exported functions, and the public methods of exported classes (a dataclass's generated ``__init__``
    is its fields, some of which hold JSON values by design, so it is left out)."""
    for name in kubehash.__all__:
        obj = getattr(kubehash, name)
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj) and obj.__module__.startswith("kubehash."):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                fn = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                if isinstance(fn, property):
                    fn = fn.fget
                if inspect.isfunction(fn):
                    yield f"{name}.{attr}", fn


def test_the_surface_is_found() -> None:
    names = dict(_public_callables())
    doors = ("predict", "predict_cluster", "plan", "preflight", "explain", "hash_container", "HashCache.hash")
    for door in (*doors, "to_dataframe"):
        assert door in names


@pytest.mark.parametrize(("name", "fn"), list(_public_callables()), ids=lambda v: v if isinstance(v, str) else "")
def test_no_any_in_public_signatures(name: str, fn: Callable[..., object]) -> None:
    annotations = {k: str(v) for k, v in fn.__annotations__.items()}
    assert "return" in annotations, f"{name} has no return annotation"
    loose = {k: v for k, v in annotations.items() if _ANY.search(v)}
    assert not loose, f"{name} takes or returns Any: {loose}"


def test_py_typed_ships() -> None:
    assert resources.files("kubehash").joinpath("py.typed").is_file()


def _keys_fit(summary: dict[str, object], typed: type) -> None:
    assert typed.__required_keys__ <= set(summary) <= typed.__required_keys__ | typed.__optional_keys__, (
        sorted(summary),
        typed.__name__,
    )


def test_summaries_are_the_typed_dicts_they_declare(pods: list[object], nodes: list[object]) -> None:
    """The keys a summary has are those its TypedDict declares: the required ones always, the optional ones
    only when there is something to say."""
    from kubehash.kubelet.toolchains import Side
    from kubehash.upgrade.predict.result import PredictionSummary
    from kubehash.upgrade.preflight.report import SEVERITIES, PreflightSummary

    plain = kubehash.predict(pods, kubehash.Options(to="1.17"), nodes=nodes).summary
    _keys_fit(dict(plain), PredictionSummary)
    assert not {"by_cluster", "manifests"} & set(plain)
    for side in plain["sides"].values():
        assert set(side) == Side.__required_keys__
    manifests = kubehash.predict_cluster(
        kubehash.Cluster(manifests=(str(Path(__file__).parents[1] / "data" / "manifests" / "k8s"),)),
        kubehash.Options(to="1.17", from_version="1.16"),
    ).summary
    _keys_fit(dict(manifests), PredictionSummary)
    assert "manifests" in manifests
    report = kubehash.preflight(pods, nodes, kubehash.Options(to="1.13")).summary
    _keys_fit(dict(report), PreflightSummary)
    assert set(SEVERITIES) <= set(report)
