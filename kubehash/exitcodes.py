"""Exit codes of the ``kubehash`` command, stable across releases (documented in the README)."""

OK = 0
"""Success; for ``predict``: no restart predicted; for ``preflight``: no risk found (warnings and info
findings do not count)."""
USAGE = 1
"""Bad command line: unknown option, unsupported version, missing file argument."""
INPUT_ERROR = 2
"""Some input could not be read or decoded (reported per item; the rest was still processed). For
``preflight``: a malformed pod or node, or a pod bound to a node missing from ``--nodes``; this wins over 3."""
RESTARTS = 3
"""``predict``: at least one restart predicted (with ``--fail-on restart``, the default); ``preflight``: at
least one pod at risk (with ``--fail-on risk``, the default)."""
OUTPUT_REFUSED = 4
"""An output file was not written: it exists with other content (use ``--force``), is a symlink or a
directory, or lies outside the output directory. Nothing was changed."""
