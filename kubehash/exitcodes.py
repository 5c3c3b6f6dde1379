"""Exit codes of the ``kubehash`` command, stable across releases (documented in the README)."""

OK = 0
"""Success; for ``predict``: no restart predicted."""
USAGE = 1
"""Bad command line: unknown option, unsupported version, missing file argument."""
INPUT_ERROR = 2
"""Some input could not be read or decoded (reported per item; the rest was still processed)."""
RESTARTS = 3
"""``predict``: at least one restart predicted (with ``--fail-on restart``, the default)."""
OUTPUT_REFUSED = 4
"""An output file was not written: it exists with other content (use ``--force``), is a symlink or a
directory, or lies outside the output directory. Nothing was changed."""
