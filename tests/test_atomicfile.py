import os
import stat
from unittest import mock

import pytest

from kubehash.atomicfile import write_atomic
from kubehash.errors import OutputError


def test_writes_new_file_with_mode(tmp_path):
    p = tmp_path / "a" / "f.txt"
    assert write_atomic(p, b"hello") is True
    assert p.read_bytes() == b"hello"
    assert stat.S_IMODE(p.stat().st_mode) == 0o644
    assert [x.name for x in p.parent.iterdir()] == ["f.txt"]


def test_same_content_is_a_noop_and_different_needs_force(tmp_path):
    p = tmp_path / "f"
    write_atomic(p, b"one")
    assert write_atomic(p, b"one") is False
    with pytest.raises(OutputError, match="--force"):
        write_atomic(p, b"two")
    assert p.read_bytes() == b"one"
    assert write_atomic(p, b"two", force=True) is True
    assert p.read_bytes() == b"two"


def test_refuses_symlink_directory_and_escape(tmp_path):
    real = tmp_path / "real"
    real.write_bytes(b"x")
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="symlink"):
        write_atomic(link, b"y", force=True)
    assert real.read_bytes() == b"x"
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match="directory"):
        write_atomic(tmp_path / "d", b"y", force=True)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputError, match="outside"):
        write_atomic("../evil", b"y", root=out)
    assert not (tmp_path / "evil").exists()
    write_atomic("node-a/file", b"ok", root=out)
    assert (out / "node-a" / "file").read_bytes() == b"ok"


def test_crash_between_write_and_rename_keeps_old_file(tmp_path):
    p = tmp_path / "f"
    write_atomic(p, b"old")
    with mock.patch("kubehash.atomicfile.os.replace", side_effect=KeyboardInterrupt), pytest.raises(KeyboardInterrupt):
        write_atomic(p, b"new", force=True)
    assert p.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f"]
