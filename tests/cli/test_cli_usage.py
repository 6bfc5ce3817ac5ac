"""Exit codes and messages of the command line for usage and spec errors."""

from __future__ import annotations

import shutil

import pytest

from cdisc_pipe.cli import main


def test_validate_spec_on_default(capsys):
    assert main(["validate-spec"]) == 0
    assert "is valid: study HUCMSC-DLC, 22 forms" in capsys.readouterr().out


def test_bad_spec_exits_2_with_the_problem(tmp_path, study_dir, capsys):
    spec = tmp_path / "spec"
    shutil.copytree(study_dir, spec, ignore=shutil.ignore_patterns("raw", "simulation*"))
    forms = spec / "forms.yaml"
    forms.write_text(forms.read_text(encoding="utf-8").replace("codelist: SEX,", "codelist: SEXX,"),
                     encoding="utf-8")
    assert main(["run", "--study", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cdisc-pipe: spec error:" in err
    assert "'SEXX' must name a codelist (got 'SEXX'); closest match: 'SEX'" in err
    assert not (tmp_path / "out").exists()


def test_missing_raw_path_exits_2(tmp_path, capsys):
    assert main(["run", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert f"--raw must be an existing path (got '{tmp_path / 'nowhere'}')" in capsys.readouterr().err


def test_unknown_subcommand_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["transmogrify"])
    assert caught.value.code == 2


def test_simulate_rejects_non_positive_subjects(tmp_path, capsys):
    assert main(["simulate", "--subjects", "0", "--out", str(tmp_path)]) == 2
    assert "--subjects must be a positive whole number (got 0)" in capsys.readouterr().err
