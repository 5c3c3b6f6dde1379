"""Everything kubehash reads: the input side of ``predict``.

* :mod:`~kubehash.sources.documents` — ``kubectl get -o json|yaml`` dumps and manifests (JSON/YAML, stdin).
* :mod:`~kubehash.sources.cluster` — pods and nodes of a live cluster through the ``kubernetes`` client,
  as raw JSON (``LiveCluster``).
* :mod:`~kubehash.sources.runtime` — what the runtime recorded per container (hash, start time) from
  ``crictl inspect``, ``crictl ps -o json`` and ``docker inspect`` output (``load_runtime``).
* :mod:`~kubehash.sources.snapshot` — pods + nodes + runtime records in one msgpack file
  (``save_snapshot``, ``load_snapshot``, ``is_snapshot``, ``load_pods_or_snapshot``).
* :mod:`~kubehash.sources.gotime` — Go ``time.RFC3339Nano`` timestamps with nanoseconds.
* :mod:`~kubehash.sources.gcpause` — pausing the garbage collector while large documents are built.
"""
