"""Whether a node runs the kubelet release an audit or a watch expects (issue 19).

A node reports ``status.nodeInfo.kubeletVersion`` as its kubelet's ``version.Get()`` prints it, vendor build
suffix included (``v1.30.0-eks-036c24b``, ``v1.29.15+k3s1``): such a node runs release 1.30.0 all the same.
So versions are compared parsed (:func:`kubehash.kubelet.versions.parse_version`): same major, minor, patch
and pre-release (``-rc.1``) is the same release, whatever the vendor suffix; an expected bare minor
(``1.30``) matches every patch of it. Texts that do not parse are compared as strings, without a leading ``v``.
(The ignore file's version is another matter: the patched kubelet compares it as a string,
:func:`kubehash.upgrade.ignorefile.rules.same_version`.)
"""

from __future__ import annotations

from kubehash.errors import KubehashError
from kubehash.kubelet.versions import parse_version

__all__ = ["same_release"]


def same_release(reported: str, expected: str) -> bool:
    """Does a node reporting kubelet ``reported`` run the release ``expected`` names?"""
    try:
        a, b = parse_version(reported), parse_version(expected)
    except KubehashError:
        return reported.strip().removeprefix("v") == expected.strip().removeprefix("v")
    if (a.major, a.minor) != (b.major, b.minor):
        return False
    if a.patch is None or b.patch is None:
        return True
    return a.patch == b.patch and a.prerelease == b.prerelease
