"""kubehash: bit-exact kubelet container hashes, and what an in-place kubelet upgrade restarts.

The main entry points::

    kubehash.hash_container(container, "1.17", source="apiserver") -> int
    kubehash.hash_input(container, "v1.10.13") -> bytes   # exactly what is fed to FNV-1a
    kubehash.apply_defaults(pod, "1.27", feature_gates={...}) -> Defaulted  # the API server's defaults
"""

from kubehash.errors import DecodeError, KubehashError, UnsupportedVersionError
from kubehash.golang.fnv import runtime_hex
from kubehash.kubelet.defaults import Applied, Defaulted, apply_defaults
from kubehash.kubelet.hashing import SOURCES, hash_container, hash_input
from kubehash.kubelet.releases import RELEASES, supported_minors

__version__ = "0.1.0"

__all__ = [
    "RELEASES",
    "SOURCES",
    "Applied",
    "DecodeError",
    "Defaulted",
    "KubehashError",
    "UnsupportedVersionError",
    "__version__",
    "apply_defaults",
    "hash_container",
    "hash_input",
    "runtime_hex",
    "supported_minors",
]
