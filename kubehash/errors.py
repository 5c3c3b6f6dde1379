"""Every exception kubehash raises, in one place: all of them subclass :class:`KubehashError`.

::

    KubehashError
    ├── VersionError              a version string (kubelet, Go) kubehash cannot parse
    ├── UnsupportedVersionError   a kubelet version kubehash has no release row for
    ├── FeatureGateError          a feature gate a version does not have, or a locked one changed
    ├── DecodeError               the kubelet could not decode a container (Go's decoder rejects a value)
    ├── QuantityError             ``resource.ParseQuantity`` rejects a string
    ├── ImageRefError             ``reference.ParseNormalizedNamed`` rejects an image name
    ├── InputError                an input (file, stream, document, field) cannot be read or used
    │   ├── FieldError            a field of a pod or node has the wrong JSON type (names its path)
    │   ├── ObjectError           a pod or node preflight cannot use as a whole (names the object and field)
    │   ├── KubeletArgsError      a kubelet command line, unit or config file that cannot be read
    │   └── IgnoreFileError       an ignore file the patched kubelet would not use as intended
    ├── ClusterError              a live cluster cannot be read (config, credentials, network)
    ├── OutputError               kubehash refused to write a file
    ├── WriteError                the system refused to write a file (permissions, read-only, no space)
    ├── FormatError               an output format that does not exist, or a result no format knows
    └── ChangelogError            a CHANGELOG file or release tag the spec generator cannot use

``YamlInputError`` is the :class:`InputError` of a YAML dump (file, item or document, line, column).

Errors raised for bad input name where the problem is (file, node, pod, container, field). The CLI maps
them to exit codes (:mod:`kubehash.exitcodes`) in one place.
"""

from __future__ import annotations

__all__ = [
    "ChangelogError",
    "ClusterError",
    "DecodeError",
    "FeatureGateError",
    "FieldError",
    "FormatError",
    "IgnoreFileError",
    "ImageRefError",
    "InputError",
    "KubehashError",
    "KubeletArgsError",
    "ObjectError",
    "OutputError",
    "QuantityError",
    "UnsupportedVersionError",
    "VersionError",
    "WriteError",
    "YamlInputError",
]


class KubehashError(Exception):
    """Base class of every error kubehash raises on bad input, settings or environment."""


class UnsupportedVersionError(KubehashError, ValueError):
    """A kubelet version kubehash cannot parse, or has no schema or release-table row for."""

    def __init__(self, version: object, supported: list[str], why: str = "") -> None:
        self.version = version
        self.supported = supported
        text = repr(version) if len(repr(version)) <= 80 else repr(version)[:77] + "..."
        because = f" ({why})" if why else ""
        super().__init__(f"unsupported kubelet version {text}{because}; supported minors: {', '.join(supported)}")


class FeatureGateError(KubehashError, ValueError):
    """A ``--feature-gates`` value a component of that version would refuse (unknown gate, locked gate, not a
    bool)."""


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

    def __init__(self, reason: str, value: object = None, path: list[str | int] | None = None) -> None:
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


class QuantityError(KubehashError, ValueError):
    """Go's ``resource.ParseQuantity`` rejects the string (the message is Go's). The decoder turns it into a
    :class:`DecodeError` with the field path."""


class ImageRefError(KubehashError, ValueError):
    """``reference.ParseNormalizedNamed`` refuses an image reference (the message follows Go's)."""


class InputError(KubehashError):
    """An input that cannot be read or used: a file, a stream, a document, a field. The message names it."""


class FieldError(InputError, ValueError):
    """A field of a pod or node of the wrong JSON type or value (an API server would never have stored the
    object). ``path`` is the field's path (``$.spec.tolerations[0].key``)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ObjectError(InputError, ValueError):
    """A pod or node that :func:`kubehash.preflight` cannot use as a whole: not an object, not a Pod, a required
    field missing or of the wrong type. The message names the node and the field's path (``node n1:
    $.metadata.labels: must be a map of strings to strings``); preflight reports it as an ``error`` finding of
    the object and goes on with the others."""


class IgnoreFileError(InputError):
    """An ignore file kubehash will not accept; the message names the file and says what the kubelet does.

    ``kind`` classifies the problem (``malformed``, ``truncated``, ``missing``, ``symlink``...)."""

    def __init__(self, origin: str, problem: str, kind: str = "malformed", node: str | None = None) -> None:
        self.origin = origin
        self.problem = problem
        self.kind = kind
        self.node = node
        super().__init__(f"{origin}: {problem}")


class KubeletArgsError(InputError, ValueError):
    """A kubelet command line, systemd unit, environment or config file kubehash cannot read."""


class ClusterError(KubehashError):
    """The cluster could not be read: configuration missing or wrong, credentials rejected, server unreachable."""


class OutputError(KubehashError):
    """kubehash refused to write a file (it exists and differs, is a symlink, escapes the output directory)."""


class WriteError(KubehashError):
    """A file could not be written: the system refused (permission denied, read-only or full file system, a file
    where a directory should be). The message names the path; the CLI exits 2, like for an input it cannot use."""


class FormatError(KubehashError, ValueError):
    """An output format that does not exist, or a result no format knows (:mod:`kubehash.report`)."""


class ChangelogError(KubehashError):
    """A CHANGELOG file or release tag the spec generator cannot use (names the file and line, or the tag)."""


class YamlInputError(InputError):
    """A YAML dump that cannot be read; the message names the file, the item or document, and the line."""

    def __init__(
        self,
        name: str,
        problem: str,
        *,
        item: int | None = None,
        document: int | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.name, self.problem, self.item, self.document = name, problem, item, document
        self.line, self.column = line, column
        where = []
        if item is not None:
            where.append(f"item {item}")
        elif document is not None:
            where.append(f"document {document}")
        if line is not None:
            where.append(f"line {line}" + (f", column {column}" if column is not None else ""))
        if len(where) == 2:
            where = [f"{where[0]} ({where[1]})"]
        super().__init__(f"{name}: {where[0] + ': ' if where else ''}{problem}")
