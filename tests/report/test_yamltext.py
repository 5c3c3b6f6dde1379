"""The YAML writer: what PyYAML's C loader reads back is the document (lone surrogates as U+FFFD)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from report_strategies import TEXT

from kubehash.report.plain import clean
from kubehash.report.yamltext import YamlItems, scalar, yaml_document

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, st.text(max_size=1100, min_size=1000)
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)


def _load(text: str) -> Any:
    text.encode("utf-8")  # valid UTF-8
    return yaml.load(text, Loader=yaml.CSafeLoader)


@settings(max_examples=400, deadline=None)
@given(doc=DOCS)
def test_documents_read_back(doc: Any) -> None:
    assert _load(yaml_document(doc)) == clean(doc)


@settings(max_examples=300, deadline=None)
@given(v=SCALARS)
def test_scalars_read_back_as_themselves(v: Any) -> None:
    got = _load("k: " + scalar(v))["k"]
    assert got == clean(v) and type(got) is type(clean(v))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, SCALARS, DOCS), max_size=6), chunks=st.integers(1, 3))
def test_items_a_chunk_at_a_time(rows: list[tuple[Any, ...]], chunks: int) -> None:
    names = ["name", "value", "nested"]
    items = YamlItems(names)
    text = "".join(
        items.text([list(col) for col in zip(*rows[i::chunks], strict=True)] or [[], [], []])
        for i in range(chunks)
        if rows[i::chunks]
    )
    expected = [dict(zip(names, r, strict=True)) for i in range(chunks) for r in rows[i::chunks]]
    assert (_load("x:\n" + text)["x"] if text else []) == clean(expected)


def test_plain_where_it_is_safe() -> None:
    assert scalar("kube-system") == "kube-system" and scalar("a b/c_d.e") == "a b/c_d.e"
    assert scalar("yes") == "'yes'" and scalar("1.10") == "'1.10'" and scalar("") == "''"
    assert scalar("a: b") == "'a: b'" and scalar("it's") == "'it''s'"
    assert scalar("\x1b[31m") == '"\\x1b[31m"' and scalar("\ud800") == '"\ufffd"'


def test_a_line_break_in_a_chunk_of_plain_strings_is_quoted() -> None:
    """Regression: the chunk fast path joined values with line breaks, so ``"A\\nA"`` passed as two plain lines
    and the YAML read back as ``"A A"`` (or did not load)."""
    import yaml as _yaml

    from kubehash.report.yamltext import yaml_items

    rows = _yaml.safe_load(yaml_items(["name", "x"], [["A\nA", "b"], ["c", "d\ne"]]))
    assert rows == [{"name": "A\nA", "x": "c"}, {"name": "b", "x": "d\ne"}]
