"""kubehash.analysis figures: what they draw, and that they render (Agg)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure

from kubehash.analysis import plot_comparison, plot_pods_at_risk, plot_restarts_by, plot_upgrade_paths
from kubehash.sources.documents import load_documents
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import plan
from kubehash.upgrade.predict import predict

matplotlib.use("Agg")  # non-interactive: tests never open windows

DATA = Path(__file__).parents[1] / "data" / "analysis"


@pytest.fixture(scope="module")
def cluster():
    return load_documents(DATA / "pods.json"), load_documents(DATA / "nodes.json")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_restarts_by_node_stacks_verdicts(cluster):
    p = predict(cluster[0], Options(to="1.12"), nodes=cluster[1])
    fig = plot_restarts_by(p, "node")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["-", "n1", "n2"]  # most restarts at the top
    restart = next(c for c in ax.containers if c.get_label() == "restart")
    assert [patch.get_width() for patch in restart.patches] == [0, 1, 1]
    assert "kubelet v1.12.10" in ax.get_title()  # a bare minor is its newest patch
    assert _png(fig).startswith(b"\x89PNG")


def test_restarts_by_reason(cluster):
    fig = plot_restarts_by(predict(cluster[0], Options(to="1.17"), nodes=cluster[1]), "reason")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["algorithm struct -> json"]
    assert [p.get_width() for p in ax.patches] == [13]


def test_pods_at_risk_figure(cluster):
    fig = plot_pods_at_risk(predict(cluster[0], Options(to="1.17"), nodes=cluster[1]))
    ax = fig.axes[0]
    labels = {c.get_label(): sum(p.get_width() for p in c.patches) for c in ax.containers}
    assert labels == {
        "static pod": 1,
        "bare pod": 1,
        "StatefulSet": 2,
        "single replica": 2,
        "all replicas on one node": 2,
    }
    assert _png(fig).startswith(b"\x89PNG")


def test_comparison_figure(cluster):
    pods, nodes = cluster
    fig = plot_comparison(
        {
            "without": predict(pods, Options(to="1.17"), nodes=nodes),
            "with": predict(pods, Options(to="1.17"), nodes=nodes, protected=lambda c: c.node == "n2"),
        }
    )
    ax = fig.axes[0]
    heights = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    assert heights == {"without": [6, 7], "with": [6, 0]}
    assert sorted(t.get_text() for t in ax.texts) == ["0", "6", "6", "7"]  # every bar labelled, zeros too


def test_upgrade_paths_figure(cluster):
    result = plan(cluster[0], Options(to="1.13"), nodes=cluster[1])
    fig = plot_upgrade_paths(result)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cheapest", "fewest-hops", "minor-by-minor", "direct"]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_width() == 2  # the direct jump 1.10 -> 1.13 is outside the policy
    assert _png(fig).startswith(b"\x89PNG")
