"""The spec generator, against a small Go fixture written for it."""

from __future__ import annotations

import json
import re

import pytest
from conftest import DATA

from kubehash.kubelet.schema import Schema
from kubehash.specgen import build_spec, parse_go_types
from kubehash.specgen.closure import type_refs
from kubehash.specgen.goparse import strip_comments

FIXTURE = (DATA / "specgen" / "fixture_types.go").read_text()


def test_comments_and_literals() -> None:
    stripped = strip_comments(FIXTURE)
    assert "Fake" not in stripped
    assert '"http://example.com/{not-a-brace}"' in stripped
    assert "`backquotes`" not in stripped  # that was inside a comment


def test_declarations() -> None:
    decls = parse_go_types(FIXTURE)
    assert {"Container", "Port", "Protocol", "ResourceList", "ResourceName", "Probe", "Handler", "Unreached"} <= set(
        decls
    )
    assert "Fake" not in decls
    assert decls["Protocol"].underlying == "string"
    assert decls["ResourceList"].underlying == "map[ResourceName]resource.Quantity"
    probe = decls["Probe"]
    assert probe.fields[0].embedded and probe.fields[0].name == "Handler"


def test_spec_document() -> None:
    spec = build_spec(FIXTURE, minor="1.99")
    names = [t["name"] for t in spec["types"]]
    assert names[0] == "Container"
    assert "Unreached" not in names
    assert spec["externals"] == ["intstr.IntOrString", "resource.Quantity"]
    fields = {f["name"]: f for f in spec["types"][0]["fields"]}
    assert [f["name"] for f in spec["types"][0]["fields"]] == [
        "Name",
        "Image",
        "Ports",
        "Limits",
        "Probe",
        "Secret",
        "NoTag",
        "A",
        "B",
    ]
    assert fields["Image"] == {
        "name": "Image",
        "type": "string",
        "json": "image",
        "omitempty": True,
        "embedded": False,
        "protobuf": True,
    }
    assert fields["Secret"]["json"] is None
    assert fields["NoTag"]["json"] == "" and not fields["NoTag"]["protobuf"]
    assert fields["A"]["type"] == fields["B"]["type"] == "int32"
    probe = next(t for t in spec["types"] if t["name"] == "Probe")
    assert probe["fields"][0] == {
        "name": "Handler",
        "type": "Handler",
        "json": "",
        "omitempty": False,
        "embedded": True,
        "protobuf": True,
    }
    json.dumps(spec)  # serialisable


def test_spec_loads_and_hashes() -> None:
    """A generated spec drives the whole engine: embedded inline JSON, spew names, json "-"."""
    from kubehash.golang.jsondec import compile_decoder
    from kubehash.golang.jsonenc import compile_encoder
    from kubehash.golang.spew import compile_typed

    schema = Schema(build_spec(FIXTURE, minor="1.99"))
    value = compile_decoder(schema.root)(
        {"name": "n", "probe": {"port": 80, "command": []}, "Secret": "x", "NoTag": True, "A": 1}
    )
    assert compile_encoder(schema.root)(value) == (
        '{"name":"n","probe":{"port":80,"command":[]},"NoTag":true,"A":1,"B":0}'.replace(',"command":[]', "")
    )
    spew = compile_typed(schema.root)(value)
    assert spew.startswith("(v1.Container){Name:(string)n Image:(string) Ports:([]v1.Port)<nil>")
    assert (
        "Probe:(*v1.Probe){Handler:(v1.Handler){Port:(intstr.IntOrString){Type:(intstr.Type)0 IntVal:(int32)80" in spew
    )
    assert "Command:([]string)[]" in spew and "Secret:(string) NoTag:(bool)true A:(int32)1 B:(int32)0}" in spew


@pytest.mark.parametrize(
    ("expr", "refs"),
    [
        ("map[ResourceName]resource.Quantity", ["ResourceName", "resource.Quantity"]),
        ("*[]Foo", ["Foo"]),
        ("string", []),
        ("[]map[string]*Bar", ["Bar"]),
    ],
)
def test_type_refs(expr: str, refs: list[str]) -> None:
    assert type_refs(expr) == refs


def test_unsupported_input_is_loud() -> None:
    with pytest.raises(ValueError):
        build_spec("package v1\ntype Container struct {\n X struct{ A int }\n}\n", minor="1.0")
    with pytest.raises(ValueError):
        build_spec('package v1\ntype Container struct {\n X metav1.Time `json:"x"`\n}\n', minor="1.0")


def test_committed_specs_match_release_table() -> None:
    from kubehash.kubelet.releases import RELEASES
    from kubehash.kubelet.schema import spec_document

    for r in RELEASES:
        doc = spec_document(r.minor)
        assert doc["minor"] == r.minor and doc["root"] == "Container"
        n = r.minor.split(".")[1]
        assert re.fullmatch(rf"(kubernetes-1\.{n}|v0\.{n})\.\d+", doc["source"]["tag"])
        assert doc["source"]["path"] == "core/v1/types.go"
