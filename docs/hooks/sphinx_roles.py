"""MkDocs hook: the docstrings use Sphinx roles (:class:`~kubehash.errors.InputError`); mkdocstrings renders
them as text, so each becomes plain code here, the way Sphinx shows it (``~`` keeps the last name only)."""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):<code>(~?)([^<]*)</code>")


def _name(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html: str, **_: Any) -> str:
    """Replace every rendered Sphinx role in a page's HTML by the code it names."""
    return _ROLE.sub(_name, html)
