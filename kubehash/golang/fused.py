"""Fused decode+render: JSON mapping -> go-spew ``%#v`` text or ``encoding/json`` text in one pass.

The general path (:mod:`~kubehash.golang.jsondec` then :mod:`~kubehash.golang.spew` or
:mod:`~kubehash.golang.jsonenc`) builds the typed Go value and renders it. For hashing only the rendered
text matters, so this module generates Python source per schema (``exec``'d once per plan) that walks the
JSON mapping and writes the text directly, with no intermediate value:

* every struct becomes one function: ``dict.get`` per JSON field, then one f-string (spew) or a joined
  list (JSON, honouring ``omitempty``); fields the JSON decoder never sets (``json:"-"``, dominated
  names, fields lost by the protobuf round trip) are constants rendered by the general path from the
  zero value, so the general renderers remain the single source of truth for zero values;
* external types (``Quantity``, ``IntOrString``) go through their codecs, memoised per JSON string;
* anything unusual -- a value of the wrong JSON kind, a non-ASCII map key, a field that is decoded but lost
  by protobuf, a codec error -- raises and the caller falls back to the general path, which produces the
  exact result or the exact error. The fused path is only ever *faster*, never the judge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubehash.golang.jsondec import _path_has_protobuf
from kubehash.golang.jsonenc import _NEEDS_ESCAPE, compile_encoder, quote_go121, quote_go122, visible_fields
from kubehash.golang.jsonvalue import go_string
from kubehash.golang.spew import compile_body, compile_typed
from kubehash.golang.types import Basic, External, GoType, Map, Pointer, Slice, Struct, int_range, zero_factory

__all__ = ["Fallback", "Render", "compile_fused"]

Render = Callable[[Any], str]

#: Memo entries per external codec before the memo is cleared (bounds memory on adversarial input).
_MEMO_LIMIT = 8192


class Fallback(Exception):
    """The fused path met input it does not handle; the general path decides."""


def _fallback(*_: Any) -> Any:
    raise Fallback


def _memoised(compute: Callable[[Any], str]) -> Callable[[Any], str]:
    """Memoise ``compute`` for JSON strings (the usual spelling of quantities); other kinds are computed."""
    memo: dict[str, str] = {}

    def ext(x: Any) -> str:
        if type(x) is str:
            r = memo.get(x)
            if r is None:
                r = compute(x)
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[x] = r
            return r
        return compute(x)

    return ext


class _Gen:
    def __init__(self, mode: str, protobuf: bool, short_bf: bool) -> None:
        self.mode = mode  # "spew" | "json"
        self.protobuf = protobuf
        self.quote = quote_go122 if short_bf else quote_go121
        self.short_bf = short_bf
        self.src: list[str] = []
        self.ns: dict[str, Any] = {"_fallback": _fallback, "_gs": go_string, "_esc": _NEEDS_ESCAPE.search}
        self.funcs: dict[int, str] = {}
        self.n = 0
        quote = self.quote

        def sstr(v: Any) -> str:
            if type(v) is str:
                return go_string(v)
            if v is None:
                return ""
            raise Fallback

        def jstr(v: Any) -> str:
            if type(v) is str:
                return quote(go_string(v))
            if v is None:
                return '""'
            raise Fallback

        self.ns["_sstr"] = sstr
        self.ns["_jstr"] = jstr

    def const(self, value: Any) -> str:
        self.n += 1
        name = f"_c{self.n}"
        self.ns[name] = value
        return name

    def zero_text(self, t: GoType, typed: bool) -> str:
        """The general path's rendering of the (protobuf-normalised) zero value of ``t``."""
        zero = zero_factory(t, protobuf=self.protobuf)()
        if self.mode == "json":
            return compile_encoder(t, short_bf=self.short_bf)(zero)
        return (compile_typed(t) if typed else compile_body(t))(zero)

    # -- expressions: render the JSON value held in the simple name ``v`` ----------------------------
    def expr(self, t: GoType, v: str, typed: bool = False) -> str:
        """A Python expression rendering JSON value ``v`` as type ``t`` (spew: body, or typed-field body)."""
        if isinstance(t, External):
            return f"{self.func(t)}({v})"
        u = t.underlying()
        spew = self.mode == "spew"
        if isinstance(u, Basic):
            if u.kind == "string":
                if spew:
                    return f"({v} if type({v}) is str and {v}.isascii() else _sstr({v}))"
                return (
                    f"('\"' + {v} + '\"' if type({v}) is str and {v}.isascii() and _esc({v}) is None else _jstr({v}))"
                )
            if u.kind == "bool":
                return f"('true' if {v} is True else 'false' if {v} is None or {v} is False else _fallback())"
            lo, hi = int_range(u.kind)
            return f"(str({v}) if type({v}) is int and {lo} <= {v} <= {hi} else '0' if {v} is None else _fallback())"
        if isinstance(u, Pointer):
            elem = self.expr(u.elem, v)
            if not spew:
                return f"('null' if {v} is None else {elem})"
            if typed:
                return f"('<nil>' if {v} is None else {elem})"
            return f"('<nil>' if {v} is None else '<*>' + {elem})"
        return f"{self.func(t)}({v})"

    def func(self, t: GoType) -> str:
        key = id(t)
        if key in self.funcs:
            return self.funcs[key]
        self.n += 1
        name = f"_f{self.n}"
        self.funcs[key] = name
        if isinstance(t, External):
            self.ns[name] = self._external(t)
            return name
        u = t.underlying()
        if isinstance(u, Slice):
            self._slice(name, t, u)
        elif isinstance(u, Map):
            self._map(name, t, u)
        elif isinstance(u, Struct):
            self._struct(name, t, u) if self.mode == "spew" else self._struct_json(name, t, u)
        else:  # pragma: no cover - basics and pointers are inlined
            raise TypeError(f"fused: unsupported type {t}")
        return name

    def _external(self, t: External) -> Callable[[Any], str]:
        codec = t.codec
        dec = codec.decode
        pb = codec.protobuf if self.protobuf else (lambda x: x)
        if self.mode == "spew":
            body = codec.spew_body
            return _memoised(lambda x: body(pb(dec(x))))
        quote, enc = self.quote, codec.json
        return _memoised(lambda x: enc(pb(dec(x)), quote))

    def _none_checks(self, name: str, t: GoType, kind: type) -> list[str]:
        return [
            f"def {name}(v):",
            f"    if type(v) is not {kind.__name__}:",
            "        if v is None:",
            f"            return {self.const(self.zero_text(t, typed=False))}",
            "        _fallback()",
        ]

    def _slice(self, name: str, t: GoType, u: Slice) -> None:
        lines = self._none_checks(name, t, list)
        empty = "<nil>" if self.protobuf else "[]"
        if self.mode == "json":
            empty = "null" if self.protobuf else "[]"
        sep = " " if self.mode == "spew" else ","
        lines += [
            "    if not v:",
            f"        return {empty!r}",
            f"    return '[' + {sep!r}.join([{self.expr(u.elem, 'e')} for e in v]) + ']'",
        ]
        self.src.append("\n".join(lines))

    def _map(self, name: str, t: GoType, u: Map) -> None:
        lines = self._none_checks(name, t, dict)
        if self.mode == "spew":
            empty, open_, sep, key = ("<nil>" if self.protobuf else "map[]"), "map[", " ", "k"
        else:
            empty, open_, sep, key = ("null" if self.protobuf else "{}"), "{", ",", "_jstr(k)"
        close = "]" if self.mode == "spew" else "}"
        lines += [
            "    if not v:",
            f"        return {empty!r}",
            "    if not ''.join(v).isascii():",  # go_string may merge keys: leave those to the general path
            "        _fallback()",
            f"    return {open_!r} + {sep!r}.join([{key} + ':' + {self.expr(u.elem, 'x')} "
            f"for k, x in sorted(v.items())]) + {close!r}",
        ]
        self.src.append("\n".join(lines))

    def _visible(self, st: Struct) -> dict[tuple[int, ...], tuple[str, GoType, bool]]:
        return {
            index: (f.json_name or "", f.type, not self.protobuf or _path_has_protobuf(st, index))
            for index, f in visible_fields(st)
        }

    def _struct(self, name: str, t: GoType, st: Struct) -> None:
        visible = self._visible(st)
        body: list[str] = []
        pieces: list[str] = []  # names of constants and locals, in output order
        pending: list[str] = []  # constant text not yet emitted

        def text(s: str) -> None:
            pending.append(s)

        def flush() -> None:
            if pending:
                pieces.append(self.const("".join(pending)))
                pending.clear()

        def walk(s: Struct, prefix: tuple[int, ...]) -> None:
            text("{")
            for i, f in enumerate(s.fields):
                index = (*prefix, i)
                text(("" if i == 0 else " ") + f"{f.name}:({f.type})")
                inner = f.type.underlying() if not isinstance(f.type, External) else f.type
                if index in visible:
                    key, ft, keep = visible[index]
                    if not keep:
                        body.append(f"    if {key!r} in v: _fallback()")
                        text(self.zero_text(ft, typed=True)[len(f"({ft})") :])
                        continue
                    self.n += 1
                    local = f"a{self.n}"
                    body.append(f"    x = g({key!r})")
                    body.append(f"    {local} = {self.expr(ft, 'x', typed=True)}")
                    flush()
                    pieces.append(local)
                elif f.embedded and f.json_name == "" and isinstance(inner, Struct):
                    walk(inner, index)
                else:
                    text(self.zero_text(f.type, typed=True)[len(f"({f.type})") :])
            text("}")

        walk(st, ())
        flush()
        lines = self._none_checks(name, t, dict)
        lines.append("    g = v.get")
        lines += body
        lines.append("    return f'" + "".join("{" + p + "}" for p in pieces) + "'")
        self.src.append("\n".join(lines))

    def _struct_json(self, name: str, t: GoType, st: Struct) -> None:
        lines = self._none_checks(name, t, dict)
        lines += ["    g = v.get", "    p = []"]
        for index, f in visible_fields(st):
            key = f.json_name or ""
            keep = not self.protobuf or _path_has_protobuf(st, index)
            head = self.quote(key) + ":"
            if not keep:
                lines.append(f"    if {key!r} in v: _fallback()")
                if not f.omitempty or not _json_empties(f.type):
                    lines.append(f"    p.append({self.const(head + self.zero_text(f.type, typed=False))})")
                continue
            lines.append(f"    x = g({key!r})")
            empties = _json_empties(f.type)
            if not f.omitempty or not empties:  # omitempty never drops structs or external types
                lines.append(f"    p.append({self.const(head)} + {self.expr(f.type, 'x')})")
                continue
            lines += [
                "    if x is not None:",
                f"        s = {self.expr(f.type, 'x')}",
                f"        if s not in {empties!r}:",
                f"            p.append({self.const(head)} + s)",
            ]
        lines.append("    return '{' + ','.join(p) + '}'")
        self.src.append("\n".join(lines))


def _json_empties(t: GoType) -> tuple[str, ...]:
    """Texts of the values ``omitempty`` drops for type ``t`` (``encoding/json`` ``isEmptyValue``)."""
    if isinstance(t, External):
        return ()
    u = t.underlying()
    if isinstance(u, Basic):
        return ('""',) if u.kind == "string" else ("false",) if u.kind == "bool" else ("0",)
    if isinstance(u, Pointer):
        return ("null",)
    if isinstance(u, Slice):
        return ("null", "[]")
    if isinstance(u, Map):
        return ("null", "{}")
    return ()


def compile_fused(t: GoType, *, mode: str, protobuf: bool, short_bf: bool = False) -> tuple[Render, str]:
    """(render, source): ``render(json_value)`` is ``spew %#v`` (``mode="spew"``, with the ``(type)``
    prefix) or ``json.Marshal`` text (``mode="json"``) of what the decoder would produce from
    ``json_value``; it raises (usually :class:`Fallback`) when the general path must decide."""
    gen = _Gen(mode, protobuf, short_bf)
    if mode == "spew":
        prefix = gen.const(f"({t})")
        u = t if isinstance(t, External) else t.underlying()
        expr = gen.expr(t, "v", typed=isinstance(u, Pointer))
        gen.src.append(f"def _root(v):\n    return {prefix} + {expr}")
    elif mode == "json":
        gen.src.append(f"def _root(v):\n    return {gen.expr(t, 'v')}")
    else:
        raise ValueError(f"unknown mode {mode!r}")
    source = "\n\n".join(gen.src) + "\n"
    exec(compile(source, f"<kubehash fused {t} {mode}>", "exec"), gen.ns)
    return gen.ns["_root"], source
