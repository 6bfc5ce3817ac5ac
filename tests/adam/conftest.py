"""One build of the default study's ADaM, shared by every test module that only reads it."""

from __future__ import annotations

import pytest

from cdisc_pipe.adam.engine import AdamResult, build_adam
from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import SdtmResult, build_sdtm


@pytest.fixture(scope="session")
def adam_sdtm(study) -> SdtmResult:
    """SDTM of the shipped export (the input of the ADaM build). Shared: do not modify its frames."""
    return build_sdtm(read_raw(study.root / "raw", study), study)


@pytest.fixture(scope="session")
def default_adam(adam_sdtm, study) -> AdamResult:
    """ADaM of the shipped export. Shared: tests must not modify its frames."""
    return build_adam(adam_sdtm.domains, study)
