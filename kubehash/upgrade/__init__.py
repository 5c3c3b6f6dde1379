"""The upgrade question: why hashes change between kubelet versions (``explain``), and (later) restart
prediction, the version-cache ignore file and other preflight risks."""
