"""The data kubehash works on, as plain mappings plus small records: pods and their containers
(:mod:`~kubehash.model.pods`), and a node's kubelet command line and config (:mod:`~kubehash.model.kubelet_args`)."""

from kubehash.model.kubelet_args import KubeletArgs, KubeletConfigFile, KubeletFlag, Origin
from kubehash.model.pods import (
    MIRROR_ANNOTATION,
    NOT_OBJECTS,
    NOT_RUNNING_PHASES,
    ContainerRef,
    Document,
    Documents,
    NodeVersions,
    PodView,
    RuntimeRecord,
    container_source,
    is_bare_container,
    is_pod,
    iter_containers,
    iter_nodes,
    iter_pods,
    node_kubelet_versions,
    not_a_pod,
    pod_view,
)

__all__ = [
    "MIRROR_ANNOTATION",
    "NOT_OBJECTS",
    "NOT_RUNNING_PHASES",
    "ContainerRef",
    "Document",
    "Documents",
    "KubeletArgs",
    "KubeletConfigFile",
    "KubeletFlag",
    "NodeVersions",
    "Origin",
    "PodView",
    "RuntimeRecord",
    "container_source",
    "is_bare_container",
    "is_pod",
    "iter_containers",
    "iter_nodes",
    "iter_pods",
    "node_kubelet_versions",
    "not_a_pod",
    "pod_view",
]
