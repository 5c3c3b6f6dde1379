"""The upstream test vectors quoted in docs/kubernetes-facts.md#the-hash-by-era (from kubelet's own unit tests)."""

from __future__ import annotations

import pytest

import kubehash

UPSTREAM = {
    "name": "test_container",
    "image": "foo/image:v1",
    "args": ["/bin/sh", "-c", "echo abc"],
    "ports": [{"containerPort": 8001}],
}


@pytest.mark.parametrize("minor", [f"1.{n}" for n in range(16, 31)])
def test_json_era_vector(minor: str) -> None:
    assert kubehash.hash_container(UPSTREAM, minor) == 0x3C42280F
    assert kubehash.hash_container(UPSTREAM, minor, source="file") == 0x3C42280F


@pytest.mark.parametrize("minor", [f"1.{n}" for n in range(31, 37)])
def test_name_image_era_vector(minor: str) -> None:
    assert kubehash.hash_container(UPSTREAM, minor) == 0x8E45CBD0


def test_consistent_hash_sample(golden_110: dict) -> None:
    container = golden_110["upstream-consistent-hash"]["container"]
    for minor in ("1.16", "1.20", "1.30"):
        assert kubehash.hash_container(container, minor) == 0x311670A


def test_name_image_input_is_sorted_json_bytes() -> None:
    data = kubehash.hash_input(UPSTREAM, "1.31")
    text = bytes(int(b) for b in data[len(b"([]uint8)[") : -1].split(b" ")).decode()
    assert text == '{"image":"foo/image:v1","name":"test_container"}'


@pytest.mark.parametrize("version", ["1.10", "v1.10.13", "1.10.0", "v1.10.13-gke.1"])
def test_version_spellings(version: str) -> None:
    assert kubehash.hash_container(UPSTREAM, version) == kubehash.hash_container(UPSTREAM, "1.10")


@pytest.mark.parametrize("version", ["1.7", "2.0", "banana", "", "1"])
def test_unsupported_versions_list_supported(version: str) -> None:
    with pytest.raises(kubehash.UnsupportedVersionError) as exc:
        kubehash.hash_container(UPSTREAM, version)
    assert "1.10" in str(exc.value) and "1.17" in str(exc.value)


def test_unknown_source_is_a_kubehash_error() -> None:
    with pytest.raises(kubehash.KubehashError):
        kubehash.hash_container(UPSTREAM, "1.17", source="etcd")


def test_runtime_hex_has_no_padding() -> None:
    assert kubehash.runtime_hex(0x311670A) == "311670a"


def test_readme_example_numbers() -> None:
    c = {"name": "web", "image": "nginx:1.14.2", "resources": {"limits": {"cpu": "500m"}}}
    assert kubehash.hash_container(c, "1.10") == 3238503333
    assert kubehash.hash_container(c, "v1.17.0") == 1651214964
    assert kubehash.hash_container(c, "1.10", source="file") == 3238503333
    assert kubehash.runtime_hex(3238503333) == "c107a3a5"


def test_decode_error_names_container_field_and_value() -> None:
    with pytest.raises(kubehash.DecodeError) as exc:
        kubehash.hash_container({"name": "web", "image": "i", "resources": {"limits": {"cpu": "1Gb"}}}, "1.17")
    e = exc.value
    assert (e.container, e.field_path, e.value) == ("web", "$.resources.limits.cpu", "1Gb")
    assert "container web: $.resources.limits.cpu" in str(e) and "'1Gb'" in str(e)
