"""The adverse-event log (AE): the calibrated non-serious events plus the serious events of the courses.

Non-serious events are collected from the first infusion to the last clinic visit.

* **Calibrated size.** Every event of ``adverse_events.events`` is made exactly once and given to a
  subject of its group: events found at a laboratory visit (``lab: true``) to a subject with weight equal
  to its number of post-baseline laboratory visits; other events with weight equal to its days under
  observation.
* **Other sizes.** Each subject has Poisson(rate x days under observation) events, where a group's rate
  is its calibrated number of events / the calibrated subjects' days from day 1 to their courses' last
  clinic visit (planned day); each event is drawn uniformly
  from the group's calibrated list, so the mix of terms, grades and relationships is the calibrated one.

Onset: laboratory events on a post-baseline laboratory visit date; events judged anything but
"absolutely irrelevant" 0-2 days after an infusion; the others uniformly over the observation period.
End: onset + a drawn duration, or ongoing (no end date, NOT RECOVERED) when that passes the last visit.
Action taken: DOSE NOT CHANGED for events starting by the last infusion, NOT APPLICABLE after it.
A few start and end dates are entered without the day (``partial_start_dates``, ``partial_end_dates``;
a rate at other sizes), chosen where the month alone still places them after the first infusion.
"""

from __future__ import annotations

import numpy as np

from cdisc_pipe.simulate.calibration import Calibration
from cdisc_pipe.simulate.codes import SAE_CRITERIA, CodeBook
from cdisc_pipe.simulate.edc import Columns, FULL, NO_DAY, compute_edc_dates, compute_edc_integers, sort_rank, take_text
from cdisc_pipe.simulate.forms_subject import subject_keys
from cdisc_pipe.simulate.population import Population
from cdisc_pipe.simulate.timeline import NAT, Timeline
from cdisc_pipe.spec.model import Study

__all__ = ["build_ae", "IRRELEVANT"]

#: The relationship that needs no infusion nearby.
IRRELEVANT = "ABSOLUTELY IRRELEVANT"


def _templates(calibration: Calibration, arm: str) -> dict[str, np.ndarray]:
    """The group's calibrated events, one entry per event."""
    events = calibration.adverse_events.events_of(arm)
    counts = np.array([e.count for e in events], dtype=np.int64)
    return {
        "concept": np.repeat(np.array([e.concept for e in events], dtype=object), counts),
        "grade": np.repeat(np.array([e.grade for e in events], dtype=np.int64), counts),
        "relationship": np.repeat(np.array([e.relationship for e in events], dtype=object), counts),
    }


def _is_lab(calibration: Calibration, concept: np.ndarray) -> np.ndarray:
    terms = calibration.adverse_events.terms
    names = np.array(sorted(terms), dtype=object)
    table = np.array([terms[n].lab for n in names], dtype=bool)
    return table[np.searchsorted(names, concept)] if len(concept) else np.zeros(0, dtype=bool)


def _flat_dates(timeline: Timeline, folders: tuple[str, ...], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates of the given folders per subject as (dates sorted by subject, first index, count)."""
    wanted = np.array([timeline.folders.index(f) for f in folders if f in timeline.folders], dtype=np.int64)
    pick = np.isin(timeline.visit_folder, wanted)
    subject, dates = timeline.visit_subject[pick], timeline.visit_date[pick]
    count = np.bincount(subject, minlength=n)
    return dates, np.cumsum(count) - count, count


def _pick_dates(rng, subject, dates, first, count) -> np.ndarray:
    j = (rng.random(len(subject)) * np.maximum(count[subject], 1)).astype(np.int64)
    index = np.minimum(first[subject] + j, max(len(dates) - 1, 0))
    return np.where(count[subject] > 0, dates[index] if len(dates) else NAT, NAT)


def _exposure_days(study: Study, calibration: Calibration, arm: str) -> float:
    """Days under observation of the calibrated subjects of ``arm``: day 1 to each course's last clinic visit."""
    total = 0.0
    for name in calibration.arm(arm).courses:
        course = calibration.courses[name]
        total += dict(course.visit_days).get(course.last_clinic, study.visit(course.last_clinic).day or 1)
    return total


def _assign(study, calibration, pop, timeline, lab_count, length, rng) -> dict[str, np.ndarray]:
    """Which subject has which non-serious event (module docstring)."""
    parts = []
    for arm in (a.armcd for a in calibration.arms):
        template = _templates(calibration, arm)
        members = np.nonzero(pop.enrolled & (pop.armcd == arm))[0]
        if len(members) == 0 or len(template["concept"]) == 0:
            continue
        if pop.calibrated:
            lab = _is_lab(calibration, template["concept"])
            subject = np.empty(len(lab), dtype=np.int64)
            for kind, weight in ((True, lab_count[members]), (False, length[members] + 1)):
                rows = np.nonzero(lab == kind)[0]
                w = weight.astype(np.float64) if weight.sum() > 0 else np.ones(len(members))
                subject[rows] = members[rng.choice(len(members), size=len(rows), p=w / w.sum())]
            chosen = np.arange(len(lab))
        else:
            rate = len(template["concept"]) / _exposure_days(study, calibration, arm)
            k = rng.poisson(rate * (length[members] + 1))
            subject = np.repeat(members, k)
            chosen = rng.integers(0, len(template["concept"]), size=len(subject))
        parts.append({"subject": subject, **{key: value[chosen] for key, value in template.items()}})
    if not parts:
        return {
            "subject": np.zeros(0, np.int64),
            "concept": np.zeros(0, object),
            "grade": np.zeros(0, np.int64),
            "relationship": np.zeros(0, object),
        }
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _verbatims(calibration: Calibration, concept: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    terms = calibration.adverse_events.terms
    names = np.array(sorted(terms), dtype=object)
    table = [terms[n].verbatims for n in names]
    flat = np.array([v for t in table for v in t], dtype=object)
    size = np.array([len(t) for t in table], dtype=np.int64)
    start = np.cumsum(size) - size
    which = np.searchsorted(names, concept)
    n_alt = size[which] - 1
    variant = (rng.random(len(concept)) < calibration.adverse_events.variant_rate) & (n_alt > 0)
    alt = 1 + (rng.random(len(concept)) * np.maximum(n_alt, 1)).astype(np.int64)
    return flat[start[which] + np.where(variant, alt, 0)]


def _partial(rng, candidates: np.ndarray, count: int, rate: float, calibrated: bool) -> np.ndarray:
    out = np.zeros(len(candidates), dtype=bool)
    pool = np.nonzero(candidates)[0]
    if calibrated:
        out[rng.choice(pool, size=min(count, len(pool)), replace=False)] = True
    else:
        out[pool] = rng.random(len(pool)) < rate
    return out


def build_ae(
    study: Study,
    calibration: Calibration,
    pop: Population,
    timeline: Timeline,
    book: CodeBook,
    rng: np.random.Generator,
) -> Columns:
    """The AE form (see the module docstring for how events are placed)."""
    plan = calibration.adverse_events
    n = len(pop)
    day1 = pop.first_infusion
    end_obs = timeline.last_clinic_date
    length = np.where(pop.enrolled, (end_obs - day1).astype("timedelta64[D]").astype(np.int64), 0)
    lab_dates, lab_first, lab_count = _flat_dates(timeline, plan.lab_folders, n)
    inf_dates, inf_first, inf_count = _flat_dates(timeline, calibration.infusion_folders, n)
    last_infusion = np.full(n, NAT)
    has_inf = inf_count > 0
    last_infusion[has_inf] = inf_dates[inf_first[has_inf] + inf_count[has_inf] - 1]

    ev = _assign(study, calibration, pop, timeline, lab_count, length, rng)
    s = ev["subject"]
    lab = _is_lab(calibration, ev["concept"]) & (lab_count[s] > 0)
    related = (ev["relationship"] != IRRELEVANT) & ~lab
    uniform = day1[s] + (rng.random(len(s)) * (length[s] + 1)).astype(np.int64).astype("timedelta64[D]")
    near_infusion = _pick_dates(rng, s, inf_dates, inf_first, inf_count) + rng.integers(
        plan.related_onset_days[0], plan.related_onset_days[1] + 1, size=len(s)
    ).astype("timedelta64[D]")
    start = np.where(
        lab,
        _pick_dates(rng, s, lab_dates, lab_first, lab_count),
        np.where(related, np.minimum(near_infusion, end_obs[s]), uniform),
    )
    low, high = np.where(lab[:, None], np.array(plan.lab_duration), np.array(plan.other_duration)).T
    end = start + rng.integers(low, high + 1).astype("timedelta64[D]")
    ongoing = end > end_obs[s]
    end = np.where(ongoing, NAT, end)
    verbatim = _verbatims(calibration, ev["concept"], rng)

    total = max(len(plan.events) and sum(e.count for e in plan.events), 1)
    later_month = start.astype("datetime64[M]") > day1[s].astype("datetime64[M]")
    end_later = np.isnat(end) | (end.astype("datetime64[M]") > start.astype("datetime64[M]"))
    partial_start = _partial(
        rng, ~lab & later_month & end_later, plan.partial_start_dates, plan.partial_start_dates / total, pop.calibrated
    )
    partial_end = _partial(
        rng,
        ~np.isnat(end)
        & ~partial_start
        & ~np.isnat(end)
        & (end.astype("datetime64[M]") > start.astype("datetime64[M]")),
        plan.partial_end_dates,
        plan.partial_end_dates / total,
        pop.calibrated,
    )
    records = {
        "subject": s,
        "start": start,
        "end": end,
        "start_prec": np.where(partial_start, NO_DAY, FULL),
        "end_prec": np.where(partial_end, NO_DAY, FULL),
        "verbatim": verbatim,
        "grade": ev["grade"],
        "serious": np.zeros(len(s), dtype=bool),
        "criteria": np.zeros((len(s), len(SAE_CRITERIA)), dtype=bool),
        "relationship": ev["relationship"],
        "outcome": np.where(ongoing, "NOT RECOVERED/NOT RESOLVED", "RECOVERED/RESOLVED").astype(object),
    }
    serious = _serious(calibration, pop, timeline)
    merged = {k: np.concatenate([records[k], serious[k]]) for k in records}
    return _frame(study, pop, merged, last_infusion, book)


def _serious(calibration: Calibration, pop: Population, timeline: Timeline) -> dict[str, np.ndarray]:
    """The serious events of the subjects' courses."""
    keys = sorted(calibration.serious_events)
    names, inverse = np.unique(pop.course.astype(str), return_inverse=True)
    course_sae = {name: c.sae for name, c in calibration.courses.items() if c.sae}
    key = np.array([course_sae.get(c, "") for c in names] or [""], dtype=object)[inverse]
    subject = np.nonzero(pop.enrolled & (key != ""))[0]
    events = [calibration.serious_events[k] for k in keys]
    which = np.searchsorted(np.array(keys, dtype=object), key[subject]) if keys else np.zeros(0, np.int64)
    attr = lambda get, dtype=object: np.array([get(e) for e in events] or [0], dtype=dtype)[which]  # noqa: E731
    day1 = pop.first_infusion[subject]
    start = day1 + (attr(lambda e: e.start_day, np.int64) - 1).astype("timedelta64[D]")
    end_day = attr(lambda e: e.end_day if e.end_day is not None else -1, np.int64)
    death = timeline.death_date[subject]
    end = np.where(end_day > 0, day1 + (end_day - 1).astype("timedelta64[D]"), death)
    keep = np.isnat(death) | (start < death)
    ongoing = np.isnat(end)
    outcome = np.where(ongoing, "NOT RECOVERED/NOT RESOLVED", attr(lambda e: e.outcome))
    return {
        "subject": subject[keep],
        "start": start[keep],
        "end": end[keep],
        "start_prec": np.zeros(keep.sum(), np.int64),
        "end_prec": np.zeros(keep.sum(), np.int64),
        "verbatim": attr(lambda e: e.term)[keep],
        "grade": attr(lambda e: e.grade, np.int64)[keep],
        "serious": np.ones(keep.sum(), dtype=bool),
        "criteria": _flags(events, which)[keep],
        "relationship": attr(lambda e: e.relationship)[keep],
        "outcome": outcome[keep].astype(object),
    }


def _flags(events, which: np.ndarray) -> np.ndarray:
    """Seriousness criteria of each event as booleans, one column per entry of ``SAE_CRITERIA``."""
    table = np.array([[c in e.criteria for c in SAE_CRITERIA] for e in events] or [[False] * len(SAE_CRITERIA)])
    return table[which] if len(which) else np.zeros((0, len(SAE_CRITERIA)), dtype=bool)


def _frame(study, pop, rec, last_infusion, book: CodeBook) -> Columns:
    order = np.lexsort((sort_rank(rec["verbatim"]), rec["start"], rec["subject"]))
    rec = {k: v[order] for k, v in rec.items()}
    s = rec["subject"]
    count = np.bincount(s, minlength=len(pop))
    position = np.arange(len(s)) - (np.cumsum(count) - count)[s] + 1
    yes, no = book.code("NY", "Y"), book.code("NY", "N")
    ongoing = np.isnat(rec["end"])
    action = np.where(rec["start"] <= last_infusion[s], "DOSE NOT CHANGED", "NOT APPLICABLE")
    columns = {
        **subject_keys(study, pop, s, None),
        study.raw.record: compute_edc_integers(position),
        "AETERM": rec["verbatim"],
        "AESTDAT": compute_edc_dates(study, rec["start"], rec["start_prec"]),
        "AEENDAT": compute_edc_dates(study, rec["end"], rec["end_prec"]),
        "AEONGO": take_text([no, yes], ongoing.astype(np.int64)),
        "AEGRADE": compute_edc_integers(rec["grade"]),
        "AESER": take_text([no, yes], rec["serious"].astype(np.int64)),
    }
    for i, criterion in enumerate(SAE_CRITERIA):
        flag = np.where(rec["serious"], np.where(rec["criteria"][:, i], 1, 2), 0)
        columns[criterion] = take_text(["", yes, no], flag)
    columns["AEREL"] = book.codes("AEREL", rec["relationship"])
    columns["AEACN"] = book.codes("AEACN", action)
    columns["AEOUT"] = book.codes("AEOUT", rec["outcome"])
    return columns
