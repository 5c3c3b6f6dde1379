"""The kubelet each node runs now -- the old side of a prediction -- from the nodes' reported versions or
``Options.from_version``, with its Go toolchain (``docs/go-toolchains.md``). Nothing here reads files."""

from __future__ import annotations

from collections.abc import Mapping

from kubehash.errors import KubehashError
from kubehash.kubelet.releases import release
from kubehash.kubelet.toolchains import Toolchain, shown_version
from kubehash.model import Documents, NodeVersions, PodView
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict.outcome import OldKubelet

__all__ = ["OldKubelets", "node_versions"]


def node_versions(nodes: Documents | NodeVersions | None) -> dict[str, str]:
    """``{node: kubelet version}`` of Node documents, or of such a mapping given as is."""
    from kubehash.model import node_kubelet_versions

    if isinstance(nodes, Mapping) and "items" not in nodes and "kind" not in nodes and "metadata" not in nodes:
        return {str(k): str(v) for k, v in nodes.items()}
    return node_kubelet_versions(nodes) if nodes is not None else {}


class OldKubelets:
    """The kubelet a pod's node runs now, resolved once per version (or the error every container of the
    pod gets): the node's reported version, else ``options.from_version``."""

    def __init__(self, options: Options, nodes: Documents | NodeVersions | None) -> None:
        self.options = options
        self.node_versions = node_versions(nodes)
        #: The Go toolchain of each old version shown, as resolved.
        self.toolchains: dict[str, Toolchain] = {}
        self._old: dict[str, OldKubelet | str] = {}

    def of(self, view: PodView) -> OldKubelet | str:
        """The kubelet the pod's node runs now, or the error text every container of the pod gets."""
        node = view.node
        version = (self.node_versions.get(node) if node else None) or self.options.from_version
        if version is None:
            where = f"node {node}" if node else f"pod {view.namespace + '/' if view.namespace else ''}{view.name}"
            what = "its kubelet version is unknown" if node else "it is on no node and its kubelet version is unknown"
            return f"{where}: {what}: pass --nodes (or the live cluster) or --from"
        found = self._old.get(version)
        if found is None:
            found = self._resolve(version, node)
            self._old[version] = found
        return found

    def _resolve(self, version: str, node: str | None) -> OldKubelet | str:
        """The release row and toolchain of ``version`` (``node``'s, if any), or why it has none."""
        try:
            tc = self.options.old_toolchain(version, node=node)
            found = OldKubelet(release(version), shown_version(tc))
            self.toolchains.setdefault(found.version, tc)
        except KubehashError as e:
            return f"node {node}: {e}" if node and "node " not in str(e) else str(e)
        return found
