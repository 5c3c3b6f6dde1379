"""Docker image references as the API server's ``imagePullPolicy`` default reads them.

Why hand-written: ``SetDefaults_Container`` takes the tag from kubelet's ``parsers.ParseImageName``,
which calls ``reference.ParseNormalizedNamed`` from ``github.com/docker/distribution`` (vendored by
Kubernetes 1.8 onwards, issue #52110) and *ignores the parse error*. So the outcome depends on exactly which
strings that Go parser accepts and which tag it reports: an unparsable reference (``MyImage``, an empty
image, an unsupported digest algorithm) gets no tag and therefore ``IfNotPresent``, while a bare name gets
the implicit tag ``latest`` and therefore ``Always``. No Python package reproduces those rules, so the
grammar of ``reference/regexp.go`` and the checks of ``ParseNormalizedNamed``/``Parse``/``digest.Validate``
are re-stated here (no upstream code copied):

* a 64-hex-digit string alone is refused (it would be an image ID);
* the domain is the first ``/`` component only when it contains ``.`` or ``:`` or is ``localhost``;
  otherwise ``docker.io`` is implied (and ``library/`` for a one-component name);
* the repository part (before any ``:``) must be lower case;
* the whole ``name[:tag][@digest]`` must match the reference grammar, the normalised name be at most
  255 characters, and a digest use sha256/sha384/sha512 with the matching number of lower-case hex digits.

Known variations not modelled (docs/upstream-defaults.md §7, [U]): ``github.com/distribution/reference``
(used by newer releases) also accepts bracketed IPv6 domains and treats an upper-case first component as a
domain; older go-digest accepted upper-case hex digits.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kubehash.errors import ImageRefError

__all__ = ["ImageRef", "ImageRefError", "default_pull_policy", "parse_image_name", "parse_normalized_named"]

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"  # Go writes [-]*: the same language, without backtracking blow-up
_NAME_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN}/)?{_NAME_COMPONENT}(?:/{_NAME_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII)
_IDENTIFIER = re.compile(r"[a-f0-9]{64}")
_DIGEST_HEX_LEN = {"sha256": 64, "sha384": 96, "sha512": 128}
_NAME_TOTAL_LENGTH_MAX = 255
_DEFAULT_DOMAIN = "docker.io"
_LEGACY_DEFAULT_DOMAIN = "index.docker.io"
_OFFICIAL_REPO = "library"


@dataclass(frozen=True)
class ImageRef:
    """A parsed reference: the normalised ``name`` (``docker.io/library/nginx``), ``tag`` and ``digest``
    (empty when absent)."""

    name: str
    tag: str = ""
    digest: str = ""


def _split_docker_domain(name: str) -> tuple[str, str]:
    i = name.find("/")
    if i == -1 or (not any(c in name[:i] for c in ".:") and name[:i] != "localhost"):
        domain, remainder = _DEFAULT_DOMAIN, name
    else:
        domain, remainder = name[:i], name[i + 1 :]
    if domain == _LEGACY_DEFAULT_DOMAIN:
        domain = _DEFAULT_DOMAIN
    if domain == _DEFAULT_DOMAIN and "/" not in remainder:
        remainder = f"{_OFFICIAL_REPO}/{remainder}"
    return domain, remainder


def _validate_digest(digest: str) -> None:
    algorithm, _, hex_part = digest.partition(":")
    size = _DIGEST_HEX_LEN.get(algorithm)
    if size is None:
        raise ImageRefError("unsupported digest algorithm")
    if len(hex_part) != size:
        raise ImageRefError("invalid checksum digest length")
    if not re.fullmatch(r"[a-f0-9]+", hex_part):
        raise ImageRefError("invalid checksum digest format")


def parse_normalized_named(s: str) -> ImageRef:
    """``reference.ParseNormalizedNamed(s)``: the normalised reference or :class:`ImageRefError`."""
    if _IDENTIFIER.fullmatch(s):
        raise ImageRefError(f"invalid repository name ({s}), cannot specify 64-byte hexadecimal strings")
    domain, remainder = _split_docker_domain(s)
    colon = remainder.find(":")
    remote_name = remainder[:colon] if colon > -1 else remainder
    if remote_name.lower() != remote_name:
        raise ImageRefError("invalid reference format: repository name must be lowercase")
    full = f"{domain}/{remainder}"
    m = _REFERENCE.fullmatch(full)
    if m is None:
        raise ImageRefError("invalid reference format")
    name, tag, digest = m.group(1), m.group(2) or "", m.group(3) or ""
    if len(name) > _NAME_TOTAL_LENGTH_MAX:
        raise ImageRefError(f"repository name must not be more than {_NAME_TOTAL_LENGTH_MAX} characters")
    if digest:
        _validate_digest(digest)
    return ImageRef(name, tag, digest)


def parse_image_name(image: str) -> ImageRef:
    """kubelet ``parsers.ParseImageName``: like :func:`parse_normalized_named`, but a reference with neither
    tag nor digest gets the tag ``latest``."""
    ref = parse_normalized_named(image)
    if not ref.tag and not ref.digest:
        return ImageRef(ref.name, "latest", "")
    return ref


@functools.lru_cache(maxsize=4096)  # images repeat across a cluster
def default_pull_policy(image: str) -> str:
    """The ``imagePullPolicy`` ``SetDefaults_Container`` writes when the field is empty (1.8-1.36):
    ``Always`` when the parsed tag is exactly ``latest``, else ``IfNotPresent`` (parse errors ignored)."""
    try:
        tag = parse_image_name(image).tag
    except ImageRefError:
        tag = ""
    return "Always" if tag == "latest" else "IfNotPresent"
