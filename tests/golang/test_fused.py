"""The fused decode+render path equals the general path (decode, then spew/encode) or steps aside."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import go_values, json_values

from kubehash.golang.fused import Fallback, compile_fused
from kubehash.golang.jsondec import compile_decoder
from kubehash.golang.jsonenc import compile_encoder
from kubehash.golang.jsonvalue import RawFloat
from kubehash.golang.spew import compile_typed
from kubehash.golang.types import Basic, Field, Map, Named, Pointer, Slice, Struct
from kubehash.kubelet.hashing import plan_for, spew_bytes
from kubehash.kubelet.schema import load_schema

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The modes the kubelet uses per era (spew up to 1.15, JSON after), on both decode paths.
CASES = [("1.10", "spew", True), ("1.10", "spew", False), ("1.15", "spew", True)]
CASES += [("1.17", "json", True), ("1.17", "json", False), ("1.30", "json", True)]


def _general(minor: str, mode: str, protobuf: bool, short_bf: bool = False) -> Any:
    root = load_schema(minor).root
    dec = compile_decoder(root, protobuf=protobuf)
    render = compile_typed(root) if mode == "spew" else compile_encoder(root, short_bf=short_bf)
    return lambda c: render(dec(c))


@pytest.mark.parametrize(("minor", "mode", "protobuf"), CASES)
@SETTINGS
@given(data=st.data())
def test_fused_equals_general_on_valid_containers(minor: str, mode: str, protobuf: bool, data: Any) -> None:
    root = load_schema(minor).root
    c = data.draw(go_values(root))
    fused, _ = compile_fused(root, mode=mode, protobuf=protobuf)
    try:
        expected = _general(minor, mode, protobuf)(c)
    except Exception:  # the generator can produce quantities kubehash refuses; fused must not succeed then
        with pytest.raises(Exception):  # noqa: B017
            fused(c)
        return
    try:
        got = fused(c)
    except Fallback:
        return  # stepping aside is allowed; the general path then decides
    assert got == expected


@pytest.mark.parametrize("minor", ["1.10", "1.17"])
@SETTINGS
@given(
    field=st.sampled_from(["name", "ports", "env", "resources", "livenessProbe", "securityContext"]), v=json_values()
)
def test_fused_never_disagrees_on_arbitrary_values(minor: str, field: str, v: Any) -> None:
    """Odd values either render exactly like the general path or make the fused path raise."""
    root = load_schema(minor).root
    c = {"name": "x", field: v}
    for mode in ("spew", "json"):
        fused, _ = compile_fused(root, mode=mode, protobuf=True)
        try:
            expected = _general(minor, mode, True)(c)
        except Exception:
            with pytest.raises(Exception):  # noqa: B017
                fused(c)
            continue
        try:
            got = fused(c)
        except Fallback:
            continue
        assert got == expected


def test_embedded_and_dominated_fields() -> None:
    inner = Named("v1", "Inner", Struct([Field("A", Basic("string"), "a"), Field("B", Basic("int32"), "b")]))
    root = Named(
        "v1",
        "Root",
        Struct(
            [
                Field("Inner", inner, "", embedded=True),
                Field("B", Basic("string"), "b", omitempty=True),
                Field("Hidden", Basic("string"), None),
                Field("Lost", Basic("string"), "lost", protobuf=False),
                Field("M", Map(Basic("string"), Pointer(Basic("bool"))), "m", omitempty=True),
                Field("L", Slice(Basic("string")), "l", omitempty=True),
            ]
        ),
    )
    c = {"a": "x", "b": "y", "Hidden": "h", "m": {"z": True, "a": None}, "l": []}
    for mode in ("spew", "json"):
        for pb in (True, False):
            fused, source = compile_fused(root, mode=mode, protobuf=pb)
            assert "def _root" in source
            dec = compile_decoder(root, protobuf=pb)
            render = compile_typed(root) if mode == "spew" else compile_encoder(root)
            assert fused(c) == render(dec(c))
            if pb:
                with pytest.raises(Fallback):  # decoded then lost by protobuf: the general path decides
                    fused({**c, "lost": "v"})
    spew, _ = compile_fused(root, mode="spew", protobuf=True)
    assert spew(c) == (
        "(v1.Root){Inner:(v1.Inner){A:(string)x B:(int32)0} B:(string)y Hidden:(string) Lost:(string) "
        "M:(map[string]*bool)map[a:<nil> z:<*>true] L:([]string)<nil>}"
    )


def test_unusual_input_falls_back_to_general_path() -> None:
    plan = plan_for("1.10", "apiserver")
    assert plan.fused is not None
    for c in (
        {"name": "x", "ports": [{"containerPort": 1.5}]},
        {"name": "x", "resources": {"limits": {"cpu": RawFloat("0.50")}}},
        {"name": "x", "env": [{"name": "\ud800"}]},
        {"name": "x", "resources": {"limits": {"\u00e9": "1"}}},
    ):
        try:
            expected: Any = plan.render(plan.decode(c))
        except Exception as e:
            expected = type(e)
        try:
            got: Any = plan.input(c)
        except Exception as e:
            got = type(e)
        assert got == expected


@given(st.binary(max_size=300))
def test_spew_bytes_matches_go_spew(data: bytes) -> None:
    assert spew_bytes(data) == b"([]uint8)[" + b" ".join(str(b).encode() for b in data) + b"]"
