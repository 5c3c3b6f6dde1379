"""Exit codes of the ``kubehash`` command, stable across releases (the README and docs/cli.md list them)."""

OK = 0
"""Success; for ``predict``: no restart predicted; for ``audit``: the prediction held (every restart on an
upgraded node was predicted); for ``watch``: no UNEXPECTED restart and no miss in the final audit; for
``preflight``: no risk found (warnings and info
findings do not count); for ``ignore-file check``: every file well-formed and (with ``--pods``) no danger and
every node's file safe to delete; for ``ignore-file generate``: every file written or already identical."""
USAGE = 1
"""Bad command line: unknown option, unsupported version, missing file argument, a time that does not parse."""
INPUT_ERROR = 2
"""Some input could not be read or decoded (reported per item; the rest was still processed); this wins over 3.
For ``preflight``: a malformed pod or node, or a pod bound to a node missing from ``--nodes``. For
``ignore-file check``: a file is missing, unreadable, a directory or a symlink, malformed or truncated, dated
in the future, or not older than the target version, or a stray temporary file of an interrupted ``generate``
lies in the layout; for ``predict --ignore-files``: such a file (its node is treated as having none). Also: a
file the system would not let kubehash write (permissions, read-only or full file system; for ``ignore-file
generate`` the other nodes' files are still written), and a damaged snapshot (checksum mismatch). For
``watch``: the cluster cannot be reached, or the watch gave up mid-way (its summary is still printed)."""
RESTARTS = 3
"""Risks found. ``predict``: at least one restart predicted (with ``--fail-on risk``, the default; ``restart`` is
accepted as its synonym). ``audit``: a restart on an upgraded node that was not predicted (``miss`` is accepted
for ``risk``). ``watch``: an UNEXPECTED restart was seen, or the final audit found a miss.
``preflight``: at least one pod at risk (with ``--fail-on risk``, the default). ``ignore-file check`` with
``--pods``: a danger (a protected container whose spec changed since it started: the kubelet will not apply
the change while the file is active) or a node whose file is not yet safe to delete."""
OUTPUT_REFUSED = 4
"""An output file was not written: it exists with other content (use ``--force``), is a symlink or a
directory, a directory on its way below the output directory is a symlink, or it lies outside the output
directory. Nothing was changed. Also the generated script's and
DaemonSet's exit status when they refuse to replace a node's file."""
INTERRUPTED = 130
"""Stopped by Ctrl-C (SIGINT), as shells report it."""
INTERNAL = 70
"""A bug in kubehash (EX_SOFTWARE): one line on stderr instead of a traceback (``KUBEHASH_DEBUG=1`` shows it);
please report it with the command line."""
