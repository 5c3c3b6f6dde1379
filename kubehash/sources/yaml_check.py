"""Whether a pod item's YAML text may be read by indentation (:mod:`kubehash.sources.yaml_views`), and
whether the exact loader would read it without an error.

:func:`block_text` checks, in C (regular expressions), that the indentation gives the structure: no line
break inside a quoted scalar or a flow collection (only ``{}``/``[]`` flow collections at all), no quoted
or complex (``?``) keys, anchors, aliases, tags or merge keys (``<<``), no tab, carriage return or control
character, no non-ASCII line break, valid UTF-8.

:func:`loads_cleanly` checks what the indentation reader skips (``managedFields``, volumes, most of the
status), so that a corrupt item is never read as a pod: libyaml's own parser runs over the item's text
(events counted in C, no Python objects), minus the container entries that were already read -- and so
checked -- by the exact loader; the text must also prove the bounds and values the exact loader checks
(:func:`kubehash.sources.yaml_loader.load_yaml`): nesting within ``MAX_DEPTH``, no decimal integer longer
than Python converts, no plain ``=`` or ``0b_``/``0x_`` scalar (PyYAML has no constructor, or no digits,
for those). An item that fails goes to the exact loader, which reports the error (naming the file, the
item and the line) as it would for any item.
"""

from __future__ import annotations

import re
import sys

import yaml

from kubehash.sources.yaml_loader import MAX_DEPTH, MAX_NODES

__all__ = ["PLAIN", "block_text", "loads_cleanly"]

# Bytes libyaml rejects or reads differently from what the indentation says: tab, CR and other controls.
_BAD = rb"\x00-\x09\x0b-\x1f\x7f"
_SQ = rb"'[^'\n" + _BAD + rb"]*+(?:''[^'\n" + _BAD + rb"]*+)*+'"
_DQ = rb'"[^"\\\n' + _BAD + rb"]*+(?:\\[^\n" + _BAD + rb'][^"\\\n' + _BAD + rb']*+)*+"'
# A plain scalar in block context: not starting with an indicator (``-?:`` only before a non-blank), ending
# before ``: `` or `` #`` or the end of the line.
PLAIN = (
    rb"(?:[^-?:,\[\]{}#&*!|>'\"%@`\n " + _BAD + rb"]|[-?:](?=[^\n " + _BAD + rb"]))"
    rb"[^\n:#" + _BAD + rb"]*+(?:(?::(?=[^\n " + _BAD + rb"])|(?<=[^\n " + _BAD + rb"])#)[^\n:#" + _BAD + rb"]*+)*+"
)
_VALUE = rb"(?>" + PLAIN + b"|" + _SQ + b"|" + _DQ + rb"|\{\}|\[\]|[|>][-+1-9]{0,2})"
# A line that starts and ends in block context: indentation, ``- `` entries, then a plain key and its
# value, or a value; a comment.
_LINE = (
    rb"[ ]*+(?:-(?:[ ]++|(?=\n)))*+(?:" + PLAIN + rb"[ ]*+:(?:[ ]++" + _VALUE + rb"?)?|" + _VALUE + rb")?"
    rb"[ ]*+(?:#[^\n" + _BAD + rb"]*+)?\n"
)
# The commonest such lines, tried first: a key without blanks, quotes or brackets and a closed one-line
# value (``f:x: {}``, ``time: '2026-...'``), or a key without blanks and no value (``k:{"name":"app"}:``).
_SIMPLE_LINE = (
    rb"[ ]*+(?:-[ ]++)*+(?:[^\s\"'\[{#" + _BAD + rb"][^\s\"'\[{" + _BAD + rb"]*?:[ ]++"
    rb"(?:'[^'\n" + _BAD + rb"]*+'|\"[^\"\\\n" + _BAD + rb"]*+\"|\{\}|\[\])|[A-Za-z0-9._/][^\s#" + _BAD + rb"]*:)\n"
)
#: Every line holding a quote or a bracket is a ``_LINE`` (lines without any are skipped in one step: they
#: cannot open a quoted scalar or a flow collection), so no line break is inside one: the indentation
#: gives the structure.
_BLOCK_ONLY = re.compile(
    rb"(?:(?:[^\"'\[{" + _BAD + rb"]*\n)?(?:" + _SIMPLE_LINE + b"|" + _LINE + rb"))*+[^\"'\[{" + _BAD + rb"]*"
)
#: Node properties (anchor, alias, tag) and complex keys: values the indentation does not give (each looked
#: for only when its character is there at all). A line starting with ``: `` alone gives a null key, which
#: no read key is.
_PROPERTIES = re.compile(rb"[ \n][&*!]")
_COMPLEX_KEY = re.compile(rb"\n[ -]*\?[ \n]")
#: Non-ASCII characters libyaml treats specially: C1 controls and NEL, LINE/PARAGRAPH SEPARATOR, BOM,
#: noncharacters.
_ODD_UNICODE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]")


def block_text(text: bytes) -> bytes | None:
    """``text`` ending in a line break when its indentation gives its structure (see the module docstring),
    else ``None``."""
    if not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if _ODD_UNICODE.search(text):
            return None
    if not text.endswith(b"\n"):
        text += b"\n"
    if b"<<" in text or ((b"&" in text or b"*" in text or b"!" in text) and _PROPERTIES.search(text)):
        return None
    if b"?" in text and _COMPLEX_KEY.search(text):
        return None
    return text if _BLOCK_ONLY.fullmatch(text) is not None else None


#: A line whose indentation and ``- ``/``? ``/``: `` indicators run this long might hold a value nested
#: deeper than MAX_DEPTH. In block style (flow collections are only ``{}``/``[]`` here) a nested collection
#: starts at least one column further right than its parent, or -- an indentless sequence -- at its
#: mapping's column with its entries two further: depth is at most twice the run, plus three.
_DEEP = re.compile(rb"\n[ ?:-]{%d}" % ((MAX_DEPTH - 4) // 2))
#: Plain scalars the exact loader resolves but cannot construct: ``=`` (YAML 1.1 ``!!value``, which
#: PyYAML's safe constructors lack) and binary or hexadecimal integers without digits (``0b_``). Each
#: pattern starts with a literal, which the regular expression engine searches for quickly.
_AFTER_PLAIN = rb"(?=[ ]*(?:#|\n|:[ \n]))"
_EQUALS = re.compile(rb"=(?<=[ \n]=)" + _AFTER_PLAIN)
_NO_DIGITS = re.compile(rb"0[bx]_*" + _AFTER_PLAIN)
#: Digits and ``_`` as ``0``, anything else as itself: a decimal integer longer than Python converts is a
#: run of ``0`` in the translated text, found with a substring search.
_DIGITS_AS_ZERO = bytes(0x30 if chr(i) in "0123456789_" else i for i in range(256))


def _unconstructible(text: bytes) -> bool:
    """Whether ``text`` may hold a plain scalar that the exact loader resolves but cannot construct."""
    if b"=" in text and _EQUALS.search(text):
        return True
    if b"0b" in text or b"0x" in text:
        for m in _NO_DIGITS.finditer(text):
            if text[m.start() - 1] in b" \n+-":  # the scalar starts there (its sign, if any, before)
                return True
    limit = sys.get_int_max_str_digits()
    return bool(limit) and b"0" * (limit + 1) in text.translate(_DIGITS_AS_ZERO)


def loads_cleanly(text: bytes, checked: list[tuple[int, int]]) -> bool:
    """Whether the exact loader reads ``text`` (a :func:`block_text`) without an error; ``checked``: slices
    ``[start, end)`` of complete lines that it read already (block sequence entries, so that the text
    without them is still a block structure whose validity, with theirs, is the whole text's)."""
    if len(text) > MAX_NODES or _DEEP.search(text) or _unconstructible(text):
        return False
    rest = text
    if checked:
        pieces, at = [], 0
        for start, end in sorted(checked):
            pieces.append(text[at:start])
            at = max(at, end)
        pieces.append(text[at:])
        rest = b"".join(pieces)
    try:
        # libyaml's parser through PyYAML's public C loader class: raw_parse runs it to the end counting
        # events in C (yaml.parse would build a Python object per event: 4x slower)
        yaml.CBaseLoader(rest).raw_parse()
    except yaml.YAMLError:
        return False
    return True
