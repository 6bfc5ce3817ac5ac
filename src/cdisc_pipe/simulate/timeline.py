"""Each subject's time line: clinic visits attended, survival contacts, death, and the two DS records.

Rules, all vectorised over subjects:

* Clinic visits: screen failures attend ``SCRN`` only. An enrolled subject attends every clinic folder up
  to its course's ``last_clinic``, except those on or after its death or after the data cut-off. The date
  of a folder is day 1 + (planned day - 1) + an offset drawn from ``visit_offsets``, replaced by the
  course's ``visit_days`` where given, then kept inside ``calendar_constraints`` as far as the study.yaml
  window allows.
* Survival contacts (courses with ``long_term``): planned day + offset; a contact on or before the cut-off
  finds the subject alive before the death, and the first one after the death records it (status DEAD);
  later ones are not made.
* Death: the course's day (scaled runs multiply days after the last planned visit by the subject's jitter); a death
  after the cut-off is not known and so not in the data.
* DS at D169: the course's ``d169`` record, dated by its ``dated`` rule (death before the day-169 visit makes
  it DEATH).
  DS at EOS: DEATH when the subject died; the course's ``eos`` record when given; a copy of the D169 record
  for courses without survival follow-up; otherwise COMPLETED at the 2-year contact, or the cut-off status
  at the last contact when the 2-year contact is after the cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cdisc_pipe.simulate.calibration import Calibration, Course
from cdisc_pipe.simulate.population import Population
from cdisc_pipe.spec.model import Study

__all__ = ["Timeline", "build_timeline", "clinic_visits", "disposition_folders"]

NAT = np.datetime64("NaT", "D")


@dataclass(frozen=True, eq=False)
class Timeline:
    """Long tables of visits and contacts, and per-subject arrays (population order)."""

    folders: tuple[str, ...]  # clinic folders in study order
    planned: np.ndarray  # planned study day per clinic folder
    visit_subject: np.ndarray
    visit_folder: np.ndarray  # index into ``folders``
    visit_date: np.ndarray
    contact_subject: np.ndarray
    contact_folder: np.ndarray  # folder name
    contact_date: np.ndarray
    contact_status: np.ndarray  # SURVSTAT submission value
    contact_mode: np.ndarray  # CNTMODE submission value
    death_date: np.ndarray
    death_cause: np.ndarray
    death_related: np.ndarray
    ds: dict[str, dict[str, np.ndarray]]  # folder -> {"status", "date", "term"}; status "" = no record
    last_clinic_date: np.ndarray
    last_alive: np.ndarray


def clinic_visits(study: Study) -> list:
    """The study's clinic visits (not survival contacts), in study order."""
    return [v for v in study.visits if v.kind == "clinic"]


def disposition_folders(study: Study) -> tuple[str, str]:
    """The DS form's folders: end of the visit follow-up (``D169``) and end of study (``EOS``)."""
    end_of_visits, end_of_study = study.form("DS").visits[:2]
    return end_of_visits, end_of_study


def _course_table(calibration: Calibration, course: np.ndarray) -> tuple[list[Course | None], np.ndarray]:
    names = sorted(calibration.courses)
    objects: list[Course | None] = [calibration.courses[n] for n in names] + [None]
    index = np.searchsorted(np.array(names, dtype=object), course)
    index = np.where(np.isin(course, names), index, len(names))
    return objects, index


def _per_course(objects: list[Course | None], index: np.ndarray, get, default) -> np.ndarray:
    values = np.array([get(c) if c is not None else default for c in objects], dtype=object)
    return values[index]


def _clinic_dates(study, calibration, pop, objects, index, rng) -> np.ndarray:
    visits = clinic_visits(study)
    n = len(pop)
    dates = np.full((n, len(visits)), NAT)
    day1 = pop.first_infusion
    for j, visit in enumerate(visits):
        if visit.day is None or visit.day < 1:  # screening: the date drawn with the population
            dates[:, j] = pop.screening
            continue
        low, high = calibration.visit_offsets.get(visit.folder, (0, 0))
        offset = rng.integers(low, high + 1, size=n)
        override = _per_course(objects, index, lambda c, f=visit.folder: dict(c.visit_days).get(f, -(10**6)), -(10**6))
        t = np.where(override.astype(np.int64) > -(10**6), override.astype(np.int64) - 1, visit.day - 1 + offset)
        date = day1 + t.astype("timedelta64[D]")
        for constraint in calibration.calendar_constraints:
            if constraint.folder != visit.folder:
                continue
            lo = day1 + np.timedelta64(visit.day - 1 - visit.window[0], "D")
            hi = day1 + np.timedelta64(visit.day - 1 + visit.window[1], "D")
            if constraint.on_or_after:
                lo = np.maximum(lo, np.datetime64(constraint.on_or_after, "D"))
            if constraint.on_or_before:
                hi = np.minimum(hi, np.datetime64(constraint.on_or_before, "D"))
            apply = (pop.armcd == constraint.arm) & (lo <= hi)
            date = np.where(apply, np.clip(date, lo, hi), date)
        dates[:, j] = date
    return dates


def _dated(rule: np.ndarray, d169: np.ndarray, last: np.ndarray, alive: np.ndarray) -> np.ndarray:
    return np.where(
        rule == "d169_visit", np.where(np.isnat(d169), last, d169), np.where(rule == "alive_contact", alive, last)
    )


def build_timeline(
    study: Study, calibration: Calibration, pop: Population, rng: np.random.Generator, mode_rng: np.random.Generator
) -> Timeline:
    """Lay out every subject's visits, contacts, death and disposition (see the module docstring)."""
    cutoff = np.datetime64(study.data_cutoff, "D") if study.data_cutoff else np.datetime64("2262-01-01", "D")
    visits = clinic_visits(study)
    folders = tuple(v.folder for v in visits)
    objects, index = _course_table(calibration, pop.course)
    enrolled = pop.enrolled
    day1 = pop.first_infusion

    end_of_visits, _ = disposition_folders(study)
    last_planned = study.visit(end_of_visits).day or 0

    # death (scaled runs stretch days after the last planned visit by the subject's jitter)
    death_day = _per_course(objects, index, lambda c: c.death.day if c.death else -1, -1).astype(np.int64)
    t = np.where(death_day > last_planned, np.rint((death_day - 1) * pop.jitter), death_day - 1).astype(np.int64)
    death = np.where(enrolled & (death_day > 0), day1 + t.astype("timedelta64[D]"), NAT)
    death = np.where(death <= cutoff, death, NAT)
    cause = np.where(np.isnat(death), "", _per_course(objects, index, lambda c: c.death.cause if c.death else "", ""))
    related = np.where(
        np.isnat(death), "", _per_course(objects, index, lambda c: "Y" if c.death and c.death.related else "N", "")
    )

    # clinic visits
    dates = _clinic_dates(study, calibration, pop, objects, index, rng)
    last_index = np.where(enrolled, _per_course(objects, index, lambda c: folders.index(c.last_clinic), 0), 0)
    last_index = last_index.astype(np.int64)
    attended = np.arange(len(folders))[None, :] <= last_index[:, None]
    attended &= (np.isnat(death)[:, None] | (dates < death[:, None])) & (dates <= cutoff)
    subj, fold = np.nonzero(attended)
    last_clinic = np.max(np.where(attended, dates, np.datetime64("1900-01-01", "D")), axis=1)

    # survival contacts
    long_term = enrolled & _per_course(objects, index, lambda c: c.long_term, False).astype(bool)
    c_subj, c_fold, c_date, c_status = [], [], [], []
    dead_reported = np.zeros(len(pop), dtype=bool)
    for folder in calibration.contact_folders:
        low, high = calibration.visit_offsets[folder]
        planned = study.visit(folder).day or 0
        date = day1 + (planned - 1 + rng.integers(low, high + 1, size=len(pop))).astype("timedelta64[D]")
        after_death = ~np.isnat(death) & (date >= death)
        made = long_term & (date <= cutoff) & ~dead_reported
        pick = np.nonzero(made)[0]
        c_subj.append(pick)
        c_fold.append(np.full(len(pick), folder, dtype=object))
        c_date.append(date[pick])
        c_status.append(np.where(after_death[pick], "DEAD", "ALIVE").astype(object))
        dead_reported |= made & after_death
    contact_subject = np.concatenate(c_subj)
    sort = np.lexsort((np.concatenate(c_date), contact_subject))
    contact_subject = contact_subject[sort]
    contact_folder, contact_date = np.concatenate(c_fold)[sort], np.concatenate(c_date)[sort]
    contact_status = np.concatenate(c_status)[sort]
    names, weights = zip(*calibration.contact_modes)
    contact_mode = np.array(names, dtype=object)[
        mode_rng.choice(len(names), size=len(contact_subject), p=np.array(weights) / sum(weights))
    ]

    # last known alive
    alive_day = _per_course(objects, index, lambda c: c.alive_contact_day or -1, -1).astype(np.int64)
    alive_contact = np.where(enrolled & (alive_day > 0), day1 + (alive_day - 1).astype("timedelta64[D]"), NAT)
    last_alive = np.where(enrolled, last_clinic, pop.screening)
    alive_dates = np.full(len(pop), np.datetime64("1900-01-01", "D"))
    alive_rows = contact_status == "ALIVE"
    np.maximum.at(alive_dates, contact_subject[alive_rows], contact_date[alive_rows])
    last_alive = np.maximum(last_alive, alive_dates)
    last_alive = np.where(np.isnat(alive_contact), last_alive, np.maximum(last_alive, alive_contact))

    ds = _disposition(
        study,
        calibration,
        objects,
        index,
        enrolled,
        death,
        cause,
        dates[:, folders.index(end_of_visits)],
        attended,
        last_clinic,
        alive_contact,
        long_term,
        contact_subject,
        contact_folder,
        contact_date,
        contact_status,
        last_alive,
        cutoff,
    )
    return Timeline(
        folders=folders,
        planned=np.array([v.day for v in visits]),
        visit_subject=subj,
        visit_folder=fold,
        visit_date=dates[subj, fold],
        contact_subject=contact_subject,
        contact_folder=contact_folder,
        contact_date=contact_date,
        contact_status=contact_status,
        contact_mode=contact_mode,
        death_date=death,
        death_cause=cause,
        death_related=related,
        ds=ds,
        last_clinic_date=np.where(enrolled, last_clinic, pop.screening),
        last_alive=last_alive,
    )


def _disposition(
    study,
    calibration,
    objects,
    index,
    enrolled,
    death,
    cause,
    d169_dates,
    attended,
    last_clinic,
    alive_contact,
    long_term,
    c_subj,
    c_fold,
    c_date,
    c_status,
    last_alive,
    cutoff,
):
    statuses = calibration.statuses
    folders = tuple(v.folder for v in clinic_visits(study))
    end_of_visits, end_of_study = disposition_folders(study)
    d169_date = np.where(attended[:, folders.index(end_of_visits)], d169_dates, NAT)

    def record(get, default=""):
        return _per_course(objects, index, get, default)

    s169 = record(lambda c: c.d169.status)
    t169 = record(lambda c: c.d169.term)
    date169 = _dated(record(lambda c: c.d169.on), d169_date, last_clinic, alive_contact)
    died_early = ~np.isnat(death) & np.isnat(d169_date)
    s169 = np.where(died_early, statuses.death, s169)
    t169 = np.where(died_early, cause, t169)
    date169 = np.where(died_early, death, date169)

    has_eos = record(lambda c: c.eos is not None, False).astype(bool)
    s_eos = np.where(has_eos, record(lambda c: c.eos.status if c.eos else ""), s169)
    t_eos = np.where(has_eos, record(lambda c: c.eos.term if c.eos else ""), t169)
    date_eos = np.where(
        has_eos,
        _dated(record(lambda c: c.eos.on if c.eos else "last_clinic"), d169_date, last_clinic, alive_contact),
        date169,
    )
    final = calibration.contact_folders[-1] if calibration.contact_folders else ""
    done = np.full(len(enrolled), NAT)
    pick = (c_fold == final) & (c_status == "ALIVE")
    done[c_subj[pick]] = c_date[pick]
    followed = long_term & ~has_eos
    s_eos = np.where(followed, np.where(np.isnat(done), statuses.cutoff, statuses.completed), s_eos)
    t_eos = np.where(followed, np.where(np.isnat(done), statuses.cutoff_term, statuses.completed_term), t_eos)
    date_eos = np.where(followed, np.where(np.isnat(done), last_alive, done), date_eos)
    dead = ~np.isnat(death)
    s_eos, t_eos, date_eos = (
        np.where(dead, statuses.death, s_eos),
        np.where(dead, cause, t_eos),
        np.where(dead, death, date_eos),
    )
    out = {}
    for folder, status, date, term in ((end_of_visits, s169, date169, t169), (end_of_study, s_eos, date_eos, t_eos)):
        keep = enrolled & ~np.isnat(date) & (date <= cutoff)
        out[folder] = {
            "status": np.where(keep, status, ""),
            "date": np.where(keep, date, NAT),
            "term": np.where(keep, term, ""),
        }
    return out
