"""go-spew %#v rendering rules (spew/format.go)."""

from __future__ import annotations

from kubehash.golang.spew import compile_body, compile_typed
from kubehash.golang.types import Basic, Field, Map, Named, Pointer, Slice, Struct


def test_spew_rules() -> None:
    port = Named("v1", "Port", Struct([Field("N", Basic("int32"), "n"), Field("On", Basic("bool"), "on")]))
    name = Named("v1", "Name", Basic("string"))
    root = Named(
        "v1",
        "Root",
        Struct(
            [
                Field("S", Basic("string"), "s"),
                Field("P", Pointer(port), "p"),
                Field("Ps", Slice(port), "ps"),
                Field("Names", Slice(name), "names"),
                Field("M", Map(name, Basic("string")), "m"),
                Field("I", Pointer(Basic("int64")), "i"),
            ]
        ),
    )
    r = compile_typed(root)
    assert r(["a b", None, None, [], None, None]) == (
        "(v1.Root){S:(string)a b P:(*v1.Port)<nil> Ps:([]v1.Port)<nil> Names:([]v1.Name)[] "
        "M:(v1.Name)<nil> I:(*int64)<nil>}".replace("(v1.Name)<nil>", "(map[v1.Name]string)<nil>")
    )
    assert r(["", [1, True], [[2, False]], ["x", "y"], {"b": "2", "B": "1", "a": "0"}, -5]) == (
        "(v1.Root){S:(string) P:(*v1.Port){N:(int32)1 On:(bool)true} Ps:([]v1.Port)[{N:(int32)2 On:(bool)false}] "
        "Names:([]v1.Name)[x y] M:(map[v1.Name]string)map[B:1 a:0 b:2] I:(*int64)-5}"
    )


def test_pointer_with_suppressed_type() -> None:
    t = Slice(Pointer(Basic("int32")))
    assert compile_body(t)([None, 3]) == "[<nil> <*>3]"
