"""One error family: every public exception class kubehash defines lives in :mod:`kubehash.errors` and subclasses
:class:`~kubehash.errors.KubehashError`, so ``except kubehash.KubehashError`` catches whatever the library raises
on bad input, settings or environment."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import kubehash
from kubehash import errors

#: Public exception classes kept outside kubehash.errors on purpose: internal control flow, always caught by the
#: module that raises it before it could reach a caller.
CONTROL_FLOW = {
    "kubehash.golang.fused.Fallback": "the fused encoder's 'let the general path decide'; HashPlan.input catches it",
    "kubehash.sources.scan.Bail": "the byte scan hands over to the streaming reader; pipeline.split catches it",
    "kubehash.sources.runtime_entries.ItemError": "one bad runtime entry; sources.runtime turns it into a warning",
    "kubehash.sources.yaml_blocks.Decline": "the YAML fast path hands an item to the full loader (yaml_views)",
}

#: Public KubehashError subclasses still defined beside their code, with why.
ELSEWHERE: dict[str, str] = {}


def _import_all() -> None:
    for mod in pkgutil.walk_packages(kubehash.__path__, "kubehash."):
        if mod.name.rsplit(".", 1)[-1] != "__main__":  # runs a command line when imported
            importlib.import_module(mod.name)


def _subclasses(cls: type[BaseException]) -> set[type[BaseException]]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out


def _kubehash_exceptions() -> dict[str, type[BaseException]]:
    """Every exception class defined in a kubehash module (nested and local ones too), by dotted name."""
    _import_all()
    found = {
        f"{c.__module__}.{c.__qualname__}": c
        for c in _subclasses(BaseException)
        if c.__module__ == "kubehash" or c.__module__.startswith("kubehash.")
    }
    assert "kubehash.errors.KubehashError" in found
    return found


def _public(name: str) -> bool:
    return not name.rsplit(".", 1)[-1].startswith("_")


def test_public_exceptions_live_in_errors_and_subclass_kubehash_error() -> None:
    strays = {
        name: cls
        for name, cls in _kubehash_exceptions().items()
        if _public(name) and name not in CONTROL_FLOW and name not in ELSEWHERE
    }
    outside = sorted(n for n, c in strays.items() if c.__module__ != "kubehash.errors")
    assert not outside, f"define these in kubehash/errors.py (or list them here with a reason): {outside}"
    loose = sorted(n for n, c in strays.items() if not issubclass(c, errors.KubehashError))
    assert not loose, f"not KubehashError subclasses: {loose}"


def test_errors_exports_its_whole_family() -> None:
    defined = {
        name
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, BaseException) and obj.__module__ == "kubehash.errors"
    }
    assert {n for n in defined if _public(n)} == set(errors.__all__)


@pytest.mark.parametrize("name", sorted(ELSEWHERE))
def test_exceptions_defined_elsewhere_are_still_kubehash_errors(name: str) -> None:
    assert issubclass(_kubehash_exceptions()[name], errors.KubehashError)


@pytest.mark.parametrize("name", sorted({**CONTROL_FLOW, **ELSEWHERE}))
def test_every_listed_exception_still_exists(name: str) -> None:
    """The lists above stay current: an entry whose class moved or went away is removed."""
    assert name in _kubehash_exceptions()


def test_moved_errors_are_the_same_classes_where_they_were() -> None:
    from kubehash.report import FormatError
    from kubehash.specgen.toolchain_sources import ChangelogError

    assert FormatError is errors.FormatError
    assert ChangelogError is errors.ChangelogError


def test_preflight_reports_bad_objects_and_their_parsers_raise_object_error() -> None:
    """A malformed pod or node given from Python is an error finding of the report, never an exception; the
    parsers themselves raise :class:`~kubehash.errors.ObjectError` (an InputError, still a ValueError)."""
    from kubehash.upgrade.preflight.inputs import parse_node, parse_pod

    pods = [
        7,
        {"kind": "Service"},
        {"metadata": {"name": "p", "ownerReferences": "x"}, "spec": {}},
        {"metadata": {"name": "q"}, "spec": {"nodeName": 5}},
    ]
    nodes = ["n", {"metadata": {"name": "n1", "labels": {"a": 1}}}]
    report = kubehash.preflight(pods, nodes, kubehash.Options(to="1.13"))
    details = [f.detail for f in report.findings if f.severity == "error"]
    assert details == [
        "nodes $[0]: not an object",
        "nodes $[1]: node n1: $.metadata.labels: must be a map of strings to strings",
        "pods $[0]: not an object (int)",
        "pods $[1]: not a Pod (kind 'Service')",
        "pods $[2]: $.metadata.ownerReferences: must be a list of objects",
        "pods $[3]: $.spec.nodeName: must be a string",
    ]
    for parse, doc in ((parse_pod, pods[3]), (parse_node, nodes[1])):
        with pytest.raises(errors.ObjectError) as e:
            parse(doc)
        assert isinstance(e.value, errors.InputError) and isinstance(e.value, ValueError)
