"""The kubelet/kube-apiserver version skew policy (n-2; n-3 for kubelets from 1.25 with 1.28+ control planes)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kubehash.kubelet.releases import RELEASES
from kubehash.upgrade.plan.skew import allowed_targets, hop_allowed, max_kubelet_skew, minor_range

MINORS = [r.minor for r in RELEASES]


def test_documented_examples():
    assert hop_allowed("1.10", "1.12") == (True, "")
    ok, why = hop_allowed("1.10", "1.13")
    assert not ok and "skew of 3 minors (the policy allows 2)" in why
    assert hop_allowed("1.24", "1.27")[0] is False  # kubelet < 1.25: still n-2 under a 1.27 apiserver
    assert hop_allowed("1.25", "1.28")[0] is True  # KEP-3935: 1.28 control planes support 1.25 kubelets
    assert hop_allowed("1.33", "1.36")[0] is True
    assert hop_allowed("1.12", "1.12")[0] is False
    assert hop_allowed("1.12", "1.11")[0] is False
    assert max_kubelet_skew("v1.24.17") == 2 and max_kubelet_skew("1.25") == 3


def test_ranges():
    assert minor_range("1.10", "1.13") == ["1.10", "1.11", "1.12", "1.13"]
    assert allowed_targets("1.10", "1.17") == ["1.11", "1.12"]
    assert allowed_targets("1.16", "1.17") == ["1.17"]
    assert allowed_targets("1.26", "1.36") == ["1.27", "1.28", "1.29"]


@given(st.sampled_from(MINORS), st.sampled_from(MINORS))
def test_hop_allowed_is_the_policy(a: str, b: str):
    na, nb = int(a.split(".")[1]), int(b.split(".")[1])
    limit = 3 if na >= 25 else 2
    ok, why = hop_allowed(a, b)
    assert ok == (0 < nb - na <= limit)
    assert (why == "") == ok
    # the skew the policy allows never shrinks as versions grow (what makes greedy longest hops optimal)
    assert na > nb or max_kubelet_skew(a) <= max_kubelet_skew(b)


@given(st.sampled_from(MINORS[:-1]), st.sampled_from(MINORS))
def test_allowed_targets_never_pass_the_target(a: str, to: str):
    targets = allowed_targets(a, to)
    assert all(hop_allowed(a, t)[0] for t in targets)
    assert all(int(t.split(".")[1]) <= int(to.split(".")[1]) for t in targets)
    if int(to.split(".")[1]) > int(a.split(".")[1]):
        assert targets and targets[0] == MINORS[MINORS.index(a) + 1]
