"""Fixtures of the simulator tests: the default study's export, simulated once per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cdisc_pipe.simulate import load_calibration, simulate
from cdisc_pipe.spec import Study

SEED_DIR = Path(__file__).resolve().parents[3] / "shared" / "seed"


@pytest.fixture(scope="session")
def calibration(study: Study):
    return load_calibration(study)


@pytest.fixture(scope="session")
def default_frames(study: Study) -> dict[str, pd.DataFrame]:
    """The default export (calibrated design, calibrated seed) as frames of strings."""
    return simulate(study)


@pytest.fixture(scope="session")
def published() -> dict:
    """../shared/seed/published-results.yaml; tests that need it skip with a reason when it is absent."""
    path = SEED_DIR / "published-results.yaml"
    if not path.is_file():
        pytest.skip(f"published results not present beside the checkout (looked in {path})")
    return yaml.safe_load(path.read_text(encoding="utf-8"))
