"""The docker reference parser behind the imagePullPolicy default (ParseNormalizedNamed semantics)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubehash.errors import ImageRefError
from kubehash.kubelet.imageref import ImageRef, default_pull_policy, parse_image_name

SHA = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),  # no tag, no digest: implicit latest
        ("nginx:latest", "Always"),
        ("docker.io/library/nginx:latest", "Always"),
        ("localhost:5000/team/app", "Always"),
        (f"nginx:latest@{SHA}", "Always"),  # tag latest wins even with a digest
        (f"nginx@{SHA}", "IfNotPresent"),  # digest only: empty tag
        ("nginx:LATEST", "IfNotPresent"),  # tags are case-sensitive
        ("nginx:1.14.2", "IfNotPresent"),
        ("registry.k8s.io/pause:3.9", "IfNotPresent"),
        ("", "IfNotPresent"),  # unparsable: the error is ignored, no tag
        ("MyImage", "IfNotPresent"),  # repository must be lower case
        ("Docker.io/nginx", "Always"),  # a domain (it has a dot) may be upper case
        ("Foo/nginx", "IfNotPresent"),  # not a domain: part of the repository, which must be lower case
        ("nginx@md5:" + "a" * 32, "IfNotPresent"),  # unsupported digest algorithm
        ("nginx@sha256:" + "a" * 63, "IfNotPresent"),  # wrong digest length
        ("a" * 64, "IfNotPresent"),  # an image ID, refused
        ("x" * 250, "IfNotPresent"),  # docker.io/library/ + 250 > 255 characters
        ("nginx:-bad", "IfNotPresent"),
    ],
)
def test_default_pull_policy(image: str, policy: str) -> None:
    assert default_pull_policy(image) == policy


def test_normalisation() -> None:
    assert parse_image_name("nginx") == ImageRef("docker.io/library/nginx", "latest", "")
    assert parse_image_name("index.docker.io/foo/bar:1") == ImageRef("docker.io/foo/bar", "1", "")
    assert parse_image_name("foo/bar") == ImageRef("docker.io/foo/bar", "latest", "")
    assert parse_image_name(f"quay.io/a/b@{SHA}") == ImageRef("quay.io/a/b", "", SHA)


COMPONENT = st.from_regex(r"[a-z0-9]{1,5}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,5}){0,2}", fullmatch=True)
TAG = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}", fullmatch=True)
DOMAIN = st.sampled_from(["", "quay.io/", "localhost/", "localhost:5000/", "my-reg.example.com:443/"])


@given(DOMAIN, st.lists(COMPONENT, min_size=1, max_size=3), st.one_of(st.none(), TAG), st.booleans())
def test_valid_references_round_trip(domain: str, path: list[str], tag: str | None, digest: bool) -> None:
    image = domain + "/".join(path) + (f":{tag}" if tag is not None else "") + (f"@{SHA}" if digest else "")
    ref = parse_image_name(image)
    assert ref.name.endswith("/".join(path))
    assert ref.tag == (tag if tag is not None else ("" if digest else "latest"))
    assert ref.digest == (SHA if digest else "")
    assert default_pull_policy(image) == ("Always" if ref.tag == "latest" else "IfNotPresent")
    if domain:
        assert ref.name == domain + "/".join(path)


@given(st.text(alphabet="abAB09:/@._-", max_size=60))
def test_any_text_parses_or_raises_image_ref_error_quickly(image: Any) -> None:
    start = time.perf_counter()
    with contextlib.suppress(ImageRefError):
        parse_image_name(image)
    assert default_pull_policy(image) in ("Always", "IfNotPresent")
    assert time.perf_counter() - start < 0.5
