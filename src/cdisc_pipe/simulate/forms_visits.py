"""Visit-bound forms of the core: visit dates (VIS), infusions (EX), disposition (DS), survival contacts
(SURV) and death (DTH). All are read off the :class:`~cdisc_pipe.simulate.timeline.Timeline`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdisc_pipe.simulate.calibration import Calibration
from cdisc_pipe.simulate.codes import CodeBook
from cdisc_pipe.simulate.edc import Columns, compute_edc_numbers, compute_edc_times
from cdisc_pipe.simulate.forms_subject import index_of, subject_keys
from cdisc_pipe.simulate.population import Population
from cdisc_pipe.simulate.timeline import Timeline
from cdisc_pipe.spec.model import Study

__all__ = ["build_vis", "build_ex", "build_ds", "build_surv", "build_dth", "build_schedule_frame"]


def build_vis(study: Study, pop: Population, timeline: Timeline) -> Columns:
    folders = np.array(timeline.folders, dtype=object)
    return {
        **subject_keys(study, pop, timeline.visit_subject, folders[timeline.visit_folder]),
        "VISDAT": timeline.visit_date,
    }


def build_ex(
    study: Study,
    calibration: Calibration,
    pop: Population,
    timeline: Timeline,
    book: CodeBook,
    rng: np.random.Generator,
) -> Columns:
    """One record per infusion visit attended: date, start and end time, cells, volume, route."""
    wanted = np.array([timeline.folders.index(f) for f in calibration.infusion_folders])
    pick = np.isin(timeline.visit_folder, wanted)
    rows = timeline.visit_subject[pick]
    n = len(rows)
    first, last = calibration.infusion_start
    start = first + 5 * rng.integers(0, (last - first) // 5 + 1, size=n)
    end = start + rng.integers(calibration.infusion_minutes[0], calibration.infusion_minutes[1] + 1, size=n)
    doses = np.array([arm.dose for arm in study.arms])
    names = np.array([arm.armcd for arm in study.arms], dtype=object)
    return {
        **subject_keys(study, pop, rows, np.array(timeline.folders, dtype=object)[timeline.visit_folder[pick]]),
        "EXSTDAT": timeline.visit_date[pick],
        "EXSTTIM": compute_edc_times(study, start),
        "EXENTIM": compute_edc_times(study, end),
        "EXDOSE": compute_edc_numbers(doses[index_of(names, pop.armcd[rows])]),
        "EXVOL": compute_edc_numbers(np.full(n, calibration.infusion_volume)),
        "EXROUTE": np.full(n, book.code("EXROUTE", "INTRAVENOUS"), dtype=object),
    }


def build_ds(study: Study, pop: Population, timeline: Timeline, book: CodeBook) -> Columns:
    """The D169 and EOS records of every enrolled subject, subject by subject."""
    parts = []
    for order, (folder, record) in enumerate(timeline.ds.items()):
        rows = np.nonzero(record["status"] != "")[0]
        parts.append((rows, np.full(len(rows), order), folder, record))
    rows = np.concatenate([p[0] for p in parts])
    sort = np.lexsort((np.concatenate([p[1] for p in parts]), rows))
    folder = np.concatenate([np.full(len(p[0]), p[2], dtype=object) for p in parts])[sort]
    status = np.concatenate([p[3]["status"][p[0]] for p in parts])[sort]
    return {
        **subject_keys(study, pop, rows[sort], folder),
        "DSDAT": np.concatenate([p[3]["date"][p[0]] for p in parts])[sort],
        "DSDECOD": book.codes("DSDECOD", status),
        "DSTERM": np.concatenate([p[3]["term"][p[0]] for p in parts])[sort].astype(object),
    }


def build_surv(study: Study, calibration: Calibration, pop: Population, timeline: Timeline, book: CodeBook) -> Columns:
    rows = timeline.contact_subject
    width = max(4, len(str(len(pop))))
    number = np.char.zfill((rows + 1).astype(str), width)
    return {
        **subject_keys(study, pop, rows, timeline.contact_folder),
        "CONTDAT": timeline.contact_date,
        "CONTMODE": book.codes("CONTMODE", timeline.contact_mode),
        "SURVSTAT": book.codes("SURVSTAT", timeline.contact_status),
        "PHONE": np.char.add(calibration.phone_prefix, number).astype(object),
    }


def build_dth(study: Study, pop: Population, timeline: Timeline, book: CodeBook) -> Columns:
    rows = np.nonzero(~np.isnat(timeline.death_date))[0]
    return {
        **subject_keys(study, pop, rows, None),
        "DTHDAT": timeline.death_date[rows],
        "DTHCAUS": timeline.death_cause[rows].astype(object),
        "DTHREL": book.codes("NY", timeline.death_related[rows]),
    }


def build_schedule_frame(study: Study, pop: Population, timeline: Timeline, book: CodeBook) -> pd.DataFrame:
    """The schedule handed to the measurement simulator (columns: docs/simulator.md)."""
    rows = timeline.visit_subject
    visdat = timeline.visit_date
    day1 = pop.first_infusion[rows]
    delta = (visdat - day1).astype("timedelta64[D]")
    unknown = np.isnat(delta)
    days = np.where(unknown, 0, delta.astype(np.int64))
    visdy = pd.arrays.IntegerArray(np.where(days >= 0, days + 1, days), unknown)  # no day 0
    raw = study.raw
    return pd.DataFrame(
        {
            raw.subject: pd.array(pop.subject[rows], dtype="str"),
            raw.site: pd.array(pop.site[rows], dtype="str"),
            "ARMCD": pd.array(pop.armcd[rows], dtype="str"),
            "ARMSEQ": pop.armseq[rows].astype(np.int64),
            "COURSE": pd.array(pop.course[rows], dtype="str"),
            "ENROLLED": pop.enrolled[rows].astype(bool),
            "SEX": pd.array(book.codes("SEX", pop.sex[rows]), dtype="str"),
            "AGE": pop.age[rows].astype(np.int64),
            raw.folder: pd.array(np.array(timeline.folders, dtype=object)[timeline.visit_folder], dtype="str"),
            "VISITDY": timeline.planned[timeline.visit_folder].astype(np.int64),
            "VISDAT": visdat.astype("datetime64[s]"),
            "VISDY": visdy,
            "RFSTDAT": day1.astype("datetime64[s]"),
        }
    )
