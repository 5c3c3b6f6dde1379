"""notebooks/restart-risk.ipynb runs top to bottom against the bundled cluster and draws its figures."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("jupyter_client.kernelspec")

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "restart-risk.ipynb"


def _kernel_spec_manager(tmp_path: Path) -> kernelspec.KernelSpecManager:
    """A kernel spec manager whose "python3" kernel is ipykernel in *this* interpreter (sys.executable), so
    the notebook runs in the test's venv whatever kernels the machine has registered elsewhere."""
    from ipykernel.kernelspec import install

    prefix = tmp_path / "jupyter"
    install(kernel_name="python3", prefix=str(prefix))
    return kernelspec.KernelSpecManager(kernel_dirs=[str(prefix / "share" / "jupyter" / "kernels")])


def _execute(nb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``nb`` in place with a kernel of this interpreter (outputs land in its cells)."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    ksm = _kernel_spec_manager(tmp_path)
    spec = ksm.get_kernel_spec("python3")
    assert spec.argv[0] == sys.executable
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        kernel_manager_class=_manager_class(ksm),
    )
    client.execute()


def test_notebook_runs_and_draws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    _execute(nb, tmp_path, monkeypatch)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    pngs = [base64.b64decode(o["data"]["image/png"]) for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 6 and all(p.startswith(b"\x89PNG") for p in pngs)
    texts = "\n".join(o["data"].get("text/plain", "") for o in outputs if "data" in o)
    assert "'restart': 281" in texts  # the summary of the 1.10 -> 1.17 prediction
    assert "252 pods, 281 runtime records" in "".join(o.get("text", "") for o in outputs)
    html = "\n".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    assert "legacy-report-runner" in html and "single replica" in html
    assert "kubectl label node worker-2 disktype=ssd --overwrite" in html  # the preflight fix
    # the audit of the canary example: 19 predicted restarts seen, 2 not, the OOMKilled miss
    assert "NOT held: 1 restart(s) not predicted" in "".join(o.get("text", "") for o in outputs)
    assert "'predicted_and_restarted': 19" in texts and "'restarted_not_predicted': 1" in texts
    assert "ingest-37b91343-78p9m" in html and "OOMKilled" in html
    # the ignore files (one per node, its current version) protect every restart of the 1.10 -> 1.17 upgrade
    assert "<th>total</th>\n      <td>281</td>\n      <td>0</td>" in html
    assert "<td>239da394</td>" in html  # the edited bare pod the ignore file silently keeps
    # the paths table
    assert "<td>[cheapest]</td>\n      <td>[v1.10.11, v1.11.10, v1.13.12, v1.15.12, v1.17.17]" in html


def _manager_class(ksm: kernelspec.KernelSpecManager) -> type:
    from jupyter_client.manager import AsyncKernelManager

    class _Manager(AsyncKernelManager):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(kernel_spec_manager=ksm, **kwargs)

    return _Manager


def test_notebook_reads_a_live_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PODS = None: the notebook lists pods and nodes from the kubeconfig context (here a local fake API
    server serving the bundled cluster) and comes to the same prediction as from the dump."""
    from fakeapi import PROXY_VARIABLES, serve, write_kubeconfig

    from kubehash.sources.documents import load_documents

    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    cluster = NOTEBOOK.parents[1] / "examples" / "cluster"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# Parameters"))
    params.source = params.source.replace('PODS = "../examples/cluster/pods.json"', "PODS = None")
    params.source = params.source.replace('NODES = "../examples/cluster/nodes.json"', "NODES = None")
    params.source = params.source.replace("CONTEXT = None", 'CONTEXT = "live-test"')
    assert "PODS = None" in params.source and "NODES = None" in params.source and "live-test" in params.source
    with serve() as api:
        api.pods = load_documents(cluster / "pods.json")[0]["items"]
        api.nodes = load_documents(cluster / "nodes.json")[0]["items"]
        kc = write_kubeconfig(tmp_path / "kubeconfig", api.url, context="live-test")
        monkeypatch.setenv("KUBECONFIG", str(kc))
        _execute(nb, tmp_path, monkeypatch)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert "252 pods, 281 runtime records" in "".join(o.get("text", "") for o in outputs)
    texts = "\n".join(o["data"].get("text/plain", "") for o in outputs if "data" in o)
    assert "'restart': 281" in texts
