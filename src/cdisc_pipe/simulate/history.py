"""Medical history (MH) and concomitant medication (CM) of every screened subject, drawn from the rates
of ``medical_history`` and ``concomitant_medications`` in ``simulation.yaml``.

Start dates lie ``years_before`` (uniform) before informed consent, never before the 15th birthday, and
are entered without the day or without day and month at the listed shares, as sites enter old dates.
A medication with ``requires`` is given only to subjects with that medical-history term. Medications not
``ongoing`` stop between their start and consent.
"""

from __future__ import annotations

import numpy as np

from cdisc_pipe.simulate.calibration import Calibration
from cdisc_pipe.simulate.codes import CodeBook
from cdisc_pipe.simulate.edc import (
    Columns,
    FULL,
    NO_DAY,
    NO_MONTH,
    compute_edc_dates,
    compute_edc_integers,
    compute_edc_numbers,
)
from cdisc_pipe.simulate.forms_subject import subject_keys
from cdisc_pipe.simulate.population import Population
from cdisc_pipe.spec.model import Study

__all__ = ["build_mh", "build_cm"]

_YEAR = 365.2425


def _start(rng, pop: Population, rows: np.ndarray, years: tuple[float, float]) -> np.ndarray:
    back = np.rint(rng.uniform(years[0], years[1], size=len(rows)) * _YEAR).astype(np.int64)
    start = pop.screening[rows] - back.astype("timedelta64[D]")
    earliest = pop.birth[rows] + np.timedelta64(int(15 * _YEAR), "D")
    return np.maximum(start, earliest)


def _precision(rng, n: int, unknown_day: float, unknown_month: float) -> np.ndarray:
    u = rng.random(n)
    return np.where(u < unknown_month, NO_MONTH, np.where(u < unknown_month + unknown_day, NO_DAY, FULL))


def _positions(subject: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable order by subject, and 1-based record positions within subject."""
    order = np.argsort(subject, kind="stable")
    count = np.bincount(subject, minlength=n)
    position = np.arange(len(subject)) - (np.cumsum(count) - count)[subject[order]] + 1
    return order, position


def _history(calibration: Calibration, pop: Population, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = len(pop)
    parts: dict[str, list] = {"subject": [], "term": [], "start": [], "prec": [], "ongoing": []}
    for item in calibration.medical_history:
        rows = np.nonzero(rng.random(n) < item.rate)[0]
        parts["subject"].append(rows)
        parts["term"].append(np.full(len(rows), item.term, dtype=object))
        parts["start"].append(_start(rng, pop, rows, item.years_before))
        parts["prec"].append(_precision(rng, len(rows), item.unknown_day, item.unknown_month))
        parts["ongoing"].append(rng.random(len(rows)) < item.ongoing)
    return {k: np.concatenate(v) for k, v in parts.items()}


def build_mh(
    study: Study, calibration: Calibration, pop: Population, book: CodeBook, rng: np.random.Generator
) -> tuple[Columns, dict[str, np.ndarray]]:
    """The MH form, and per term a boolean array telling which subjects have it (for ``requires``)."""
    mh = _history(calibration, pop, rng)
    order, position = _positions(mh["subject"], len(pop))
    mh = {k: v[order] for k, v in mh.items()}
    has = {}
    for item in calibration.medical_history:
        mask = np.zeros(len(pop), dtype=bool)
        mask[mh["subject"][mh["term"] == item.term]] = True
        has[item.term] = mask
    yes, no = book.code("NY", "Y"), book.code("NY", "N")
    frame = {
        **subject_keys(study, pop, mh["subject"], None),
        study.raw.record: compute_edc_integers(position),
        "MHTERM": mh["term"],
        "MHSTDAT": compute_edc_dates(study, mh["start"], mh["prec"]),
        "MHONGO": np.where(mh["ongoing"], yes, no).astype(object),
    }
    return frame, has


def build_cm(
    study: Study,
    calibration: Calibration,
    pop: Population,
    book: CodeBook,
    has: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> Columns:
    n = len(pop)
    parts: dict[str, list] = {k: [] for k in ("subject", "option", "start", "prec", "end", "ongoing", "med")}
    options = [o for med in calibration.medications for o in med.options]
    first_option = np.cumsum([0] + [len(m.options) for m in calibration.medications])
    for m, med in enumerate(calibration.medications):
        eligible = has.get(med.requires, np.zeros(n, bool)) if med.requires else np.ones(n, dtype=bool)
        rows = np.nonzero(eligible & (rng.random(n) < med.rate))[0]
        weights = np.array([o.weight for o in med.options])
        choice = first_option[m] + rng.choice(len(med.options), size=len(rows), p=weights / weights.sum())
        start = _start(rng, pop, rows, med.years_before)
        ongoing = rng.random(len(rows)) < med.ongoing
        span = (pop.screening[rows] - start).astype(np.int64)
        end = start + (rng.random(len(rows)) * np.maximum(span, 0)).astype(np.int64).astype("timedelta64[D]")
        for key, value in (
            ("subject", rows),
            ("option", choice),
            ("start", start),
            ("ongoing", ongoing),
            ("prec", _precision(rng, len(rows), med.unknown_day, med.unknown_month)),
            ("end", np.where(ongoing, np.datetime64("NaT"), end)),
            ("med", np.full(len(rows), m)),
        ):
            parts[key].append(value)
    cm = {k: np.concatenate(v) for k, v in parts.items()}
    order, position = _positions(cm["subject"], n)
    cm = {k: v[order] for k, v in cm.items()}
    table = {
        name: np.array([getattr(o, name) for o in options], dtype=object)[cm["option"]]
        for name in ("treatment", "category", "dose", "unit", "frequency", "route", "indication")
    }
    yes, no = book.code("NY", "Y"), book.code("NY", "N")
    return {
        **subject_keys(study, pop, cm["subject"], None),
        study.raw.record: compute_edc_integers(position),
        "CMTRT": table["treatment"],
        "CMCAT": book.codes("CMCAT", table["category"]),
        "CMINDC": table["indication"],
        "CMDOSE": compute_edc_numbers(table["dose"].astype(np.float64)),
        "CMDOSU": book.codes("CMDOSU", table["unit"]),
        "CMDOSFRQ": book.codes("CMDOSFRQ", table["frequency"]),
        "CMROUTE": book.codes("CMROUTE", table["route"]),
        "CMSTDAT": compute_edc_dates(study, cm["start"], cm["prec"]),
        "CMENDAT": compute_edc_dates(study, cm["end"]),
        "CMONGO": np.where(cm["ongoing"], yes, no).astype(object),
    }
