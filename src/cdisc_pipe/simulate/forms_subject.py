"""Subject-level forms: demographics (DM), consent (IC), eligibility (ELIG, IE) and enrolment (ENR).

Every builder takes the study, the calibration, the population and the code book, and returns the
form's columns (values may still be dates; :func:`~cdisc_pipe.simulate.edc.finish_frame` makes strings).
"""

from __future__ import annotations

import string

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.simulate.calibration import Calibration
from cdisc_pipe.simulate.codes import CodeBook
from cdisc_pipe.simulate.edc import Columns, compute_edc_dates, compute_edc_integers, take_text, text_array
from cdisc_pipe.simulate.population import Population
from cdisc_pipe.spec.model import Study

__all__ = [
    "subject_keys",
    "index_of",
    "build_dm",
    "build_ic",
    "build_elig",
    "build_ie",
    "build_enr",
    "compute_initials",
]

_LETTERS = np.array(list(string.ascii_uppercase), dtype=object)


def subject_keys(
    study: Study, pop: Population, rows: np.ndarray, folder: str | np.ndarray | None
) -> dict[str, np.ndarray]:
    """The system columns of records of subjects ``rows``: subject, site and (unless None) folder."""
    raw = study.raw
    rows = np.asarray(rows, dtype=np.int64)
    index = pa.array(rows, type=pa.int64())
    keys = {raw.subject: pc.take(pop.subject_text, index), raw.site: pc.take(pop.site_text, index)}
    if isinstance(folder, str):
        keys[raw.folder] = take_text([folder], np.zeros(len(rows), dtype=np.int64))
    elif folder is not None:
        keys[raw.folder] = text_array(np.asarray(folder, dtype=object))
    return keys


def compute_initials(prefix: str, n: int) -> np.ndarray:
    """``prefix`` + two letters counting up from ``AA``: obviously not a real person's initials."""
    k = np.arange(n)
    return np.char.add(np.char.add(prefix, _LETTERS[(k // 26) % 26].astype(str)), _LETTERS[k % 26].astype(str)).astype(
        object
    )


def build_dm(study: Study, calibration: Calibration, pop: Population, book: CodeBook) -> Columns:
    rows = np.arange(len(pop))
    demo = calibration.demographics
    return {
        **subject_keys(study, pop, rows, study.form("DM").visits[0]),
        "INITIALS": compute_initials(demo.initials_prefix, len(pop)),
        "BRTHDAT": compute_edc_dates(study, pop.birth, pop.birth_precision),
        "SEX": book.codes("SEX", pop.sex),
        "ETHNIC": np.full(len(pop), book.code("ETHNIC", demo.ethnic), dtype=object),
        "RACE": np.full(len(pop), book.code("RACE", demo.race), dtype=object),
    }


def build_ic(study: Study, calibration: Calibration, pop: Population, book: CodeBook) -> Columns:
    starts = np.array([start for start, _v in calibration.consent_versions], dtype="datetime64[D]")
    versions = np.array([v for _s, v in calibration.consent_versions], dtype=object)
    which = np.maximum(np.searchsorted(starts, pop.screening, side="right") - 1, 0)
    return {
        **subject_keys(study, pop, np.arange(len(pop)), study.form("IC").visits[0]),
        "ICDAT": pop.screening,
        "ICVERS": versions[which],
    }


def build_elig(study: Study, calibration: Calibration, pop: Population, book: CodeBook) -> Columns:
    return {
        **subject_keys(study, pop, np.arange(len(pop)), study.form("ELIG").visits[0]),
        "ELIGDAT": pop.eligibility,
        "ELIGYN": np.where(pop.enrolled, book.code("NY", "Y"), book.code("NY", "N")).astype(object),
    }


def build_ie(study: Study, calibration: Calibration, pop: Population, book: CodeBook) -> Columns:
    """One record per criterion a screen failure did not meet, numbered 1, 2, ... within subject."""
    templates = calibration.screen_failures
    lengths = np.array([len(t.criteria) for t in templates] or [0])
    flat = np.array([c for t in templates for c in t.criteria] or [""], dtype=object)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    failed = np.nonzero(pop.failure >= 0)[0]
    count = lengths[pop.failure[failed]]
    rows = np.repeat(failed, count)
    position = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    criteria = flat[np.repeat(starts[pop.failure[failed]], count) + position]
    return {
        **subject_keys(study, pop, rows, study.form("IE").visits[0]),
        study.raw.record: compute_edc_integers(position + 1),
        "IEDAT": pop.eligibility[rows],
        "IECRIT": book.codes("IECRIT", criteria),
    }


def build_enr(study: Study, calibration: Calibration, pop: Population, book: CodeBook) -> Columns:
    rows = np.nonzero(pop.enrolled)[0]
    codes = {arm.armcd: arm.code for arm in study.arms}
    names = np.array(list(codes), dtype=object)
    arm_codes = np.array(list(codes.values()), dtype=object)
    return {
        **subject_keys(study, pop, rows, study.form("ENR").visits[0]),
        "ENRDAT": pop.enrolment[rows],
        "DOSEGRP": arm_codes[index_of(names, pop.armcd[rows])],
    }


def index_of(names: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position in ``names`` of each of ``values`` (all of which must be in ``names``)."""
    order = np.argsort(names)
    return order[np.searchsorted(names[order], values)]
