"""The kubelet's second container hash, ``hashWithoutResources`` (kubelet 1.27-1.30, in-place resize).

Reproduces ``HashContainerWithoutResources`` of ``pkg/kubelet/container/helpers.go`` (added by PR #102884
in v1.27.0, removed by PR #124220 in v1.31.0, see ``docs/kubelet-feature-gates.md``): the kubelet
deep-copies the decoded ``v1.Container``, sets ``Resources`` to the zero ``v1.ResourceRequirements{}``,
``json.Marshal``\\ s the copy and feeds go-spew's ``%#v`` of those bytes to FNV-1a, exactly like
``HashContainer`` of the JSON era. Every field of ``ResourceRequirements`` is ``omitempty``, so the JSON
carries ``"resources":{}`` where the container's requests/limits/claims were; no other field
(``resizePolicy`` included) is touched.

The container is decoded whole first, as the kubelet holds it: a container whose ``resources`` the
kubelet could not decode is a :class:`~kubehash.errors.DecodeError` here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from kubehash.errors import DecodeError, KubehashError
from kubehash.golang.fnv import fnv1a_32
from kubehash.golang.types import zero_factory
from kubehash.kubelet.hashing import HashPlan, plan_for

__all__ = ["hash_without_resources", "hash_without_resources_input"]


@cache
def _zeroing(plan: HashPlan) -> tuple[int, Callable[[], Any]]:
    """(index of ``Container.Resources`` in the typed struct value, maker of its Go zero value)."""
    fields = plan.schema_root.underlying().fields
    for i, f in enumerate(fields):
        if f.name == "Resources":
            return i, zero_factory(f.type)
    raise KubehashError(f"kubelet {plan.release.minor}: v1.Container has no Resources field")  # pragma: no cover


def _plan(version: str, source: str, go_version: str | None) -> HashPlan:
    plan = plan_for(version, source, go_version)
    if not plan.release.hash_without_resources:
        raise KubehashError(f"kubelet {plan.release.minor} has no hashWithoutResources (only 1.27-1.30 compute it)")
    return plan


def _input(plan: HashPlan, container: Any) -> bytes:
    if isinstance(container, Mapping) and not isinstance(container, dict):
        container = dict(container)
    try:
        value = plan.decode(container)
    except DecodeError as e:
        if e.container is None and isinstance(container, dict) and isinstance(container.get("name"), str):
            e.with_context(container=container["name"])
        raise
    index, zero = _zeroing(plan)
    value = list(value)  # the kubelet zeroes a deep copy; the decoded value is ours, but stay honest
    value[index] = zero()
    return plan.render(value)


def hash_without_resources_input(
    container: Mapping[str, Any], version: str, *, source: str = "apiserver", go_version: str | None = None
) -> bytes:
    """The bytes kubelet ``version`` (1.27-1.30) writes into FNV-1a for ``hashWithoutResources``."""
    return _input(_plan(version, source, go_version), container)


def hash_without_resources(
    container: Mapping[str, Any], version: str, *, source: str = "apiserver", go_version: str | None = None
) -> int:
    """The ``io.kubernetes.container.hashWithoutResources`` value kubelet ``version`` (1.27-1.30) computes.

    A :class:`~kubehash.errors.KubehashError` for a kubelet minor without that hash."""
    return fnv1a_32(hash_without_resources_input(container, version, source=source, go_version=go_version))
