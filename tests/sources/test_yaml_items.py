"""The streaming YAML reader gives, item by item, what loading the whole document gives (floats aside: they
carry Go's JSON text); parts of a file read separately chain up to the same items; bounds are enforced."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values

from kubehash.errors import InputError
from kubehash.golang.jsonvalue import RawFloat
from kubehash.pipeline.yaml_split import map_yaml_items as map_items
from kubehash.sources.documents import parse_documents
from kubehash.sources.yaml_items import iter_yaml_items, read_part, read_rest, yaml_layout
from kubehash.sources.yaml_loader import MAX_DEPTH, MAX_ITEM_BYTES, YamlInputError, go_json_float

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402


def same(ours: Any, whole: Any) -> bool:
    """Equal with types; a float of the whole-document loader is a RawFloat here with Go's JSON text."""
    if isinstance(whole, float) and not isinstance(whole, RawFloat) and math.isfinite(whole):
        return type(ours) is RawFloat and ours.text == go_json_float(whole) and float(ours) == whole
    if type(ours) is not type(whole):
        return False
    if isinstance(whole, dict):
        return list(ours) == list(whole) and all(same(ours[k], whole[k]) for k in whole)
    if isinstance(whole, list):
        return len(ours) == len(whole) and all(same(a, b) for a, b in zip(ours, whole, strict=True))
    if isinstance(whole, float):  # inf, nan
        return (math.isnan(ours) and math.isnan(whole)) or ours == whole
    return bool(ours == whole)


def whole_items(text: str) -> list[Any]:
    """What ``iter_items`` gives for a YAML dump today: documents, Lists expanded into their items."""
    out: list[Any] = []
    for doc in parse_documents(text):
        if isinstance(doc, dict) and isinstance(doc.get("items"), list):
            out.extend(doc["items"])
        else:
            out.append(doc)
    return out


def streamed(data: bytes, **kw: Any) -> list[Any]:
    return list(iter_yaml_items(io.BytesIO(data), **kw))


# -- generated Lists in many YAML styles --------------------------------------------------------------

STYLE = st.fixed_dictionaries(
    {
        "flow": st.sampled_from([False, None]),
        "scalar": st.sampled_from([None, None, None, '"', "'", "|", ">"]),
        "indent": st.sampled_from([2, 4]),
        "width": st.sampled_from([80, 20, 1000]),
        "unicode": st.booleans(),
    }
)


def dump(value: Any, style: dict[str, Any]) -> str:
    return yaml.safe_dump(
        value,
        default_flow_style=style["flow"],
        default_style=style["scalar"],
        indent=style["indent"],
        width=style["width"],
        allow_unicode=style["unicode"],
        sort_keys=False,
    )


@st.composite
def yaml_lists(draw: Any) -> str:
    """A List as kubectl lays it out (``items:`` then ``- `` at column 0), items in assorted YAML styles,
    comments between items, envelope keys before and after, sometimes more documents around it."""
    items = draw(st.lists(st.one_of(json_values(), st.dictionaries(st.text(max_size=5), json_values(6))), max_size=5))
    parts = []
    before = draw(st.sampled_from(["", "apiVersion: v1\n", "# a dump\napiVersion: v1\n", "---\nkind: List\n"]))
    parts.append(before + "items:" + (" # the pods" if draw(st.booleans()) else "") + "\n")
    for item in items:
        text = dump([item], draw(STYLE))
        if draw(st.booleans()):
            text += "# between items\n"
        parts.append(text)
    if not items:
        parts[-1] = parts[-1].replace("items:", "items: []", 1).split("\n", 1)[0] + "\n"
    parts.append(draw(st.sampled_from(["", "kind: List\nmetadata:\n  resourceVersion: ''\n", "kind: List # end\n"])))
    text = "".join(parts)
    if draw(st.booleans()):
        text = dump(draw(json_values(4)), draw(STYLE)) + "---\n" + text
    if draw(st.booleans()):
        text += "---\n" + dump(draw(json_values(4)), draw(STYLE))
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_lists(), crlf=st.booleans(), bom=st.booleans(), chunk=st.sampled_from([7, 64, 1 << 20]))
def test_stream_equals_whole_document(text: str, crlf: bool, bom: bool, chunk: int) -> None:
    if crlf:
        text = text.replace("\n", "\r\n")
    if bom:
        text = "\ufeff" + text
    try:
        expected = whole_items(text)
    except InputError:
        with pytest.raises(InputError):
            streamed(text.encode(), chunk_size=chunk)
        return
    got = streamed(text.encode(), chunk_size=chunk)
    assert same(got, expected)


ODD = [
    # quoted keys, block scalars, flow style, comments, tabs in strings, documents, anchors within an item
    'items:\n- "quoted key": 1\n  \'single\': "a\\tb"\n  plain: x # comment\n'
    "- |\n  literal\n   text\n- >-\n  folded\n  text\n",
    "items:\n- {a: 1, b: [1, 2, {c: d}]}\n- [x, y]\n- a: &x {k: v}\n  b: *x\n"
    "- !!str 123\n- 1.5\n- 1e3\n- 0x1F\n- .inf\n",
    "apiVersion: v1\nitems:\n\n# comment\n-   a: 1\n    b: 2\n-\n  c: 3\n- \n- null\nkind: List\n",
    "items:\n  - a: 1\n    b:\n      - x\n  - y\nkind: List\n",
    "kind: Pod\nmetadata:\n  name: p\n...\n---\nkind: Pod\nspec: {}\n--- |\n  text\n",
    "%YAML 1.1\n---\nitems:\n- a\n...\n%YAML 1.1\n---\n- b\n",
    "items:\n- a: 'it''s'\n  t: \"\\u00e9\\t\"\n  d: 2001-12-14t21:59:43.10-05:00\n  n: ~\n  y: yes\n",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_yaml(text: str) -> None:
    assert same(streamed(text.encode(), chunk_size=5), whole_items(text))


def test_floats_carry_go_json_text() -> None:
    got = streamed(b"items:\n- [1.0, 0.5, 1.5e-7, 1.0e+21, 100.0, -0.0, .inf]\n")[0]
    assert [x.text for x in got[:6]] == ["1", "0.5", "1.5e-7", "1e+21", "100", "-0"]
    assert got[6] == math.inf and type(got[6]) is float


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_go_json_float_round_trips(f: float) -> None:
    text = go_json_float(f)
    assert float(text) == f
    assert ("e" in text) == (f != 0 and not 1e-6 <= abs(f) < 1e21)
    assert not text.endswith(".0") and "e-0" not in text and "e+0" not in text


# -- the generated cluster, parts, stdin -------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("yaml") / "pods.yaml"
    generate.write_pod_list_yaml(path, 120, seed=4, kubelet="v1.24.3")
    return path


def test_generated_cluster(cluster_yaml: Path) -> None:
    got = list(iter_yaml_items(cluster_yaml))
    assert len(got) == 120 and same(got, whole_items(cluster_yaml.read_text()))


@settings(max_examples=25, deadline=None)
@given(part=st.integers(200, 60_000), jobs=st.sampled_from([1, 2]))
def test_parts_chain_to_the_sequential_items(cluster_yaml: Path, part: int, jobs: int) -> None:
    layout = yaml_layout(cluster_yaml)
    assert layout is not None and layout.column == 0
    size = cluster_yaml.stat().st_size
    items: list[Any] = []
    expected_start: int | None = layout.first
    after = None
    for a in range(layout.first, size, part):
        got = read_part(cluster_yaml, layout, a, min(a + part, size + 1), exact_start=a == layout.first)
        if got.start is None:
            continue
        assert got.start == expected_start
        items.extend(got.results)
        expected_start, after = got.next, got.after
        if after is not None:
            break
    assert after is not None
    items.extend(read_rest(cluster_yaml, layout, after))
    sequential = list(iter_yaml_items(cluster_yaml))
    assert items == sequential
    assert list(map_items(cluster_yaml, len, jobs=jobs, part_bytes=part)) == [len(x) for x in sequential]


def test_not_a_list_has_no_layout(tmp_path: Path) -> None:
    for text in ("kind: Pod\nspec: {}\n", "items: [1, 2]\n", "- a\n- b\n", "a: 1\n---\nitems:\n- x\n"):
        p = tmp_path / "x.yaml"
        p.write_text(text)
        assert yaml_layout(p) is None
        assert same(list(iter_yaml_items(p)), whole_items(text))
        assert list(map_items(p, repr, jobs=2)) == [repr(x) for x in whole_items(text)]


def test_stdin_is_streamed() -> None:
    """The first item comes out before the writer has written the rest (the reader does not wait for EOF)."""
    r, w = os.pipe()
    first_seen = threading.Event()

    def writer() -> None:
        with os.fdopen(w, "wb") as f:
            f.write(b"apiVersion: v1\nitems:\n- name: first\n- name: second\n")
            f.flush()
            first_seen.wait(10)
            f.write(b"- name: third\nkind: List\n")

    t = threading.Thread(target=writer)
    t.start()
    names = []
    with os.fdopen(r, "rb", buffering=0) as f:
        for item in iter_yaml_items(f, chunk_size=16):
            names.append(item["name"])
            if len(names) == 1:
                assert not first_seen.is_set()
                first_seen.set()
    t.join()
    assert names == ["first", "second", "third"]


def test_dash_reads_standard_input() -> None:
    code = "from kubehash.sources.yaml_items import iter_yaml_items; print(list(iter_yaml_items('-')))"
    out = subprocess.run([sys.executable, "-c", code], input=b"items:\n- a: 1\n- b\nkind: List\n", capture_output=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().strip() == "[{'a': 1}, 'b']"


# -- errors and bounds -------------------------------------------------------------------------------------

BOMB = (
    "items:\n- a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
)


def error_of(text: bytes) -> YamlInputError:
    with pytest.raises(YamlInputError) as e:
        list(iter_yaml_items(io.BytesIO(text), chunk_size=64))
    return e.value


def test_alias_bomb_is_rejected() -> None:
    e = error_of(b"apiVersion: v1\n" + BOMB.encode())
    assert "MAX_NODES" in str(e) and e.item == 1 and e.line is not None and e.line >= 2
    assert isinstance(e, InputError)
    small = error_of(b"items:\n- ok\n- &a [*a]\n")
    assert "recursive" in str(small) and small.item == 2 and small.line == 3


@pytest.mark.parametrize(
    "text",
    [
        "items:\n- " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",
        "items:\n- k0:\n"
        + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(1, MAX_DEPTH))
        + "  " * (MAX_DEPTH + 1)
        + "v\n",
        "items:\n- ok\n- " + "- " * (MAX_DEPTH + 5) + "x\n",
    ],
)
def test_deep_nesting_is_rejected(text: str) -> None:
    e = error_of(text.encode())
    assert ("MAX_DEPTH" in str(e) or "nesting depth" in str(e)) and e.item is not None


def test_huge_item_is_rejected() -> None:
    big = b"items:\n- ok\n- x: '" + b"y" * (MAX_ITEM_BYTES + 10) + b"'\n- z\n"
    e = error_of(big)
    assert "MAX_ITEM_BYTES" in str(e) and e.item == 2 and e.line == 3
    single = error_of(b"a: '" + b"y" * (MAX_ITEM_BYTES + 10) + b"'\n")
    assert "MAX_ITEM_BYTES" in str(single) and e.name == "<stream>"


def test_error_names_file_item_and_line(tmp_path: Path) -> None:
    p = tmp_path / "pods.yaml"
    p.write_text("apiVersion: v1\nitems:\n- a: 1\n- b: [1,\n  c: 'x\n- d\nkind: List\n")
    with pytest.raises(YamlInputError) as e:
        list(iter_yaml_items(p))
    assert str(e.value).startswith(f"{p}: item 2 (line 6, column 1): while scanning a quoted scalar (from line 5,")
    p.write_text("apiVersion: v1\nitems:\n- a: 1\nkind: [List\n")
    with pytest.raises(YamlInputError) as e:
        list(iter_yaml_items(p))
    assert str(e.value).startswith(f"{p}: document 1 (line ")


@settings(max_examples=40, deadline=None)
@given(cut=st.floats(0.0, 1.0))
def test_truncated_file(cluster_yaml: Path, cut: float) -> None:
    """A dump cut anywhere reads as the whole-document loader reads it: the same items, or an error."""
    data = cluster_yaml.read_bytes()[:2500]
    data = data[: int(len(data) * cut)]
    try:
        expected = whole_items(data.decode("utf-8", "ignore"))
    except InputError:
        with pytest.raises(InputError):
            streamed(data)
        return
    assert same(streamed(data), expected)


def test_other_kinds_of_input(tmp_path: Path) -> None:
    assert streamed(b"") == [] and streamed(b"# nothing\n") == []
    assert streamed(b"kind: Pod\nmetadata: {name: p}\n") == [{"kind": "Pod", "metadata": {"name": "p"}}]
    assert streamed(b"[1, 2]\n") == [[1, 2]]
    assert streamed(b"kind: List\nitems: [{a: 1}]\n") == [{"a": 1}]
    with pytest.raises(InputError, match="is a directory"):
        list(iter_yaml_items(tmp_path))
    with pytest.raises(YamlInputError, match="items"):
        streamed(b"items:\n- a\nitems:\n- b\n")
    with pytest.raises(InputError):
        streamed(b"items:\n- \xff\xfe\n")
