"""The screened population: who is screened when, who fails, who is enrolled in which arm, and how.

At the calibrated size (``subjects`` is ``None`` or the calibration's ``design.enrolled``) every enrolled
subject takes the day-1 date and the course listed for its position in ``simulation.yaml``, and the screen
failures are exactly the listed ones. At any other size ``N``: arms get equal thirds (the remainder goes to
the first arms in order), day-1 dates are drawn uniformly between each arm's first and last calibrated
date, courses and screen-failure templates are drawn uniformly from the calibrated lists (so their rates
are the calibrated ones), and there are ``round(N * screen_failures / enrolled)`` screen failures.

Subject numbers follow the screening date, as an EDC assigns them: ``<site>-<number>``, the number
zero-padded to at least three digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cdisc_pipe.simulate.calibration import Calibration
from cdisc_pipe.simulate.edc import FULL, NO_DAY, NO_MONTH
from cdisc_pipe.spec.model import Study

__all__ = ["Population", "build_population", "is_calibrated_size", "compute_age"]


@dataclass(frozen=True, eq=False)
class Population:
    """One entry per screened subject, in subject-number order. Dates are ``datetime64[D]``."""

    subject: np.ndarray
    site: np.ndarray
    subject_text: pa.Array  # ``subject`` and ``site`` as Arrow text, for cheap ``take`` into forms
    site_text: pa.Array
    armcd: np.ndarray
    armseq: np.ndarray
    course: np.ndarray
    enrolled: np.ndarray
    sex: np.ndarray  # submission value (M/F)
    age: np.ndarray
    birth: np.ndarray
    birth_precision: np.ndarray
    screening: np.ndarray
    eligibility: np.ndarray
    enrolment: np.ndarray
    first_infusion: np.ndarray
    failure: np.ndarray  # index into calibration.screen_failures, -1 for enrolled subjects
    jitter: np.ndarray  # factor applied to a course's days after day 169 (1.0 at the calibrated size)
    calibrated: bool

    def __len__(self) -> int:
        return len(self.subject)


def is_calibrated_size(calibration: Calibration, subjects: int | None) -> bool:
    """Whether ``subjects`` means the calibrated design (hand-placed events) rather than a scaled one."""
    return subjects is None or subjects == calibration.enrolled


def _arm_sizes(n: int, arms: int) -> np.ndarray:
    sizes = np.full(arms, n // arms, dtype=np.int64)
    sizes[: n % arms] += 1
    return sizes


def _uniform_days(rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, size: int) -> np.ndarray:
    """Integers uniform in [low, high] (inclusive), as day counts."""
    return rng.integers(low, np.asarray(high) + 1, size=size).astype("timedelta64[D]")


def _enrolled(calibration: Calibration, subjects: int | None, rng: np.random.Generator) -> dict[str, np.ndarray]:
    calibrated = is_calibrated_size(calibration, subjects)
    sizes = (
        np.array([len(a.first_infusions) for a in calibration.arms])
        if calibrated
        else _arm_sizes(int(subjects), len(calibration.arms))
    )
    arm, seq, day1, course, jitter = [], [], [], [], []
    for plan, size in zip(calibration.arms, sizes):
        dates = np.array(plan.first_infusions, dtype="datetime64[D]")
        if calibrated:
            first, courses, factor = dates, np.array(plan.courses, dtype=object), np.ones(size)
        else:
            span = int((dates[-1] - dates[0]).astype(np.int64))
            first = np.sort(dates[0] + rng.integers(0, span + 1, size=size).astype("timedelta64[D]"))
            courses = np.array(plan.courses, dtype=object)[rng.integers(0, len(plan.courses), size=size)]
            factor = rng.uniform(*calibration.scale_jitter, size=size)
        arm.append(np.full(size, plan.armcd, dtype=object))
        seq.append(np.arange(1, size + 1))
        day1.append(first)
        course.append(courses)
        jitter.append(factor)
    return {
        "armcd": np.concatenate(arm),
        "armseq": np.concatenate(seq),
        "first_infusion": np.concatenate(day1),
        "course": np.concatenate(course),
        "jitter": np.concatenate(jitter),
    }


def _failures(calibration: Calibration, subjects: int | None, rng: np.random.Generator) -> dict[str, np.ndarray]:
    templates = calibration.screen_failures
    if is_calibrated_size(calibration, subjects):
        index = np.arange(len(templates))
    else:
        count = (int(subjects) * calibration.screen_failure_count * 2 + calibration.enrolled) // (
            2 * calibration.enrolled
        )
        index = rng.integers(0, len(templates), size=count)
    first = {a.armcd: np.datetime64(a.first_infusions[0], "D") for a in calibration.arms}
    last = {a.armcd: np.datetime64(a.first_infusions[-1], "D") for a in calibration.arms}
    template_low = np.array([first[t.cohort] for t in templates], dtype="datetime64[D]")
    template_high = np.array([last[t.cohort] for t in templates], dtype="datetime64[D]")
    low = template_low[index] + np.timedelta64(calibration.failure_window[0], "D")
    high = template_high[index] + np.timedelta64(calibration.failure_window[1], "D")
    span = (high - low).astype(np.int64)
    screening = low + (rng.random(len(index)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")
    return {"failure": index.astype(np.int64), "screening": screening}


def compute_age(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years from ``birth`` to ``on`` (both ``datetime64[D]``), vectorised; leap days handled."""
    by, oy = birth.astype("datetime64[Y]"), on.astype("datetime64[Y]")
    years = (oy - by).astype(np.int64)
    bm = (birth.astype("datetime64[M]") - by.astype("datetime64[M]")).astype(np.int64)
    om = (on.astype("datetime64[M]") - oy.astype("datetime64[M]")).astype(np.int64)
    bd = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    od = (on - on.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    before = (om < bm) | ((om == bm) & (od < bd))
    return years - before.astype(np.int64)


def _demographics(
    calibration: Calibration, screening: np.ndarray, failure: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    demo = calibration.demographics
    n = len(screening)
    sex = np.where(rng.random(n) < demo.male, "M", "F").astype(object)
    target = np.clip(np.rint(rng.normal(demo.age_mean, demo.age_sd, n)), demo.age_min, demo.age_max).astype(np.int64)
    template_age = np.array([f.age if f.age is not None else -1 for f in calibration.screen_failures] or [-1])
    override = np.where(failure >= 0, template_age[np.maximum(failure, 0)], -1)
    target = np.where(override >= 0, override, target)
    extra = rng.integers(1, 364, size=n)
    birth = screening - (np.floor(target * 365.2425).astype(np.int64) + extra).astype("timedelta64[D]")
    age = compute_age(birth, screening)
    birth = birth + ((age - target) * 365).astype("timedelta64[D]")  # a leap-day slip costs at most one year
    age = compute_age(birth, screening)
    u = rng.random(n)
    precision = np.where(
        u < demo.birth_unknown_month,
        NO_MONTH,
        np.where(u < demo.birth_unknown_month + demo.birth_unknown_day, NO_DAY, FULL),
    )
    return {"sex": sex, "age": age, "birth": birth, "birth_precision": precision.astype(np.int64)}


def _subject_ids(site: str, n: int) -> np.ndarray:
    width = max(3, len(str(n)))
    numbers = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    return np.char.add(f"{site}-", numbers).astype(object)


def build_population(
    study: Study, calibration: Calibration, subjects: int | None, rng: np.random.Generator
) -> Population:
    """Draw the screened population of a run (see the module docstring for the rules)."""
    enrolled = _enrolled(calibration, subjects, rng)
    n_enr = len(enrolled["armcd"])
    screening_visit = next(v for v in study.visits if v.kind == "clinic" and (v.day or 0) < 1)
    scrn_low, scrn_high = calibration.visit_offsets[screening_visit.folder]
    scrn_day = screening_visit.day or 0
    screening_enr = enrolled["first_infusion"] + (scrn_day + rng.integers(scrn_low, scrn_high + 1, size=n_enr)).astype(
        "timedelta64[D]"
    )
    failures = _failures(calibration, subjects, rng)
    n_fail = len(failures["failure"])

    screening = np.concatenate([screening_enr, failures["screening"]])
    n = len(screening)
    elig = screening + _uniform_days(rng, *calibration.eligibility_after_screening, size=n)
    first = np.concatenate([enrolled["first_infusion"], np.full(n_fail, np.datetime64("NaT"), dtype="datetime64[D]")])
    is_enr = np.arange(n) < n_enr
    elig = np.where(is_enr, np.minimum(elig, first - np.timedelta64(1, "D")), elig)
    enrolment = np.minimum(
        elig + _uniform_days(rng, *calibration.enrolment_after_eligibility, size=n), first - np.timedelta64(1, "D")
    )
    enrolment = np.where(is_enr, enrolment, np.datetime64("NaT"))
    failure = np.concatenate([np.full(n_enr, -1, dtype=np.int64), failures["failure"]])
    demo = _demographics(calibration, screening, failure, rng)

    order = np.lexsort((rng.random(n), screening))  # screening date, ties in random order
    armcd = np.concatenate([enrolled["armcd"], np.full(n_fail, study.screen_fail_arm, dtype=object)])
    fail_seq = np.zeros(n, dtype=np.int64)
    fail_seq[order[~is_enr[order]]] = np.arange(1, n_fail + 1)
    armseq = np.concatenate([enrolled["armseq"], np.zeros(n_fail, dtype=np.int64)]) + fail_seq
    course = np.concatenate([enrolled["course"], np.full(n_fail, "screen_failure", dtype=object)])
    jitter = np.concatenate([enrolled["jitter"], np.ones(n_fail)])
    subject = _subject_ids(calibration.site, n)
    site = np.full(n, calibration.site, dtype=object)
    return Population(
        subject=subject,
        site=site,
        subject_text=pa.array(subject, type=pa.large_string()),
        site_text=pa.array(site, type=pa.large_string()),
        armcd=armcd[order],
        armseq=armseq[order],
        course=course[order],
        enrolled=is_enr[order],
        sex=demo["sex"][order],
        age=demo["age"][order],
        birth=demo["birth"][order],
        birth_precision=demo["birth_precision"][order],
        screening=screening[order],
        eligibility=elig[order],
        enrolment=enrolment[order],
        first_infusion=first[order],
        failure=failure[order],
        jitter=jitter[order],
        calibrated=is_calibrated_size(calibration, subjects),
    )
