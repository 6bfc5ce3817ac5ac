"""Helpers shared by the SDTM test modules: build a subset of the domains, copy a spec to edit it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterable

from cdisc_pipe.raw.model import RawExport
from cdisc_pipe.sdtm.assemble import SdtmResult, build_sdtm
from cdisc_pipe.spec import Study
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec


def build_subset(export: RawExport, study: Study, domains: Iterable[str]) -> SdtmResult:
    """SDTM of only ``domains`` of the study's spec (e.g. DM, SE and the domain under test), so that other
    domains cannot disturb the result."""
    wanted = {d.upper() for d in domains}
    return build_sdtm(export, study, {k: v for k, v in load_sdtm_spec(study).items() if k in wanted})


def spec_copy(study_dir: Path, folder: Path, domains: Iterable[str]) -> Path:
    """A copy of the study spec in ``folder`` whose ``sdtm/`` holds only ``domains`` (lower-case file stems),
    for tests that edit a domain file."""
    spec = folder / "study"
    shutil.copytree(study_dir, spec, ignore=shutil.ignore_patterns("raw", "sdtm"))
    (spec / "sdtm").mkdir()
    for name in domains:
        shutil.copy(study_dir / "sdtm" / f"{name}.yaml", spec / "sdtm")
    return spec
