"""Generate ``specs/<minor>.json``: the Go struct closure of ``v1.Container`` for one Kubernetes minor,
read from ``core/v1/types.go`` of a ``k8s.io/api`` checkout at a release tag.

Regenerate one minor (newest patch tag of the minor is picked automatically)::

    python -m kubehash.specgen --api-git /path/to/kubernetes/api --minor 1.17 --out specs/

or every minor in the release table with ``--all``.
"""

from kubehash.specgen.closure import build_spec
from kubehash.specgen.goparse import GoDecl, GoField, parse_go_types

__all__ = ["GoDecl", "GoField", "build_spec", "parse_go_types"]
