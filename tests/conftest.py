"""Shared test fixtures: the default study spec, and the reference material beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdisc_pipe.paths import default_study_dir
from cdisc_pipe.spec import Study, load_spec

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def study_dir() -> Path:
    return default_study_dir()


@pytest.fixture(scope="session")
def study(study_dir: Path) -> Study:
    return load_spec(study_dir)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference``; tests that need it skip with a reason on a plain checkout."""
    path = SHARED / "reference"
    if not path.is_dir():
        pytest.skip(f"../shared/reference not present beside the checkout (looked in {path})")
    return path
