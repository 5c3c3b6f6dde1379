"""A dump cut short (a killed kubectl, a full disk) still predicts the pods before the cut, and says where it
stopped -- the same with one process or several (issue 17: it gave no result at all)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.pipeline.predict_file import predict_file
from kubehash.upgrade.options import Options

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cluster"


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.97])
def test_truncated_dump_gives_the_pods_before_the_cut(tmp_path: Path, fraction: float) -> None:
    data = (EXAMPLE / "pods.json").read_bytes()
    cut = tmp_path / "pods.json"
    cut.write_bytes(data[: int(len(data) * fraction)])
    options = Options(to="v1.14.10", from_version="v1.10.13")
    one, two = predict_file(cut, options, jobs=1), predict_file(cut, options, jobs=2)
    assert one.input_errors == two.input_errors and len(one.input_errors) == 1
    assert one.input_errors[0].startswith(f"{cut}: invalid JSON at character ")
    assert [(c.namespace, c.pod, c.container) for c in one] == [(c.namespace, c.pod, c.container) for c in two]
    full = predict_file(EXAMPLE / "pods.json", options)
    keys = [(c.namespace, c.pod, c.container) for c in full]
    assert 0 < len(one) < len(full) and keys[: len(one)] == [(c.namespace, c.pod, c.container) for c in one]


def test_cli_prints_the_partial_result_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = (EXAMPLE / "pods.json").read_bytes()
    cut = tmp_path / "pods.json"
    cut.write_bytes(data[: len(data) // 2])
    code = main(["predict", "--to", "v1.14.10", "--from", "v1.10.13", "--pods", str(cut), "-o", "csv", "-q"])
    assert code == exitcodes.INPUT_ERROR
    cap = capsys.readouterr()
    assert len(cap.out.splitlines()) > 10 and "items before it were predicted" in cap.err
