"""kubehash: bit-exact kubelet container hashes, and what an in-place kubelet upgrade restarts.

The main entry points::

    kubehash.hash_container(container, "1.17", source="apiserver") -> int
    kubehash.hash_input(container, "v1.10.13") -> bytes   # exactly what is fed to FNV-1a
    kubehash.apply_defaults(pod, "1.27", feature_gates={...}) -> Defaulted  # the API server's defaults
    kubehash.predict(pods, nodes=nodes, to="1.17", runtime=records) -> Prediction  # what an upgrade restarts
    kubehash.explain(container, "1.13", "1.14") -> Explanation  # why a hash changes
    kubehash.preflight(pods, nodes, to="1.13") -> PreflightReport  # tolerations, node selectors
"""

import importlib.metadata

from kubehash.errors import DecodeError, KubehashError, UnsupportedVersionError
from kubehash.golang.fnv import runtime_hex
from kubehash.kubelet.defaults import Applied, Defaulted, apply_defaults
from kubehash.kubelet.hashcache import HashCache
from kubehash.kubelet.hashing import SOURCES, hash_container, hash_input
from kubehash.kubelet.releases import RELEASES, supported_minors
from kubehash.upgrade.explain import Explanation, explain
from kubehash.upgrade.predict import ContainerPrediction, Prediction, predict
from kubehash.upgrade.preflight.checks import PreflightReport, preflight

__version__ = importlib.metadata.version("kubehash")

__all__ = [
    "RELEASES",
    "SOURCES",
    "Applied",
    "ContainerPrediction",
    "DecodeError",
    "Defaulted",
    "Explanation",
    "HashCache",
    "KubehashError",
    "Prediction",
    "PreflightReport",
    "UnsupportedVersionError",
    "__version__",
    "apply_defaults",
    "explain",
    "hash_container",
    "hash_input",
    "predict",
    "preflight",
    "runtime_hex",
    "supported_minors",
]
