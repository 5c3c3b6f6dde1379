"""The settings of one run, in one frozen object: what ``predict``, ``plan``, ``ignore-file check`` and
``preflight`` are asked (the versions on each side, whose defaults and gates apply, the Go toolchains, the
ignore-file rule) -- never the data they are asked about (pods, nodes, runtime records, ignore files).

:class:`Options` checks and resolves everything when it is made, so a bad version or feature gate fails at
once with a :class:`~kubehash.errors.KubehashError` naming it, before any pod is read; code that receives an
``Options`` uses the resolved release rows (:attr:`Options.target`, ...) and never parses a version again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from kubehash.errors import KubehashError
from kubehash.kubelet.gates import resolve_gates
from kubehash.kubelet.releases import Release, release
from kubehash.kubelet.toolchains import Toolchain, parse_go_version, toolchain
from kubehash.upgrade.ignorefile.rules import RULES, KubeletStart

__all__ = ["FeatureGates", "IgnoreRule", "Options"]

#: The patched kubelet's rule (:data:`kubehash.upgrade.ignorefile.rules.RULES`).
IgnoreRule = Literal["public", "seed"]


class FeatureGates(Mapping[str, bool]):
    """An immutable, hashable, picklable ``{gate: on}`` (what ``--feature-gates`` holds)."""

    __slots__ = ("_items",)

    def __init__(self, gates: Mapping[str, bool] | None = None) -> None:
        self._items: tuple[tuple[str, bool], ...] = tuple(sorted((gates or {}).items()))

    def __getitem__(self, name: str) -> bool:
        for k, v in self._items:
            if k == name:
                return v
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"FeatureGates({dict(self._items)!r})"

    def __reduce__(self) -> tuple[type[FeatureGates], tuple[dict[str, bool]]]:
        return FeatureGates, (dict(self._items),)


def _gates(value: Mapping[str, bool] | None) -> FeatureGates:
    return value if isinstance(value, FeatureGates) else FeatureGates(value)


@dataclass(frozen=True, kw_only=True)
class Options:
    """How to predict an in-place kubelet upgrade.

    ``to``: the target kubelet version (kept as written: the patched kubelet compares version *texts*).
    ``from_version``: the kubelet version of pods whose node is not known. ``control_plane``: the API server
    whose defaults the new side gets (default: ``to``), with ``feature_gates``. ``defaults=False`` hashes the
    new side as given. ``kubelet_feature_gates`` are the target kubelet's, ``old_kubelet_feature_gates`` those of
    the kubelets that started the running containers (each node's minor takes what applies to it).
    ``old_go``/``new_go`` override the Go toolchain of each side (vendor builds). ``ignore_rule`` is the patched
    kubelet's rule, ``kubelet_started`` when the new kubelet starts (``None``: after every running container).
    """

    to: str
    from_version: str | None = None
    control_plane: str | None = None
    defaults: bool = True
    feature_gates: Mapping[str, bool] = field(default_factory=FeatureGates)
    kubelet_feature_gates: Mapping[str, bool] = field(default_factory=FeatureGates)
    old_kubelet_feature_gates: Mapping[str, bool] = field(default_factory=FeatureGates)
    old_go: str | None = None
    new_go: str | None = None
    ignore_rule: IgnoreRule = "public"
    kubelet_started: KubeletStart | Mapping[str, KubeletStart] | None = None

    #: The resolved release rows and the target's Go toolchain (set from the fields above when the object is
    #: made: a bare minor is its newest patch, ``docs/go-toolchains.md``).
    target: Release = field(init=False, repr=False, compare=False)
    target_toolchain: Toolchain = field(init=False, repr=False, compare=False)
    control_plane_release: Release = field(init=False, repr=False, compare=False)
    from_release: Release | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "to", str(self.to).strip())
        target = release(self.to)
        set_(self, "target", target)
        set_(self, "target_toolchain", toolchain(self.to, go_version=self.new_go))
        if self.old_go is not None:
            parse_go_version(self.old_go)
        set_(self, "control_plane_release", release(self.control_plane) if self.control_plane else target)
        set_(self, "from_release", release(self.from_version) if self.from_version else None)
        for name in ("feature_gates", "kubelet_feature_gates", "old_kubelet_feature_gates"):
            set_(self, name, _gates(getattr(self, name)))
        resolve_gates(self.control_plane_release, self.feature_gates)
        resolve_gates(target, self.kubelet_feature_gates, kubelet=True)
        resolve_gates(target, self.old_kubelet_feature_gates, kubelet=True, lenient=True)
        if self.ignore_rule not in RULES:
            raise KubehashError(f"unknown ignore-file rule {self.ignore_rule!r} (expected one of {', '.join(RULES)})")

    @property
    def defaults_by(self) -> str | None:
        """The minor whose API server defaults the new side (``None``: no defaults)."""
        return self.control_plane_release.minor if self.defaults else None

    def old_toolchain(self, version: str, *, node: str | None = None) -> Toolchain:
        """The Go toolchain of a kubelet running ``version`` now (``old_go`` wins over the table)."""
        return toolchain(version, node=node, go_version=self.old_go)

    def for_hop(self, a: str, b: str, *, first: bool, last: bool) -> Options:
        """These options for one hop ``a -> b`` of a plan: the ``b`` control plane and kubelet, each with the
        gates of these options that minor has and does not lock (a gate an earlier or later minor lacks does not
        apply there); the Go overrides only at the ends of the path (``old_go`` before the first hop, ``new_go``
        after the last)."""
        rel = release(b)
        stages = dict(rel.feature_gates)

        def kept(gates: Mapping[str, bool]) -> dict[str, bool]:
            return {k: v for k, v in gates.items() if stages.get(k, "ga") != "ga"}

        return Options(
            to=b,
            from_version=a,
            control_plane=b,
            defaults=self.defaults,
            feature_gates=kept(self.feature_gates),
            kubelet_feature_gates=kept(self.kubelet_feature_gates),
            old_kubelet_feature_gates=self.old_kubelet_feature_gates,
            old_go=self.old_go if first else None,
            new_go=self.new_go if last else None,
            ignore_rule=self.ignore_rule,
            kubelet_started=self.kubelet_started,
        )
