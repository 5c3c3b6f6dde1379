"""Go encoding/json string escaping and struct rules."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubehash.golang.jsonenc import compile_encoder, quote_go121, quote_go122
from kubehash.golang.types import Basic, Field, Map, Named, Pointer, Slice, Struct

CASES = [
    ("plain", '"plain"', '"plain"'),
    ('<a href="x">&', '"\\u003ca href=\\"x\\"\\u003e\\u0026"', '"\\u003ca href=\\"x\\"\\u003e\\u0026"'),
    ("\b\f", '"\\u0008\\u000c"', '"\\b\\f"'),
    ("\n\r\t\x00\x1f\x7f", '"\\n\\r\\t\\u0000\\u001f\x7f"', '"\\n\\r\\t\\u0000\\u001f\x7f"'),
    ("\u2028\u2029é🚀", '"\\u2028\\u2029é🚀"', '"\\u2028\\u2029é🚀"'),
    ("back\\slash", '"back\\\\slash"', '"back\\\\slash"'),
]


@pytest.mark.parametrize(("s", "go121", "go122"), CASES)
def test_quote(s: str, go121: str, go122: str) -> None:
    assert quote_go121(s) == go121
    assert quote_go122(s) == go122


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_quote_is_valid_json_and_html_safe(s: str) -> None:
    for q in (quote_go121(s), quote_go122(s)):
        assert json.loads(q) == s
        assert not set(q) & set("<>&\u2028\u2029")
        assert all(ord(c) >= 0x20 for c in q)


def test_struct_rules() -> None:
    inner = Named("v1", "Inner", Struct([Field("X", Basic("string"), "x", omitempty=True)]))
    outer = Named(
        "v1",
        "Outer",
        Struct(
            [
                Field("Name", Basic("string"), "name"),
                Field("Inner", inner, "", embedded=True),
                Field("Tags", Slice(Basic("string")), "tags", omitempty=True),
                Field("Labels", Map(Basic("string"), Basic("string")), "labels"),
                Field("Ptr", Pointer(Basic("int64")), "ptr", omitempty=True),
                Field("Sub", inner, "sub", omitempty=True),  # a struct is never "empty"
                Field("Hidden", Basic("string"), None),
            ]
        ),
    )
    enc = compile_encoder(outer)
    assert enc(["", [""], None, None, None, [""], "h"]) == '{"name":"","labels":null,"sub":{}}'
    assert enc(["n", ["x"], [], {"b": "2", "a": "1"}, 0, ["y"], "h"]) == (
        '{"name":"n","x":"x","labels":{"a":"1","b":"2"},"ptr":0,"sub":{"x":"y"}}'
    )
