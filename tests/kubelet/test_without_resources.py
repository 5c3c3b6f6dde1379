"""hashWithoutResources (kubelet 1.27-1.30): fixed vectors derived from upstream, and properties."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import go_values

import kubehash
from kubehash.errors import DecodeError, KubehashError
from kubehash.golang.fnv import fnv1a_32
from kubehash.kubelet.schema import load_schema
from kubehash.kubelet.without_resources import hash_without_resources, hash_without_resources_input

MINORS = ["1.27", "1.28", "1.29", "1.30"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Upstream's vector (docs/kubernetes-facts.md#the-hash-by-era): this container hashes to 0x3c42280f in 1.16-1.30.
# It has no resources, so its JSON already carries "resources":{} and HashContainerWithoutResources gives the same
# value.
UPSTREAM = {
    "name": "test_container",
    "image": "foo/image:v1",
    "args": ["/bin/sh", "-c", "echo abc"],
    "ports": [{"containerPort": 8001}],
}


def _json(spewed: bytes) -> str:
    """The JSON text inside go-spew's ``([]uint8)[123 34 ...]``."""
    assert spewed.startswith(b"([]uint8)[") and spewed.endswith(b"]")
    return bytes(int(x) for x in spewed[len(b"([]uint8)[") : -1].split()).decode()


@pytest.mark.parametrize("minor", MINORS)
def test_upstream_vector_without_resources_is_the_plain_hash(minor: str) -> None:
    assert hash_without_resources(UPSTREAM, minor) == 0x3C42280F == kubehash.hash_container(UPSTREAM, minor)


@pytest.mark.parametrize("minor", MINORS)
@pytest.mark.parametrize("source", ["apiserver", "file"])
def test_resources_are_zeroed_to_an_empty_object(minor: str, source: str) -> None:
    c = dict(UPSTREAM, resources={"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "250m"}})
    assert kubehash.hash_container(c, minor, source=source) != 0x3C42280F
    assert hash_without_resources(c, minor, source=source) == 0x3C42280F
    text = _json(hash_without_resources_input(c, minor, source=source))
    assert text == (
        '{"name":"test_container","image":"foo/image:v1","args":["/bin/sh","-c","echo abc"],'
        '"ports":[{"containerPort":8001}],"resources":{}}'
    )


def test_resize_policy_is_kept() -> None:
    """Only Resources is zeroed: a defaulted resizePolicy still changes hashWithoutResources."""
    policy = [{"resourceName": "cpu", "restartPolicy": "NotRequired"}]
    c = dict(UPSTREAM, resources={"requests": {"cpu": "1"}}, resizePolicy=policy)
    text = _json(hash_without_resources_input(c, "1.28"))
    assert '"resources":{},"resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}]' in text
    assert hash_without_resources(c, "1.28") != 0x3C42280F


@pytest.mark.parametrize("minor", ["1.16", "1.26", "1.31", "1.36", "1.10"])
def test_minors_without_the_hash_are_refused(minor: str) -> None:
    with pytest.raises(KubehashError, match="no hashWithoutResources"):
        hash_without_resources(UPSTREAM, minor)


def test_undecodable_resources_are_an_error_naming_the_container() -> None:
    c = dict(UPSTREAM, resources={"limits": {"cpu": "lots"}})
    with pytest.raises(DecodeError) as e:
        hash_without_resources(c, "1.29")
    assert "test_container" in str(e.value) and "resources" in str(e.value)


@pytest.mark.parametrize("minor", MINORS)
@SETTINGS
@given(data=st.data())
def test_equals_the_plain_hash_of_the_container_without_resources(minor: str, data: st.DataObject) -> None:
    c: dict[str, Any] = data.draw(go_values(load_schema(minor).root))
    source = data.draw(st.sampled_from(["apiserver", "file"]))
    try:
        got = hash_without_resources_input(c, minor, source=source)
    except DecodeError:
        with pytest.raises(DecodeError):
            kubehash.hash_input(c, minor, source=source)  # the kubelet could not decode it either
        return
    stripped = {k: v for k, v in c.items() if k != "resources"}
    assert got == kubehash.hash_input(stripped, minor, source=source)
    assert fnv1a_32(got) == hash_without_resources(c, minor, source=source)
    assert '"resources":{}' in _json(got)
    # Any other resources give the same value; the same container without resources hashes alike.
    other = dict(c, resources={"limits": {"memory": "3Gi"}, "requests": {"cpu": "7"}})
    assert hash_without_resources_input(other, minor, source=source) == got
    if "resources" not in c:
        assert got == kubehash.hash_input(c, minor, source=source)


@SETTINGS
@given(requests=st.dictionaries(st.sampled_from(["cpu", "memory", "ephemeral-storage"]), st.sampled_from(["1", "2Gi"])))
def test_json_of_the_rest_is_the_plain_json(requests: dict[str, str]) -> None:
    c = dict(UPSTREAM, resources={"requests": requests})
    plain = json.loads(_json(kubehash.hash_input(c, "1.30")))
    without = json.loads(_json(hash_without_resources_input(c, "1.30")))
    assert without == dict(plain, resources={})
