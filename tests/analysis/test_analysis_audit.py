"""kubehash.analysis audit frames and figure, on the canary scenario."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from kubehash import analysis
from kubehash.upgrade.audit import audit

sys.path.insert(0, str(Path(__file__).parents[1] / "upgrade"))
from _canary import scenario


def test_confusion_and_by_node() -> None:
    pods, nodes, records, after, after_nodes, _story = scenario()
    result = audit(pods, nodes, after, after_nodes, runtime_before=records)
    confusion = analysis.audit_confusion(result)
    assert confusion.loc["predicted restart", "restarted"] == 19
    assert confusion.loc["predicted restart", "not restarted"] == 2
    assert confusion.loc["predicted no restart", "restarted"] == 1
    assert int(confusion.to_numpy().sum()) == sum(1 for c in result if c.upgraded) == 151
    by_node = analysis.audit_by(result, "node")
    assert list(by_node.index[:2]) == ["worker-1", "worker-2"]  # upgraded nodes first
    assert by_node.loc["worker-3", "restarted-on-node-not-upgraded"] == 1 and by_node["total"].sum() == len(result)
    fig = analysis.plot_audit(result)
    assert len(fig.axes) == 2 and "2" in fig.axes[0].get_title()


def test_confusion_without_upgrade() -> None:
    pods, nodes, *_ = scenario()
    result = audit(pods, nodes, pods, nodes)
    assert int(analysis.audit_confusion(result).to_numpy().sum()) == 0
