"""Read pflag / Go ``flag`` registrations out of Go source text (the kubelet's options files).

What is recognised (the forms the kubelet's sources use from 1.8 to 1.36):

* registrations ``<flagset>.<Type>Var(&target, "name", default, usage)``, ``<Type>VarP(&target, "name",
  "x", ...)``, ``<Type>("name", ...)``, ``<Type>P("name", "x", ...)``, ``Var(value, "name", usage)`` and
  ``VarP(value, "name", "x", usage)``, for pflag's and Go ``flag``'s value types;
* ``<gate>.AddFlag(fs)`` of a feature gate, which registers ``--feature-gates``;
* the kubelet's ``globalflags*.go`` helpers ``register``/``pflagRegister(global, local, "name")`` and
  ``registerDeprecated``/``pflagRegisterDeprecated(global, local, "name", message)``;
* ``fs.MarkDeprecated("name", message)`` and ``fs.MarkHidden("name")`` -- only after the flag's registration
  in the same file (pflag returns an error, which the kubelet ignores, for a flag not registered yet);
* a ``VisitAll`` closure that sets ``f.Deprecated = message`` on every flag of the function's flag set
  (``AddKubeletConfigFlags`` since 1.10), minus the names of a ``map[string]bool{...}`` exemption list.

A flag name or message is a string literal, a ``+`` concatenation of literals, or a constant / local
variable bound to one in the same file; anything else (``fmt.Sprintf``) is kept as ``None`` (the name of a
registration that cannot be resolved is skipped: upstream never does that for the kubelet's own flags).
The Go field a registration writes (``&c.Authentication.Anonymous.Enabled``) is kept for the flags of a
``*KubeletConfiguration`` parameter: it names the config-file field that replaces the flag.

Reading is textual on purpose (no Go toolchain at generation time); :mod:`kubehash.specgen.goparse`
removes comments first. A construct outside this subset is ignored, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kubehash.specgen.goparse import strip_comments

__all__ = ["FlagDecl", "read_flags", "read_go_string_constants"]

_TYPES = (
    "Bool|String|Int|Int8|Int16|Int32|Int64|Uint|Uint8|Uint16|Uint32|Uint64|Float32|Float64|Duration|"
    "StringSlice|StringArray|StringToString|IntSlice|Int32Slice|BoolSlice|IP|IPNet|IPSlice|IPMask|Count|Func"
)
_CALL = re.compile(
    rf"(?<![\w.])(?P<recv>[A-Za-z_][\w.]*)\.(?P<method>(?:{_TYPES})(?:VarP|Var|P)?|VarP|Var|MarkDeprecated|MarkHidden"
    r"|AddFlag)\("
    r"|(?<![\w.])(?P<helper>register|pflagRegister|registerDeprecated|pflagRegisterDeprecated)\("
)
_FLAG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_CONST = re.compile(
    r'(?m)^\s*(?:const\s+|var\s+)?([A-Za-z_]\w*)\s*(?::=|=)\s*((?:"(?:[^"\\\n]|\\.)*"|`[^`]*`)(?:\s*\+\s*(?:"(?:[^"\\\n]|\\.)*"|`[^`]*`))*)\s*$'
)
_FUNC = re.compile(r"(?m)^func\s*(?:\([^)]*\)\s*)?(?P<name>\w+)\s*\((?P<params>[^)]*)\)[^{\n]*\{")
_CONFIG_PARAM = re.compile(r"(\w+)\s+\*[\w.]*KubeletConfiguration\b")
_RECEIVERS_NOT_FLAGSETS = frozenset({"strconv", "fmt", "strings", "time", "errors", "os", "filepath", "sets"})


@dataclass(frozen=True)
class FlagDecl:
    """One flag as a Go file registers it."""

    name: str
    file: str
    line: int
    shorthand: str | None = None
    go_field: str | None = None  # Go field path of the KubeletConfiguration it sets, e.g. "EvictionHard"
    deprecated: str | None = None  # the deprecation message ("" when deprecated without one)
    hidden: bool = False
    boolean: bool = False  # a bool flag: ``--name`` alone sets it, a value needs ``--name=value``


def _unquote(lit: str) -> str:
    if lit.startswith("`"):
        return lit[1:-1]
    body = lit[1:-1]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def read_go_string_constants(src: str) -> dict[str, str]:
    """``name = "literal"`` bindings (constants, variables, ``:=``) of a comment-free Go file."""
    out: dict[str, str] = {}
    for m in _CONST.finditer(src):
        out.setdefault(m.group(1), "".join(_unquote(s) for s in _STRING.findall(m.group(2))))
    return out


def _split_args(src: str, start: int) -> tuple[list[str], int]:
    """The top-level comma-separated arguments of the call whose ``(`` is at ``start - 1``."""
    args: list[str] = []
    depth, i, cur = 0, start, start
    n = len(src)
    while i < n:
        c = src[i]
        if c in "\"'`":
            q = c
            i += 1
            while i < n and src[i] != q:
                i += 2 if src[i] == "\\" and q != "`" else 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                if src[cur:i].strip():
                    args.append(src[cur:i].strip())
                return args, i
            depth -= 1
        elif c == "," and depth == 0:
            args.append(src[cur:i].strip())
            cur = i + 1
        i += 1
    return args, n


def _string_value(expr: str, consts: dict[str, str]) -> str | None:
    parts = [p.strip() for p in _split_plus(expr)]
    out = []
    for p in parts:
        if _STRING.fullmatch(p):
            out.append(_unquote(p))
        elif p in consts:
            out.append(consts[p])
        else:
            return None
    return "".join(out)


def _split_plus(expr: str) -> list[str]:
    parts, depth, cur, i = [], 0, 0, 0
    while i < len(expr):
        c = expr[i]
        if c in '"`':
            j = i + 1
            while j < len(expr) and expr[j] != c:
                j += 2 if expr[j] == "\\" and c == '"' else 1
            i = j
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "+" and depth == 0:
            parts.append(expr[cur:i])
            cur = i + 1
        i += 1
    parts.append(expr[cur:])
    return parts


def _positions(method: str) -> tuple[int, int | None]:
    """(index of the name argument, index of the shorthand argument) of a registration method."""
    if method.endswith("VarP"):
        return 1, 2
    if method.endswith("Var"):
        return 1, None
    if method.endswith("P") and method not in ("IP",):
        return 0, 1
    return 0, None


@dataclass
class _Func:
    name: str
    start: int
    end: int
    config_param: str | None


def _functions(src: str) -> list[_Func]:
    out = []
    for m in _FUNC.finditer(src):
        depth, i = 1, m.end()
        while i < len(src) and depth:
            c = src[i]
            if c in '"`':
                j = i + 1
                while j < len(src) and src[j] != c:
                    j += 2 if src[j] == "\\" and c == '"' else 1
                i = j
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            i += 1
        cp = _CONFIG_PARAM.search(m.group("params"))
        out.append(_Func(m.group("name"), m.start(), i, cp.group(1) if cp else None))
    return out


def _visit_all_deprecation(body: str, consts: dict[str, str]) -> tuple[str, frozenset[str]] | None:
    """The message a ``VisitAll`` closure assigns to ``.Deprecated`` in ``body``, and its exemptions."""
    m = re.search(r"\.VisitAll\(func\s*\(\s*(\w+)\s*\*\w+\.Flag\)", body)
    if not m:
        return None
    a = re.search(rf"\b{m.group(1)}\.Deprecated\s*=\s*([^\n]+)", body[m.end() :])
    if not a:
        return None
    msg = _string_value(a.group(1).strip(), consts)
    exempt = re.search(r"map\[string\]bool\{([^}]*)\}", body)
    names = (
        frozenset(_unquote(s) for s in re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*true', exempt.group(1)))
        if exempt
        else frozenset()
    )
    return (msg if msg is not None else ""), names


@dataclass
class _Scan:
    """The state of one :func:`read_flags` pass: the flags found so far and the marks applied to them."""

    path: str
    found: dict[str, FlagDecl] = field(default_factory=dict)
    deprecations: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)

    def extra(self, args: list[str], consts: dict[str, str], line: int) -> None:
        """A ``calls`` helper: its first argument names the flag."""
        name = _string_value(args[0], consts) if args else None
        if name is not None and _FLAG_NAME.match(name):
            self.found.setdefault(name, FlagDecl(name, self.path, line))

    def helper(self, helper: str, args: list[str], consts: dict[str, str], line: int) -> None:
        """globalflags' ``register``/``pflagRegister[Deprecated](global, local, "name"[, message])``."""
        if len(args) < 3:
            return
        name = _string_value(args[2], consts)
        if name is None or not _FLAG_NAME.match(name):
            return
        name = name.replace("_", "-")  # globalflags' normalize()
        self.found.setdefault(name, FlagDecl(name, self.path, line))
        if helper.endswith("Deprecated") and len(args) >= 4:
            self.deprecations[name] = _string_value(args[3], consts) or ""

    def mark(self, method: str, args: list[str], consts: dict[str, str], line: int) -> None:
        """``fs.MarkDeprecated("name", message)`` / ``fs.MarkHidden("name")``."""
        name = _string_value(args[0], consts) if args else None
        if name is None:
            return
        # pflag's Mark* on a flag not registered yet fails (an ignored error): it must come after
        if name not in self.found or self.found[name].line > line:
            return
        if method == "MarkDeprecated":
            self.deprecations[name] = (_string_value(args[1], consts) if len(args) > 1 else None) or ""
        else:
            self.hidden.add(name)

    def register(self, method: str, args: list[str], consts: dict[str, str], line: int, f: _Func | None) -> None:
        """A ``<Type>[Var][P](...)`` / ``Var[P](...)`` registration on a flag set."""
        ni, si = _positions(method)
        if len(args) <= ni:
            return
        name = _string_value(args[ni], consts)
        if name is None or not _FLAG_NAME.match(name):
            return
        short = _string_value(args[si], consts) if si is not None and len(args) > si else None
        go_field = _config_field(args[0], f) if ni >= 1 else None
        self.found.setdefault(
            name,
            FlagDecl(
                name, self.path, line, shorthand=short or None, go_field=go_field, boolean=method.startswith("Bool")
            ),
        )

    def call(self, m: re.Match[str], code: str, consts: dict[str, str], f: _Func | None) -> None:
        """Dispatch one matched call of :data:`_CALL` (plus the ``extra`` alternative) to its handler."""
        args, _ = _split_args(code, m.end())
        line = code.count("\n", 0, m.start()) + 1
        if m.re is not _CALL and m.group("extra"):
            self.extra(args, consts, line)
            return
        helper = m.group("helper")
        if helper:
            self.helper(helper, args, consts, line)
            return
        recv, method = m.group("recv"), m.group("method")
        if recv.split(".")[0] in _RECEIVERS_NOT_FLAGSETS:
            return
        if method in ("MarkDeprecated", "MarkHidden"):
            self.mark(method, args, consts, line)
        elif method == "AddFlag":
            if recv.endswith("FeatureGate") and len(args) == 1:
                self.found.setdefault("feature-gates", FlagDecl("feature-gates", self.path, line))
        else:
            self.register(method, args, consts, line, f)

    def visit_all(self, code: str, funcs: list[_Func], consts: dict[str, str]) -> None:
        """Apply every function's ``VisitAll`` deprecation closure to the flags registered in that function."""
        for f in funcs:
            dep = _visit_all_deprecation(
                code[f.start : f.end], {**consts, **read_go_string_constants(code[f.start : f.end])}
            )
            if dep is None:
                continue
            msg, exempt = dep
            for name, d in self.found.items():
                first = code.count("\n", 0, f.start) + 1
                last = code.count("\n", 0, f.end) + 1
                if first <= d.line <= last and name not in exempt:
                    self.deprecations[name] = msg  # the closure runs last (deferred): it overrides MarkDeprecated

    def result(self) -> list[FlagDecl]:
        """The flags in source order, with their deprecation and hidden marks."""
        return [
            FlagDecl(
                d.name,
                d.file,
                d.line,
                shorthand=d.shorthand,
                go_field=d.go_field,
                deprecated=self.deprecations.get(name),
                hidden=name in self.hidden,
                boolean=d.boolean,
            )
            for name, d in self.found.items()
        ]


def _config_field(target: str, f: _Func | None) -> str | None:
    """The KubeletConfiguration field ``&cfg.A.B`` (the first argument of a ``Var`` form) writes, if any."""
    if f is None or not f.config_param:
        return None
    fm = re.search(rf"&{f.config_param}\.([A-Za-z_][\w.]*)", target)
    if not fm:
        return None
    go_field = fm.group(1)
    for suffix in (".Duration",):
        go_field = go_field.removesuffix(suffix)
    return go_field


def read_flags(src: str, path: str, calls: tuple[str, ...] = ()) -> list[FlagDecl]:
    """Every flag ``src`` (a Go file named ``path``) registers, with deprecations applied, in source order.

    ``calls`` names package-level helpers that register a flag named by their first argument (verflag's
    ``Version("version", ...)``).
    """
    code = strip_comments(src)
    consts = read_go_string_constants(code)
    funcs = _functions(code)
    scan = _Scan(path)

    def func_at(pos: int) -> _Func | None:
        for f in funcs:
            if f.start <= pos < f.end:
                return f
        return None

    pattern = _CALL
    if calls:
        alt = "|".join(re.escape(c) for c in calls)
        pattern = re.compile(_CALL.pattern + rf"|(?<![\w.])(?P<extra>{alt})\(")
    for m in pattern.finditer(code):
        consts_here = dict(consts)
        f = func_at(m.start())
        if f is not None:
            consts_here.update(read_go_string_constants(code[f.start : f.end]))
        scan.call(m, code, consts_here, f)
    scan.visit_all(code, funcs, consts)
    return scan.result()
