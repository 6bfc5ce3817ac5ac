"""`cdisc-pipe check DIR`: exit codes and the report files (the rules themselves are tested in
tests/conformance)."""

from __future__ import annotations

from cdisc_pipe.cli import main


def test_check_of_a_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r")]) == 2
    assert "DIR must be an existing folder" in capsys.readouterr().err


def test_check_of_the_written_tree_passes_and_writes_both_reports(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "--out", str(out)]) == 0
    assert main(["check", str(out / "m5"), "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "0 reject, 0 error" in err
    assert (tmp_path / "r" / "conformance.json").is_file() and (tmp_path / "r" / "conformance.html").is_file()


def test_check_of_a_folder_with_an_unreadable_xpt_exits_1(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "dm.xpt").write_bytes(b"not an xpt file")
    assert main(["check", str(folder), "--out", str(tmp_path / "r")]) == 1
    assert "1 reject" in capsys.readouterr().err
