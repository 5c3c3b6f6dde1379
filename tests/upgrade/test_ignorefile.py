"""The ignore file model and the patched kubelet's decision (kubehash.upgrade.ignorefile.rules)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.upgrade.ignorefile.rules import (
    UNSET_VERSION,
    IgnoreFile,
    IgnoreFileError,
    decide,
    format_ignore_file,
    kubelet_reads,
    kubelet_start,
    parse_ignore_file,
    parse_version,
    skips_check,
    unix_seconds,
)

DATA = Path(__file__).parents[1] / "data"

T0 = datetime(2019, 3, 1, 12, 0, 0, tzinfo=timezone.utc)

versions = st.builds(
    lambda ma, mi, pa, pre, build: f"v{ma}.{mi}.{pa}{pre}{build}",
    st.integers(0, 40),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from(["", "-beta.1", "-rc.0", "-eks-1"]),
    st.sampled_from(["", "+k3s1"]),
)
timestamps = st.integers(0, 2**63 - 1)


def test_the_documented_example():
    f = parse_ignore_file("v1.10.13,1519789122", origin="x")
    assert f == IgnoreFile("v1.10.13", 1519789122)
    assert f.time == datetime(2018, 2, 28, 3, 38, 42, tzinfo=timezone.utc)
    assert format_ignore_file(f) == "v1.10.13,1519789122"


def test_spaces_anywhere_and_one_trailing_newline_are_accepted():
    assert parse_ignore_file(" v1.10 .13 , 1519789122 \n") == IgnoreFile("v1.10.13", 1519789122)
    assert parse_ignore_file("v1.10.13,1519789122\r\n").timestamp == 1519789122
    # the kubelet fails to parse the time with the newline, logs it, and still protects
    r = kubelet_reads("v1.10.13,1519789122\n")
    assert r.active and r.history_version == "v1.10.13" and r.time_error


@pytest.mark.parametrize("case", json.loads((DATA / "ignorefile" / "bad_contents.json").read_text()))
def test_bad_contents_name_the_file_and_say_what_the_kubelet_does(case):
    with pytest.raises(IgnoreFileError) as e:
        parse_ignore_file(case["text"], origin="node-a:/tmp/cache.version.save")
    assert e.value.kind == case["kind"]
    msg = str(e.value)
    assert msg.startswith("node-a:/tmp/cache.version.save: ")
    assert ("still treats it as active" in msg) == case["kubelet_active"]
    assert kubelet_reads(case["text"]).active == case["kubelet_active"]


@given(versions, timestamps, st.lists(st.integers(0, 30), max_size=4))
def test_format_parse_round_trip_even_with_spaces(version, t, spaces):
    f = IgnoreFile(version, t)
    text = format_ignore_file(f)
    assert parse_ignore_file(text) == f
    for pos in spaces:  # the kubelet strips ASCII spaces anywhere; so do we
        text = text[: pos % (len(text) + 1)] + " " + text[pos % (len(text) + 1) :]
    assert parse_ignore_file(text) == f
    r = kubelet_reads(text)
    assert r.active and r.history_version == version and r.history_time == t and not r.time_error


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_ignore_file_error_and_agrees_with_the_kubelet(text):
    try:
        f = parse_ignore_file(text, origin="f")
    except IgnoreFileError as e:
        assert str(e).startswith("f: ")
        return
    r = kubelet_reads(text)
    assert r.active and r.history_version == f.version  # accepted ⇒ the kubelet reads the same version


def test_absent_file_the_kubelet_writes_its_own_version_and_protects_nothing():
    state = kubelet_start(None, version="v1.11.10", now=T0)
    assert state.wrote == IgnoreFile("v1.11.10", unix_seconds(T0))
    assert state.history_version == state.current_version == "v1.11.10"
    for rule in ("public", "seed"):
        assert not skips_check(state, T0 - timedelta(days=30), rule=rule)


def test_unreadable_or_ignored_file_disables_the_skip():
    assert not kubelet_start(IsADirectoryError(21, "Is a directory"), version="v1.11.10", now=T0).valid
    ignored = kubelet_start("garbage", version="v1.11.10", now=T0)
    assert ignored.current_version == UNSET_VERSION and not ignored.valid
    assert not skips_check(ignored, T0 - timedelta(days=1))


def test_public_rule_compares_version_text_and_start_seconds():
    state = kubelet_start("v1.10.13,1", version="v1.11.10", now=T0)
    assert skips_check(state, T0 - timedelta(seconds=1))
    # Go's Time.Unix() truncates: a container started within the kubelet's start second is checked
    assert not skips_check(state, T0 + timedelta(microseconds=900_000))
    assert not skips_check(state, T0)
    assert not skips_check(state, T0 + timedelta(hours=1))
    # any other text differs, even garbage or a newer version (a downgrade)
    assert skips_check(kubelet_start("latest,1", version="v1.11.10", now=T0), T0 - timedelta(days=1))
    assert skips_check(kubelet_start("v1.12.0,1", version="v1.11.10", now=T0), T0 - timedelta(days=1))
    assert not skips_check(kubelet_start("v1.11.10,1", version="v1.11.10", now=T0), T0 - timedelta(days=1))


def test_seed_rule_needs_an_older_recorded_version():
    old = T0 - timedelta(days=1)
    assert skips_check(kubelet_start("v1.10.13,1", version="v1.11.10", now=T0), old, rule="seed")
    assert not skips_check(kubelet_start("v1.12.0,1", version="v1.11.10", now=T0), old, rule="seed")
    assert not skips_check(kubelet_start("latest,1", version="v1.11.10", now=T0), old, rule="seed")
    assert skips_check(kubelet_start("v1.11.10-rc.1,1", version="v1.11.10", now=T0), old, rule="seed")
    with pytest.raises(ValueError, match="unknown rule"):
        skips_check(kubelet_start("v1.10.13,1", version="v1.11.10", now=T0), old, rule="other")


def test_decide_with_a_bare_minor_target_never_assumes_protection_within_the_minor():
    old = T0 - timedelta(days=1)
    f = IgnoreFile("v1.11.3", 0)
    assert not decide(f, running_version="1.11", started_at=old)
    assert not decide(f, running_version="1.11", started_at=old, rule="seed")
    assert decide(f, running_version="1.12", started_at=old)
    assert decide(f, running_version="v1.11.10", started_at=old)  # full versions: the text differs
    assert not decide(None, running_version="1.12", started_at=old)
    # kubelet start given: containers started after it are checked
    assert not decide(f, running_version="1.12", started_at=T0 + timedelta(seconds=5), kubelet_started=T0)
    assert decide(f, running_version="1.12", started_at=None, kubelet_started=T0)


@given(versions, versions)
def test_parse_version_orders_like_semver_for_release_versions(a, b):
    ka, kb = parse_version(a), parse_version(b)
    assert ka is not None and kb is not None
    if ka[:3] != kb[:3]:
        assert (ka < kb) == (tuple(ka[:3]) < tuple(kb[:3]))


@settings(max_examples=50)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)))
def test_unix_seconds_is_go_time_unix(t):
    assert unix_seconds(t) == int(t.replace(tzinfo=timezone.utc).timestamp() // 1)


def test_public_rule_compares_the_files_text_with_the_kubelets_v_prefixed_version():
    old = T0 - timedelta(days=1)
    # the kubelet prints v1.11.10; a hand-written "1.11.10" differs as text, so it protects (the patch's quirk)
    assert decide(IgnoreFile("1.11.10", 0), running_version="v1.11.10", started_at=old)
    assert decide(IgnoreFile("1.11.10", 0), running_version="1.11.10", started_at=old)
    assert not decide(IgnoreFile("v1.11.10", 0), running_version="1.11.10", started_at=old)
    assert not decide(IgnoreFile("1.11.10", 0), running_version="v1.11.10", started_at=old, rule="seed")


def test_the_file_is_never_rewritten_so_protection_outlasts_the_upgrade():
    # upgraded at T0: the file says v1.10.13, the kubelet runs v1.11.10
    first = kubelet_start("v1.10.13,1", version="v1.11.10", now=T0)
    edited = T0 + timedelta(days=2)  # a container the new kubelet started after the upgrade (spec since edited)
    assert not skips_check(first, edited)
    # a plain restart of the same kubelet a week later reads the same file: that container is now protected too
    restart = kubelet_start("v1.10.13,1", version="v1.11.10", now=T0 + timedelta(days=7))
    assert skips_check(restart, edited)
    # once deleted, the next start writes its own version: nothing protected, and the next upgrade finds it
    after_delete = kubelet_start(None, version="v1.11.10", now=T0 + timedelta(days=8))
    assert not skips_check(after_delete, edited)
    assert after_delete.wrote is not None
    nxt = kubelet_start(format_ignore_file(after_delete.wrote), version="v1.12.7", now=T0 + timedelta(days=30))
    assert skips_check(nxt, edited)
