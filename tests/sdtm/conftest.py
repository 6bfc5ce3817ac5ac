"""One build of the default study's SDTM, shared by every test module that only reads it."""

from __future__ import annotations

import pytest

from cdisc_pipe.raw.model import RawExport
from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import SdtmResult, build_sdtm


@pytest.fixture(scope="session")
def default_export(study) -> RawExport:
    """The shipped raw export (byte-identical to a default `cdisc-pipe simulate`, see tests/simulate)."""
    return read_raw(study.root / "raw", study)


@pytest.fixture(scope="session")
def default_sdtm(default_export, study) -> SdtmResult:
    """SDTM of the shipped export. Shared: tests must not modify its frames."""
    return build_sdtm(default_export, study)
