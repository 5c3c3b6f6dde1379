"""Exceptions raised by kubehash. Every error a user can cause is a :class:`KubehashError`."""

from __future__ import annotations

from typing import Any

__all__ = ["DecodeError", "KubehashError", "OutputError", "UnsupportedVersionError", "VersionError"]


class KubehashError(Exception):
    """Base class of every error kubehash raises on bad input."""


class UnsupportedVersionError(KubehashError, ValueError):
    """A kubelet version kubehash has no schema or release-table row for."""

    def __init__(self, version: object, supported: list[str]) -> None:
        self.version = version
        self.supported = supported
        super().__init__(f"unsupported kubelet version {version!r}; supported minors: {', '.join(supported)}")


class VersionError(KubehashError, ValueError):
    """A version string kubehash cannot parse (a kubelet version, a Go version); names the node when known."""

    def __init__(self, text: object, problem: str, *, node: str | None = None, what: str = "kubelet version") -> None:
        self.text = text
        self.problem = problem
        self.node = node
        self.what = what
        shown = repr(text)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        where = f"node {node}: " if node is not None else ""
        super().__init__(f"{where}not a {what}: {shown} ({problem})")


def _render_path(path: list[str | int]) -> str:
    out = "$"
    for seg in path:
        out += f"[{seg}]" if isinstance(seg, int) else f".{seg}"
    return out


class DecodeError(KubehashError, ValueError):
    """The kubelet could not decode a container: a value Go's decoder rejects.

    ``path`` is the JSON path inside the container (``["resources", "limits", "cpu"]``),
    ``value`` the offending value, ``reason`` Go's complaint. ``pod``/``container``/``namespace``
    are filled in by callers that know them (the CLI, ``predict``).
    """

    def __init__(self, reason: str, value: Any = None, path: list[str | int] | None = None) -> None:
        self.reason = reason
        self.value = value
        self.path: list[str | int] = list(path or [])
        self.namespace: str | None = None
        self.pod: str | None = None
        self.container: str | None = None
        super().__init__(reason)

    def prepend(self, seg: str | int) -> DecodeError:
        """Add an outer path segment while the error unwinds through the decoder."""
        self.path.insert(0, seg)
        return self

    def with_context(
        self, *, namespace: str | None = None, pod: str | None = None, container: str | None = None
    ) -> DecodeError:
        self.namespace = namespace if namespace is not None else self.namespace
        self.pod = pod if pod is not None else self.pod
        self.container = container if container is not None else self.container
        return self

    @property
    def field_path(self) -> str:
        return _render_path(self.path)

    def __str__(self) -> str:
        where = []
        if self.pod is not None:
            where.append(f"pod {self.namespace + '/' if self.namespace else ''}{self.pod}")
        if self.container is not None:
            where.append(f"container {self.container}")
        prefix = (", ".join(where) + ": ") if where else ""
        value = repr(self.value)
        if len(value) > 80:
            value = value[:77] + "..."
        return f"{prefix}{self.field_path}: {self.reason} (value {value})"


class OutputError(KubehashError):
    """kubehash refused to write a file (it exists and differs, is a symlink, escapes the output directory)."""
