"""The upgrade question, computed and never read from or written to disk. One subpackage per question:

* :mod:`~kubehash.upgrade.predict` -- which running containers an in-place kubelet upgrade restarts, and why;
* :mod:`~kubehash.upgrade.explain` -- why a container's hash differs between two kubelet versions;
* :mod:`~kubehash.upgrade.ignorefile` -- the version-cache ignore file a patched kubelet reads: its rules, and
  checking a set of files against a cluster;
* :mod:`~kubehash.upgrade.preflight` -- the upgrade's other risks (taint-based evictions, node selectors);
* :mod:`~kubehash.upgrade.plan` -- the hops the version skew policy allows and what each restarts.

Every run's settings come in one :class:`~kubehash.upgrade.options.Options`.
"""
