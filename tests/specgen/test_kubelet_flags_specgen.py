"""The kubelet flag / KubeletConfiguration generator: Go reading on hand-written fixtures, the derivation of
the life table, and that the shipped spec files and docs page agree with what the generator derives."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.specgen.goflags import read_flags
from kubehash.specgen.kubelet_flags import (
    config_fields,
    derive_config,
    derive_flags,
    flag_replacement,
    minor_key,
    read_minor_flags,
    render_markdown,
)

DATA = Path(__file__).parent.parent / "data" / "specgen" / "kubelet"
ROOT = Path(__file__).parent.parent.parent


def _by_name(path: str, calls: tuple[str, ...] = ()) -> dict[str, object]:
    return {d.name: d for d in read_flags((DATA / path).read_text(), path, calls)}


def test_options_registrations_and_deprecations() -> None:
    flags = _by_name("options.go")
    assert "commented-out" not in flags  # comments are not code
    assert not any(n.startswith("computed-") for n in flags)  # unresolvable names are skipped
    assert flags["allow-privileged"].deprecated == "will be removed in a future version"
    assert flags["allow-privileged"].boolean and not flags["config"].boolean
    assert flags["really-hidden"].hidden
    assert flags["hostname-override"].deprecated is None
    # the VisitAll closure deprecates every flag of AddKubeletConfigFlags except the exemptions
    generic = "This parameter should be set via the config file specified by the Kubelet's --config flag."
    for name in ("anonymous-auth", "sync-frequency", "eviction-hard", "authorization-mode", "feature-gates"):
        assert flags[name].deprecated == generic, name
    assert flags["v"].deprecated is None and flags["vmodule"].deprecated is None
    assert flags["v"].shorthand == "v"
    # the config field each flag writes (Duration unwrapped, conversions looked through)
    assert flags["anonymous-auth"].go_field == "Authentication.Anonymous.Enabled"
    assert flags["sync-frequency"].go_field == "SyncFrequency"
    assert flags["eviction-hard"].go_field == "EvictionHard"
    assert flags["authorization-mode"].go_field == "Authorization.Mode"
    assert flags["root-dir"].go_field is None  # a KubeletFlags field, not a config field


def test_global_register_helpers_normalise_and_deprecate() -> None:
    flags = _by_name("globalflags.go")
    assert set(flags) == {"housekeeping-interval", "docker-root", "azure-container-registry-config"}
    assert flags["docker-root"].deprecated.startswith("This is a cadvisor flag")
    assert flags["housekeeping-interval"].deprecated is None


def test_klog_and_helper_calls() -> None:
    assert "version" not in _by_name("klog.go")
    flags = _by_name("klog.go", ("Version",))
    assert {"log_dir", "logtostderr", "v", "log_backtrace_at", "version"} <= set(flags)
    assert flags["logtostderr"].boolean


def test_line_numbers_point_at_the_registration() -> None:
    text = (DATA / "options.go").read_text().split("\n")
    for d in read_flags("\n".join(text), "options.go"):
        assert f'"{d.name}"' in text[d.line - 1] or d.name == "feature-gates", d


GO_WORDS = [
    "register(",
    "func f(c *KubeletConfiguration) {",
    "VisitAll(func(f *pflag.Flag)",
    ".Deprecated = ",
    "const d = ",
    "map[string]bool{",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*'fs.(&c.X, "a-b", `x`, "y")\n/*{}+, :=\\', "BoolVar(", "VarP(", "MarkDeprecated(", *GO_WORDS]
        ),
        max_size=80,
    ).map("".join)
)
def test_read_flags_never_raises_on_noise(text: str) -> None:
    """Noise reads as no flags or some flags; only an unterminated literal / comment is an error."""
    try:
        decls = read_flags(text, "noise.go", ("Version",))
    except ValueError as e:
        assert "unterminated" in str(e)
        return
    for d in decls:
        assert d.name and d.line >= 1


def test_config_fields_walk_nested_structs() -> None:
    fields = config_fields((DATA / "types.go").read_text())
    assert "apiVersion" not in fields and "kind" not in fields  # TypeMeta is not a field of its own
    assert "authentication.anonymous.enabled" in fields
    assert "reservedMemory[].numaNode" in fields
    assert "evictionHard" in fields and not any(p.startswith("evictionHard.") for p in fields)
    assert fields["oldKnob"]["deprecated"].startswith("Deprecated")
    assert "Internal" not in fields and "-" not in fields


def test_read_minor_flags_applies_the_manifest(tmp_path: Path) -> None:
    minor = tmp_path / "1.20"
    (minor / "a").mkdir(parents=True)
    (minor / "a" / "options.go").write_text((DATA / "options.go").read_text())
    (minor / "a" / "klog.go").write_text((DATA / "klog.go").read_text())
    (minor / "a" / "globalflags.go").write_text((DATA / "globalflags.go").read_text())
    source = {
        "files": [
            {"path": "a/options.go", "only": ["config", "allow-privileged"]},
            {
                "path": "a/klog.go",
                "except": ["v"],
                "deprecated_by": {"path": "a/globalflags.go", "const": "deprecated"},
            },
            {"path": "a/globalflags.go", "os": "linux", "functions": ["addCadvisorFlags"]},
        ]
    }
    flags, files = read_minor_flags(tmp_path, "1.20", source)
    assert set(flags) == {
        "config",
        "allow-privileged",
        "log-dir",
        "logtostderr",
        "log-backtrace-at",
        "housekeeping-interval",
        "docker-root",
        "azure-container-registry-config",
    }
    assert flags["log-dir"]["deprecated"].startswith("This is a cadvisor flag")
    assert flags["docker-root"]["os"] == "linux"
    assert all(len(f["sha256"]) == 64 for f in files)


MINORS = [f"1.{n}" for n in range(8, 20)]


def test_derive_pins_changes_with_events_and_keeps_ranges_otherwise() -> None:
    raw = {
        "1.8": {"a": {}, "b": {}, "c": {}},
        "1.10": {"a": {"deprecated": "use --x instead"}, "b": {}, "c": {}, "d": {}},
        "1.14": {"a": {"deprecated": "use --x instead"}, "d": {}},
    }
    events = [
        {"flag": "b", "change": "removed", "minor": "1.12", "source": {"ref": "PR #1"}},
        {"flag": "d", "change": "removed", "minor": "1.17", "source": {"ref": "PR #2"}},
    ]
    table = derive_flags(MINORS, raw, events)
    # 1.9 was not read: the deprecation lies in 1.9-1.10
    assert table["a"]["deprecated"] == "1.10" and not table["a"]["deprecated_exact"]
    assert table["a"]["deprecated_range"] == ["1.9", "1.10"]
    assert table["a"]["replacement"] == "--x"
    assert table["b"]["removed"] == "1.12" and table["b"]["removed_exact"]
    assert table["b"]["event_sources"] == [{"ref": "PR #1"}]
    assert table["c"]["removed"] == "1.14" and not table["c"]["removed_exact"]
    assert table["c"]["removed_range"] == ["1.11", "1.14"]
    assert table["d"]["introduced_range"] == ["1.9", "1.10"] and not table["d"]["introduced_exact"]
    assert table["d"]["removed"] == "1.17"  # after the last read minor, only an event removes a flag
    # an event outside the gap it would pin is ignored
    t2 = derive_flags(MINORS, raw, [{"flag": "c", "change": "removed", "minor": "1.9", "source": {}}])
    assert not t2["c"]["removed_exact"]


def test_flag_replacement() -> None:
    assert flag_replacement("This flag is deprecated ... please use --fail-swap-on instead.") == "--fail-swap-on"
    assert flag_replacement("Use --kubeconfig instead. Will be removed in a future version.") == "--kubeconfig"
    assert flag_replacement("will be removed in a future version") is None
    assert flag_replacement(None) is None


# -- the shipped data -------------------------------------------------------------------------------------


def _spec(name: str) -> dict[str, object]:
    return json.loads(resources.files("kubehash.specs").joinpath(name).read_text(encoding="utf-8"))


def test_flags_table_agrees_with_the_raw_lists() -> None:
    spec = _spec("kubelet-flags.json")
    assert derive_flags(spec["minors"], spec["raw"], spec["events"]) == spec["flags"]


def test_config_table_agrees_with_the_raw_lists() -> None:
    spec = _spec("kubelet-config.json")
    assert derive_config(spec["minors"], spec["raw"], spec["events"]) == spec["fields"]


def test_every_raw_row_names_its_source() -> None:
    spec = _spec("kubelet-flags.json")
    for minor, flags in spec["raw"].items():
        source = spec["sources"][minor]
        paths = {f["path"] for f in source["files"]}
        assert source["upstream"]["repo"] == "kubernetes/kubernetes" and source["upstream"]["tag"]
        assert len(source["read_from"]["commit"]) == 40
        assert all(len(f["sha256"]) == 64 for f in source["files"])
        for name, row in flags.items():
            assert row["file"] in paths, (minor, name)
            assert row["line"] >= 1
    for event in spec["events"]:
        assert event["source"].get("ref") or event["source"].get("commit") or event["source"].get("evidence"), event
    cfg = _spec("kubelet-config.json")
    for minor, src in cfg["sources"].items():
        assert src["upstream"]["tag"] and len(src["sha256"]) == 64, minor


def test_spec_minors_are_the_release_table() -> None:
    from kubehash.kubelet.releases import RELEASES

    spec = _spec("kubelet-flags.json")
    assert spec["minors"] == [r.minor for r in RELEASES]
    assert sorted(spec["raw"], key=minor_key) == list(spec["raw"])


def test_docs_page_is_up_to_date() -> None:
    page = (ROOT / "docs" / "kubelet-flags.md").read_text(encoding="utf-8")
    assert render_markdown(_spec("kubelet-flags.json"), _spec("kubelet-config.json"), page) == page


@pytest.mark.parametrize(
    "flag", ["allow-privileged", "cadvisor-port", "network-plugin", "container-runtime", "log-dir"]
)
def test_well_known_removals_are_in_the_table(flag: str) -> None:
    row = _spec("kubelet-flags.json")["flags"][flag]
    assert row["removed_exact"], row
