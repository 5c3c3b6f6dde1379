"""The kubelet flag / config-field tables (kubehash.kubelet.flags)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.errors import UnsupportedVersionError
from kubehash.kubelet.flags import (
    config_api_versions,
    config_field_status,
    flag_info,
    flag_names,
    flag_status,
    flags_of,
    flags_removed_between,
    is_bool_flag,
    normalize_flag_name,
    read_minors,
)
from kubehash.kubelet.releases import RELEASES

MINORS = [r.minor for r in RELEASES]
V1BETA1 = "kubelet.config.k8s.io/v1beta1"


def test_normalize() -> None:
    assert normalize_flag_name("--log_dir") == "log-dir"
    assert normalize_flag_name("-v") == "v"


@pytest.mark.parametrize(
    ("flag", "minor", "state"),
    [
        ("allow-privileged", "1.14", "deprecated"),
        ("allow-privileged", "1.15", "removed"),  # CHANGELOG-1.15: ACTION REQUIRED, removed
        ("cadvisor-port", "1.11", "deprecated"),
        ("cadvisor-port", "1.12", "removed"),
        ("network-plugin", "1.23", "deprecated"),
        ("network-plugin", "1.24", "removed"),  # dockershim removal
        ("container-runtime", "1.26", "deprecated"),
        ("container-runtime", "1.27", "removed"),
        ("log-dir", "1.25", "deprecated"),
        ("log-dir", "1.26", "removed"),  # KEP-2845
        ("v", "1.36", "present"),
        ("--help", "1.8", "present"),
        ("config", "1.9", "not-yet"),
        ("config", "1.10", "present"),
        ("no-such-flag", "1.20", "unknown"),
    ],
)
def test_flag_status(flag: str, minor: str, state: str) -> None:
    assert flag_status(flag, minor).state == state


def test_version_strings_and_unsupported() -> None:
    assert flag_status("allow-privileged", "v1.17.3").minor == "1.17"
    with pytest.raises(UnsupportedVersionError):
        flag_status("allow-privileged", "1.99")


def test_replacements() -> None:
    assert flag_info("eviction-hard").config_field == "evictionHard"
    assert flag_info("anonymous-auth").config_field == "authentication.anonymous.enabled"
    assert flag_info("experimental-fail-swap-on").config_field == "failSwapOn"
    assert flag_info("experimental-bootstrap-kubeconfig").replacement == "--bootstrap-kubeconfig"


def test_bool_flags() -> None:
    assert is_bool_flag("fail-swap-on") is True
    assert is_bool_flag("node-ip") is False
    assert is_bool_flag("version") is True  # --version takes an optional value
    assert is_bool_flag("not-a-flag") is None


def test_read_minors_are_a_subset() -> None:
    assert set(read_minors()) <= set(MINORS) and "1.17" in read_minors()


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(MINORS), st.sampled_from(MINORS))
def test_removed_between_agrees_with_status(a: str, b: str) -> None:
    removed = {f.name for f in flags_removed_between(a, b)}
    for name in flags_of(a):
        assert (name in removed) == (flag_status(name, b).state in ("removed", "maybe-removed"))


def test_every_flag_has_a_status_everywhere() -> None:
    for name in flag_names():
        for m in MINORS:
            assert flag_status(name, m).state in (
                "present",
                "deprecated",
                "removed",
                "maybe-removed",
                "not-yet",
                "maybe-not-yet",
            )


def test_config_fields() -> None:
    assert config_api_versions("1.20") == [V1BETA1]
    assert config_api_versions("1.9") == ["kubeletconfig/v1alpha1"]
    assert config_field_status(V1BETA1, "authentication.anonymous.enabled", "1.20").state == "present"
    st_map = config_field_status(V1BETA1, "evictionHard.memory.available", "1.20")
    assert st_map.state == "present" and st_map.known_prefix == "evictionHard"
    assert config_field_status(V1BETA1, "authentication.nosuch", "1.20").state == "unknown"
    assert config_field_status(V1BETA1, "nosuch", "1.20").state == "unknown"
    assert config_field_status(V1BETA1, "reservedMemory[].numaNode", "1.22").state == "present"
