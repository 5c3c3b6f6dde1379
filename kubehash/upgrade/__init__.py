"""The upgrade question: why hashes change between kubelet versions (``explain``), which running containers
an upgrade restarts (``predict``), and the version-cache ignore file a patched kubelet reads (``ignorefile``:
model and decision; ``ignorefile_io``: the on-disk layout; ``ignorefile_deploy``: script and DaemonSet;
``ignorecheck``: validation, dangers, safe to delete)."""
