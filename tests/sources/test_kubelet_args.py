"""Reading the kubelet's command line (plain, /proc cmdline, systemd units, env files) and config file."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.errors import KubehashError
from kubehash.kubelet.flags import is_bool_flag
from kubehash.sources.kubelet_args import (
    KubeletArgsError,
    KubeletFlag,
    Origin,
    load_kubelet_args,
    load_kubelet_configs,
    parse_cmdline_bytes,
    parse_command_line,
    parse_configz,
    parse_env_file,
    parse_kubelet_args,
    parse_kubelet_config,
    parse_systemd_unit,
    render_cmdline_bytes,
    render_command_line,
    render_systemd_unit,
    split_flags,
)

DATA = Path(__file__).parent.parent / "data" / "kubelet_args"


def _flags(args) -> dict[str, str | None]:
    return {f.name: f.value for f in args.flags}


def test_kubeadm_1_10_unit_and_dropin() -> None:
    args = load_kubelet_args([DATA / "kubeadm-1.10"], is_bool=is_bool_flag)[None]
    flags = _flags(args)
    assert flags["allow-privileged"] == "true"
    assert flags["cadvisor-port"] == "0"
    assert flags["network-plugin"] == "cni" and flags["cni-bin-dir"] == "/opt/cni/bin"
    assert args.positional == ()
    by_name = {f.name: f for f in args.flags}
    # a flag from an Environment= variable points at that line of the drop-in
    assert by_name["allow-privileged"].origin == Origin(str(DATA / "kubeadm-1.10" / "10-kubeadm.conf"), 4)
    assert by_name["cadvisor-port"].origin.line == 8


def test_kubeadm_1_23_env_files_are_resolved() -> None:
    d = DATA / "containerd-1.23"
    files = [d / "10-kubeadm.conf", d / "kubeadm-flags.env", d / "kubelet"]
    args = parse_kubelet_args([(str(f), f.read_bytes()) for f in files], is_bool=is_bool_flag)
    flags = _flags(args)
    assert flags["config"] == "/var/lib/kubelet/config.yaml"
    assert flags["container-runtime"] == "remote"
    assert flags["pod-infra-container-image"] == "k8s.gcr.io/pause:3.6"
    assert flags["node-ip"] == "10.0.3.17" and flags["logtostderr"] == "true" and flags["v"] == "2"
    origin = {f.name: f.origin for f in args.flags}
    assert origin["container-runtime"] == Origin(str(d / "kubeadm-flags.env"), 1)
    assert origin["node-ip"] == Origin(str(d / "kubelet"), 1)
    assert origin["config"].file.endswith("10-kubeadm.conf") and origin["config"].line == 4


def test_missing_environment_file_is_an_error_unless_optional() -> None:
    unit = "[Service]\nEnvironmentFile=/etc/kubelet.env\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n"
    with pytest.raises(KubeletArgsError, match=r"EnvironmentFile=/etc/kubelet\.env"):
        parse_systemd_unit(unit, origin="u.service")
    optional = unit.replace("EnvironmentFile=/", "EnvironmentFile=-/")
    assert parse_systemd_unit(optional, origin="u.service").flags == ()


def test_env_files_alone_give_the_kubeadm_variables() -> None:
    args = load_kubelet_args([DATA / "kubeadm-1.27" / "kubeadm-flags.env"], is_bool=is_bool_flag)[None]
    assert _flags(args) == {
        "container-runtime-endpoint": "unix:///var/run/containerd/containerd.sock",
        "pod-infra-container-image": "registry.k8s.io/pause:3.9",
    }


def test_proc_cmdline() -> None:
    data = (DATA / "kubeadm-1.27" / "cmdline").read_bytes()
    args = parse_cmdline_bytes(data, origin="cmdline")
    assert [f.name for f in args.flags] == [
        "bootstrap-kubeconfig",
        "kubeconfig",
        "config",
        "container-runtime-endpoint",
        "pod-infra-container-image",
    ]
    assert load_kubelet_args([DATA / "kubeadm-1.27" / "cmdline"])[None].flags == args.flags[:0] + tuple(
        KubeletFlag(f.name, f.value, f.written, Origin(str(DATA / "kubeadm-1.27" / "cmdline")), f.shorthand)
        for f in args.flags
    )


def test_per_node_layout(tmp_path: Path) -> None:
    for node, src in (("node-a", "kubeadm-1.10"), ("node-b", "containerd-1.23")):
        shutil.copytree(DATA / src, tmp_path / node)
    per_node = load_kubelet_args([tmp_path], is_bool=is_bool_flag)
    assert set(per_node) == {"node-a", "node-b"}
    assert per_node["node-a"].node == "node-a"
    assert "allow-privileged" in _flags(per_node["node-a"])
    assert "container-runtime" in _flags(per_node["node-b"])  # config.yaml was skipped, not read as a command line
    configs = load_kubelet_configs([tmp_path / "node-b" / "config.yaml"])
    assert configs[None][0].api_version == "kubelet.config.k8s.io/v1beta1"


def test_pflag_syntax() -> None:
    flags, positional = split_flags(
        ["--a=1", "--b", "2", "-v", "4", "-v5", "--fail-swap-on", "stray", "--x_y=z", "--c", "--", "--d"],
        Origin("t"),
        is_bool_flag,
    )
    assert [(f.name, f.value) for f in flags] == [
        ("a", "1"),
        ("b", "2"),
        ("v", "4"),
        ("v", "5"),
        ("fail-swap-on", None),
        ("x-y", "z"),
        ("c", None),
    ]
    assert positional == ["stray", "--d"]
    # a bool flag takes no separate value: "false" is a stray argument, as pflag reads it
    flags, positional = split_flags(["--fail-swap-on", "false"], Origin("t"), is_bool_flag)
    assert flags[0].value is None and positional == ["false"]


def test_program_name_and_continuations() -> None:
    args = parse_command_line("/usr/local/bin/kubelet \\\n  --node-ip=10.0.0.1 \\\n  --max-pods 110\n")
    assert _flags(args) == {"node-ip": "10.0.0.1", "max-pods": "110"}


def test_exec_start_reset_and_last_wins() -> None:
    unit = "[Service]\nExecStart=/usr/bin/kubelet --a=1\n"
    dropin = "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --b=2\n"
    args = parse_kubelet_args([("kubelet.service", unit), ("10-x.conf", dropin)])
    assert _flags(args) == {"b": "2"}
    with pytest.raises(KubeletArgsError, match="no ExecStart"):
        parse_kubelet_args([("kubelet.service", unit), ("10-x.conf", "[Service]\nExecStart=\n")])


def test_braced_variable_is_one_word() -> None:
    unit = '[Service]\nEnvironment="A=--x=1 --y=2"\nExecStart=/usr/bin/kubelet $A ${A}\n'
    flags = parse_systemd_unit(unit).flags
    assert [(f.name, f.value) for f in flags] == [("x", "1"), ("y", "2"), ("x", "1 --y=2")]


def test_env_file_syntax() -> None:
    env = parse_env_file("# c\nA=\"x y\"\nexport B=z\nC='q'\n", origin="e")
    assert env == {"A": ("x y", 2), "B": ("z", 3), "C": ("q", 4)}
    with pytest.raises(KubeletArgsError, match="e line 1"):
        parse_env_file("not an assignment\n", origin="e")


def test_kubelet_config_fields_and_errors() -> None:
    cfg = parse_kubelet_config((DATA / "containerd-1.23" / "config.yaml").read_text(), origin="config.yaml")
    assert cfg.kind == "KubeletConfiguration"
    assert "authentication.anonymous.enabled" in cfg.fields
    assert "evictionHard.memory.available" in cfg.fields
    assert "clusterDNS" in cfg.fields
    assert cfg.fields["cgroupDriver"] == 13
    assert cfg.feature_gates == {"DynamicKubeletConfig": False}
    json_cfg = parse_kubelet_config(
        '{"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",'
        ' "reservedMemory": [{"numaNode": 0}]}'
    )
    assert "reservedMemory[].numaNode" in json_cfg.fields
    for bad, msg in (
        ("- a\n", "mapping"),
        ("kind: Pod\n", "not KubeletConfiguration"),
        ("a: [\n", "not valid"),
        ("featureGates: [1]\n", "featureGates"),
    ):
        with pytest.raises(KubeletArgsError, match=msg):
            parse_kubelet_config(bad, origin="x")


# -- properties -------------------------------------------------------------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
VALUES = st.one_of(st.none(), st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12))


@st.composite
def flag_lists(draw) -> list[KubeletFlag]:
    out = []
    for name, value in draw(st.lists(st.tuples(NAMES, VALUES), max_size=8)):
        out.append(KubeletFlag(name, value, "", Origin("x")))
    return out


def _pairs(flags) -> list[tuple[str, str | None]]:
    return [(f.name, f.value) for f in flags]


@settings(max_examples=150, deadline=None)
@given(flag_lists())
def test_round_trip_command_line(flags: list[KubeletFlag]) -> None:
    assert _pairs(parse_command_line(render_command_line(flags)).flags) == _pairs(flags)


@settings(max_examples=150, deadline=None)
@given(flag_lists())
def test_round_trip_cmdline_bytes(flags: list[KubeletFlag]) -> None:
    assert _pairs(parse_cmdline_bytes(render_cmdline_bytes(flags)).flags) == _pairs(flags)


@settings(max_examples=150, deadline=None)
@given(flag_lists())
def test_round_trip_systemd_unit(flags: list[KubeletFlag]) -> None:
    text = render_systemd_unit(flags)
    assert _pairs(parse_systemd_unit(text).flags) == _pairs(flags)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_raise_kubehash_errors(data: bytes) -> None:
    with contextlib.suppress(KubehashError):
        parse_kubelet_args([("f", data)])
    with contextlib.suppress(KubehashError):
        parse_kubelet_config(data, origin="f")


UNIT_WORDS = ["EnvironmentFile=", "--", "KUBELET_EXTRA_ARGS"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"[]=$ {}\"'\\\n#;-abcxyzSE", "[Service]", "ExecStart=", "Environment=", *UNIT_WORDS]),
        max_size=60,
    ).map("".join)
)
def test_arbitrary_units_only_raise_kubehash_errors(text: str) -> None:
    with contextlib.suppress(KubehashError):
        parse_kubelet_args([("kubelet.service", text)])


def test_configz() -> None:
    cfg = parse_configz(
        b'{"kubeletconfig": {"staticPodPath": "/etc/kubernetes/manifests", '
        b'"authentication": {"anonymous": {"enabled": false}}, "featureGates": {"A": true}}}',
        node="n1",
    )
    assert cfg.api_version == "kubelet.config.k8s.io/v1beta1" and cfg.node == "n1"
    assert "authentication.anonymous.enabled" in cfg.fields and cfg.feature_gates == {"A": True}
    for bad in (b"nope", b"[]", b'{"kubeletconfig": 1}'):
        with pytest.raises(KubeletArgsError):
            parse_configz(bad)
