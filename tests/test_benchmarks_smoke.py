"""Smoke test of the benchmark command (``python -m benchmarks``, docs/performance.md).

Every case runs once at toy size (``--toy``: a 2,000-row frame, 10-20 simulated subjects, the pipeline only
to validate-raw), so a change that breaks the command fails here, in seconds, not weeks later on the big
machine. It checks that the command runs and writes its table and JSON, never the numbers: at toy size they
mean nothing. Deliberately not marked ``slow``, so it runs with every ``scripts/test``; keep it to toy sizes.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # benchmarks/ is a top-level package of the checkout, not of the install
    sys.path.insert(0, str(REPO))

from benchmarks.__main__ import main  # noqa: E402


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str, Path]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "results.json"
    table = io.StringIO()
    with contextlib.redirect_stdout(table):
        code = main(["--toy", "--out", str(out), "--workdir", str(folder)])
    return code, json.loads(out.read_text()), table.getvalue(), folder


def test_every_case_runs_without_error(toy_run):
    code, results, _, _ = toy_run
    errors = {case: entry["error"] for case, entries in results["cases"].items()
              for entry in entries if "error" in entry}
    assert errors == {}
    assert code == 0
    assert sorted(results["cases"]) == ["1", "2", "3", "4", "5"]


def test_xpt_cases_compare_ours_with_pyreadstat_and_pandas(toy_run):
    _, results, _, _ = toy_run
    (write,), (read,) = results["cases"]["1"], results["cases"]["2"]
    assert set(write["contenders"]) == {"cdisc_pipe", "pyreadstat", "pyreadstat, object str"}
    assert write["records_identical"] is True
    assert set(read["contenders"]) == {"cdisc_pipe", "pyreadstat", "pandas"}
    assert read["values_identical"]["cdisc_pipe"] is True
    assert read["values_identical"]["pyreadstat"] is True
    assert write["ratio"]["median"] > 0 and read["ratio"]["median"] > 0


def test_pipeline_cases_report_stages_and_peak_rss(toy_run):
    _, results, _, _ = toy_run
    (run,) = results["cases"]["4"]
    assert run["ok"] is True
    assert list(run["stages"]) == ["validate-raw"]
    assert run["maxrss_mb"]["max"] > 0
    assert run["per_1000_subjects_seconds"] > 0
    (default,) = results["cases"]["5"]
    assert default["whole_pipeline"] is False  # --toy stops early, so no target is judged on it


def test_results_carry_the_machine_and_its_load(toy_run):
    _, results, table, _ = toy_run
    assert results["machine"]["cores"] >= 1
    assert set(results["load"]) == {"start", "end"}
    assert "targets (issue 8):" in table
    assert "wall s median [min-max]" in table


def test_temporary_files_are_removed(toy_run):
    _, _, _, folder = toy_run
    assert [p.name for p in folder.iterdir() if p.name.startswith("cdisc-bench-")] == []
