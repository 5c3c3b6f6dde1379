"""The kubelet version parser: real cluster strings, round trips and 'nothing but KubehashError'."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubehash.errors import KubehashError, VersionError
from kubehash.kubelet.versions import MAX_LENGTH, KubeletVersion, minor_tuple, parse_version

# (reported or typed, minor_key, patch, prerelease, vendor, vendor_name)
REAL = [
    ("1.28", "1.28", None, None, None, None),
    ("v1.28", "1.28", None, None, None, None),
    ("1.28.15", "1.28", 15, None, None, None),
    ("v1.28.15", "1.28", 15, None, None, None),
    ("v1.28.15-eks-a737599", "1.28", 15, None, "eks-a737599", "EKS"),
    ("v1.28.15-gke.1020000", "1.28", 15, None, "gke.1020000", "GKE"),
    ("v1.29.15+k3s1", "1.29", 15, None, "k3s1", "k3s"),
    ("v1.29.15+rke2r1", "1.29", 15, None, "rke2r1", "RKE2"),
    ("v1.27.3-aliyun.1", "1.27", 3, None, "aliyun.1", "Alibaba Cloud ACK"),
    ("v1.26.1-tke.2", "1.26", 1, None, "tke.2", "Tencent TKE"),
    ("v1.28.100-akslts", "1.28", 100, None, "akslts", "AKS LTS"),
    ("v1.30.1+k0s", "1.30", 1, None, "k0s", "k0s"),
    ("v1.28.8+vmware.1", "1.28", 8, None, "vmware.1", "VMware"),
    ("v1.27.10+c79e5e2", "1.27", 10, None, "c79e5e2", None),  # OpenShift: + git commit
    ("v1.31.0-rc.1", "1.31", 0, "rc.1", None, None),
    ("v1.32.0-alpha.2", "1.32", 0, "alpha.2", None, None),
    ("v1.33.0-beta.0", "1.33", 0, "beta.0", None, None),
    ("v1.31.0-alpha.3.123+0123456789abcd", "1.31", 0, "alpha.3", "123+0123456789abcd", None),
    (" v1.30.4\n", "1.30", 4, None, None, None),
]


@pytest.mark.parametrize(("text", "minor", "patch", "pre", "vendor", "vendor_name"), REAL)
def test_real_strings(
    text: str, minor: str, patch: int | None, pre: str | None, vendor: str | None, vendor_name: str | None
) -> None:
    v = parse_version(text)
    assert (v.minor_key, v.patch, v.prerelease, v.vendor, v.vendor_name) == (minor, patch, pre, vendor, vendor_name)
    assert v.text == text.strip()
    assert v.is_bare_minor == (patch is None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v",
        "1",
        "v1.",
        "1.28.",
        "1.28.15.3",
        "1.28-eks",
        "v1.28.15-",
        "v1.28.15+",
        "v1.28.15-rc.1-",
        "1.28.15 extra",
        "v1.28.15-eks\x00",
        "1.\u0662\u0668.1",  # non-ASCII digits
        "1.28\t.15",
        "1." + "9" * 10_000,
        "v1.28.15-" + "a" * MAX_LENGTH,
    ],
)
def test_bad_strings(text: str) -> None:
    with pytest.raises(VersionError):
        parse_version(text)


@pytest.mark.parametrize("value", [None, 1.28, 128, b"1.28", ["1.28"], {"v": "1.28"}])
def test_non_strings(value: Any) -> None:
    with pytest.raises(VersionError, match="expected a string"):
        parse_version(value)


def test_error_names_the_node() -> None:
    with pytest.raises(VersionError, match=r"^node worker-3: not a kubelet version: 'banana'") as e:
        parse_version("banana", node="worker-3")
    assert e.value.node == "worker-3" and isinstance(e.value, KubehashError)


_NUM = st.integers(0, 999_999)
_PRE = st.one_of(st.none(), st.builds(lambda k, n: f"{k}.{n}", st.sampled_from(["alpha", "beta", "rc"]), _NUM))
_IDENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
_VENDOR = st.one_of(
    st.none(),
    st.builds(
        lambda sep, parts: sep + ".".join(parts), st.sampled_from(["-", "+"]), st.lists(_IDENT, min_size=1, max_size=3)
    ),
)


@st.composite
def versions(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    major, minor = draw(_NUM), draw(_NUM)
    prefix = draw(st.sampled_from(["", "v", "V"]))
    if draw(st.booleans()):
        return f"{prefix}{major}.{minor}", {"major": major, "minor": minor, "patch": None, "prerelease": None}
    patch, pre, vendor = draw(_NUM), draw(_PRE), draw(_VENDOR)
    suffix = (f"-{pre}" if pre else "") + (vendor or "")
    if pre is None and vendor is not None and vendor[0] == "-" and vendor[1:].split(".")[0] in ("alpha", "beta", "rc"):
        pre = vendor[1:].split(".")[0]  # a vendor token that spells a pre-release is one
        rest = vendor[1 + len(pre) :]
        if rest[:1] == "." and rest[1:].split(".")[0].isdigit():
            pre += "." + rest[1:].split(".")[0]
    text = f"{prefix}{major}.{minor}.{patch}{suffix}"
    return text, {"major": major, "minor": minor, "patch": patch, "prerelease": pre}


@given(versions())
def test_round_trip(case: tuple[str, dict[str, Any]]) -> None:
    text, fields = case
    v = parse_version(text)
    assert {k: getattr(v, k) for k in fields} == fields
    again = parse_version(v.canonical)
    assert (again.major, again.minor, again.patch, again.prerelease, again.vendor, again.suffix) == (
        v.major,
        v.minor,
        v.patch,
        v.prerelease,
        v.vendor,
        v.suffix,
    )
    assert again.canonical == v.canonical
    assert v.minor_key == f"{fields['major']}.{fields['minor']}"


@given(st.one_of(st.text(max_size=300), st.binary(max_size=50), st.integers(), st.floats(), st.none()))
def test_anything_else_is_a_kubehash_error(value: Any) -> None:
    try:
        v = parse_version(value)
    except KubehashError:
        return
    assert isinstance(v, KubeletVersion) and isinstance(value, str)


@given(st.lists(versions(), min_size=2, max_size=8))
def test_order_is_total_and_follows_release_order(cases: list[tuple[str, dict[str, Any]]]) -> None:
    vs = [parse_version(t) for t, _ in cases]
    ordered = sorted(vs)
    for a, b in itertools.pairwise(ordered):
        assert a <= b and not b < a
        ka = (a.major, a.minor, -1 if a.patch is None else a.patch)
        kb = (b.major, b.minor, -1 if b.patch is None else b.patch)
        assert ka <= kb
        if ka == kb and (a.prerelease is None) != (b.prerelease is None):
            assert a.prerelease is not None  # a pre-release sorts before its release
    for a in vs:
        for b in vs:
            assert (a == b) == (not a < b and not b < a)


def test_release_order_examples() -> None:
    order = ["1.28", "v1.28.0-alpha.1", "v1.28.0-rc.0", "v1.28.0", "v1.28.9", "v1.28.10", "v1.29.0"]
    assert sorted(parse_version(t) for t in reversed(order)) == [parse_version(t) for t in order]


@given(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999), st.integers(0, 999))
def test_minor_tuple_orders_minors_as_parse_version_does(a: int, b: int, c: int, d: int) -> None:
    x, y = f"{a}.{b}", f"{c}.{d}"
    assert minor_tuple(x) == (a, b)
    assert (minor_tuple(x) < minor_tuple(y)) == (parse_version(x) < parse_version(y))
    assert minor_tuple(parse_version(x).minor_key) == (a, b)
