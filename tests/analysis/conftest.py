"""Fixtures for the analysis tests: R as an independent reference (skipped with a reason where absent),
and the paper's published figures from ``../shared/seed``."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import yaml

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed"

R_PRELUDE = """
out <- function(name, x) cat(name, "=", paste(sprintf("%.17g", as.numeric(x)), collapse = ","), "\\n", sep = "")
"""


def _parse(text: str) -> dict[str, np.ndarray]:
    values = {}
    for line in text.splitlines():
        if "=" not in line:
            continue
        name, _, body = line.partition("=")
        items = [item for item in body.strip().split(",") if item]
        values[name.strip()] = np.array([float("nan") if item in ("NA", "NaN") else float(item) for item in items])
    return values


@pytest.fixture(scope="session")
def r_values() -> Callable[..., dict[str, np.ndarray]]:
    """Run R code and return what it printed with ``out(name, vector)`` as float arrays (NA -> NaN).
    ``packages`` are attached first; the test skips when Rscript or a package is absent."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found on PATH (install r-base-core and r-cran-survival for the R cross-checks)")

    available: dict[str, bool] = {}

    def run(code: str, *, packages: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
        for package in packages:
            if package not in available:
                probe = subprocess.run([rscript, "-e", f"library({package})"], capture_output=True, text=True)
                available[package] = probe.returncode == 0
            if not available[package]:
                pytest.skip(f"R package '{package}' is not installed (Debian: r-cran-{package})")
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "check.R"
            script.write_text(R_PRELUDE + "\n" + code, encoding="utf-8")
            done = subprocess.run([rscript, "--vanilla", str(script)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return _parse(done.stdout)

    return run


@pytest.fixture(scope="session")
def r_vector() -> Callable[..., str]:
    """Turns numbers into an R numeric vector literal, exact to the last bit."""
    return lambda values: "c(" + ",".join(repr(float(v)) for v in np.asarray(values, dtype=float).ravel()) + ")"


@pytest.fixture(scope="session")
def published() -> dict:
    """``../shared/seed/published-results.yaml``; tests that need it skip with a reason where it is absent."""
    path = SEED / "published-results.yaml"
    if not path.is_file():
        pytest.skip(f"published results not present beside the checkout (looked in {path})")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def adam_study(tmp_path_factory) -> dict:
    """The default study's ADaM datasets as an analysis reads them: the pipeline run once per session until
    the export stage, then ``read_adam`` on the written XPT files (dict name -> DataFrame)."""
    import cdisc_pipe
    from cdisc_pipe.analysis.load import adam_folder, read_adam

    out = tmp_path_factory.mktemp("adam_study")
    result = cdisc_pipe.run(out=out, until="export")
    assert result.failed_stage is None, f"the pipeline must run through export (failed at {result.failed_stage})"
    return read_adam(adam_folder(out, result.study.studyid))
