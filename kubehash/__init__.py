"""kubehash: bit-exact kubelet container hashes, and what an in-place kubelet upgrade restarts.

One door per job::

    kubehash.hash_container(container, "1.17") -> int                 # the hash a kubelet records
    kubehash.hash_input(container, "v1.10.13") -> bytes               # exactly what it feeds to FNV-1a
    kubehash.predict(pods, kubehash.Options(to="1.17"), nodes=nodes)   # pods in memory -> Prediction
    kubehash.predict_cluster(kubehash.Cluster(pods="pods.json", nodes="nodes.json"), options)  # files or live
    kubehash.predict_cluster(kubehash.Cluster(manifests=("k8s/",)), options)  # manifests, before deploying
    kubehash.explain(container, "1.13", "1.14") -> Explanation        # why a hash changes
    kubehash.plan(pods, options, nodes=nodes) -> UpgradePlan           # the hops the skew policy allows
    kubehash.preflight(pods, nodes, options) -> PreflightReport        # evictions, node selectors, kubelet flags
    kubehash.to_dataframe(result) -> pandas.DataFrame                  # any result's rows (the analysis extra)

Every error kubehash raises is a :class:`KubehashError` (:mod:`kubehash.errors`).
"""

import importlib.metadata
from typing import TYPE_CHECKING

from kubehash.errors import (
    ClusterError,
    DecodeError,
    FeatureGateError,
    FieldError,
    IgnoreFileError,
    InputError,
    KubehashError,
    ObjectError,
    OutputError,
    UnsupportedVersionError,
    VersionError,
    WriteError,
)
from kubehash.golang.fnv import runtime_hex
from kubehash.kubelet.defaults import Applied, Defaulted, apply_defaults
from kubehash.kubelet.hashcache import HashCache
from kubehash.kubelet.hashing import SOURCES, HashPlan, hash_container, hash_input, plan_for
from kubehash.kubelet.releases import RELEASES, supported_minors
from kubehash.kubelet.versions import KubeletVersion, parse_version
from kubehash.pipeline.cluster import Cluster, predict_cluster, read_cluster
from kubehash.upgrade.explain import Explanation, Reason, explain
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import UpgradePlan, plan
from kubehash.upgrade.predict import ContainerPrediction, Prediction, predict
from kubehash.upgrade.preflight import PreflightReport, preflight

if TYPE_CHECKING:
    from kubehash.report.output import to_dataframe

__version__ = importlib.metadata.version("kubehash")

__all__ = [
    "RELEASES",
    "SOURCES",
    "Applied",
    "Cluster",
    "ClusterError",
    "ContainerPrediction",
    "DecodeError",
    "Defaulted",
    "Explanation",
    "FeatureGateError",
    "FieldError",
    "HashCache",
    "HashPlan",
    "IgnoreFileError",
    "InputError",
    "KubehashError",
    "KubeletVersion",
    "ObjectError",
    "Options",
    "OutputError",
    "Prediction",
    "PreflightReport",
    "Reason",
    "UnsupportedVersionError",
    "UpgradePlan",
    "VersionError",
    "WriteError",
    "__version__",
    "apply_defaults",
    "explain",
    "hash_container",
    "hash_input",
    "parse_version",
    "plan",
    "plan_for",
    "predict",
    "predict_cluster",
    "preflight",
    "read_cluster",
    "runtime_hex",
    "supported_minors",
    "to_dataframe",
]

#: Exported names imported on first use: the writers (and, when called, pandas) stay out of ``import kubehash``.
_LAZY = {"to_dataframe": "kubehash.report.output"}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'kubehash' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
