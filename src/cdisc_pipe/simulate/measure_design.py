"""Who is measured when: the schedule read into per-subject arrays, each subject tied to a template.

On the default design (every arm of the calibration has exactly its templates' ARMSEQ positions, with the
templates' courses and visits) subject ARMSEQ ``i`` of arm ``A`` *is* template ``(A, i)``: the design is
``calibrated`` and the stored rank patterns apply. Any other schedule is ``scaled``: every enrolled
subject draws a template of its arm and course (or of its arm, or of any arm), so the rates of the
default design carry over. Screen failures draw a template of any arm for their screening values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from cdisc_pipe.simulate.measure_config import SYMPTOMS, MeasurementConfig
from cdisc_pipe.spec.model import Study

__all__ = ["REQUIRED_COLUMNS", "Design", "build_design"]

REQUIRED_COLUMNS = ("SUBJECT", "SITENUMBER", "ARMCD", "ARMSEQ", "COURSE", "ENROLLED", "SEX", "FOLDER", "VISDAT")
EXTRA_FOLDERS = ("D008", "D015")


@dataclass(frozen=True, eq=False)
class Design:
    """Enrolled subjects (axis 0) by analysis visit (axis 1: baseline, then follow-up), and screen failures."""

    calibrated: bool
    visits: tuple[str, ...]
    subject: np.ndarray
    site: np.ndarray
    arm: np.ndarray                  # template arm (= ARMCD on the default design)
    seq: np.ndarray                  # template ARMSEQ
    template: np.ndarray             # index into ``template_keys``
    template_keys: tuple[tuple[str, int], ...]
    sex: np.ndarray
    attended: np.ndarray             # bool, subjects x visits
    dates: np.ndarray                # datetime64, NaT where not attended
    other_dates: dict[str, np.ndarray]   # SCRN, D008, D015 -> datetime64 per subject (NaT: not attended)
    record_absent: dict[str, np.ndarray]  # form -> bool, subjects x visits
    value_absent: dict[tuple[str, str], np.ndarray]
    alb_band: np.ndarray             # Child-Pugh points by visit (0 = not attended)
    tbil_band: np.ndarray
    symptoms: dict[str, np.ndarray]  # grade or 0/1 by visit, -1 = not attended
    sf36: np.ndarray
    sf_subject: np.ndarray           # screen failures
    sf_site: np.ndarray
    sf_sex: np.ndarray
    sf_date: np.ndarray
    sf_arm: np.ndarray
    sf_seq: np.ndarray
    sf_template: np.ndarray
    order: np.ndarray                # rank of every subject id: enrolled first, then screen failures
    id_text: pa.Array                # subject ids, enrolled then screen failures (for the frames)
    site_text: pa.Array
    sf_failed: dict[str, np.ndarray]     # criterion id -> failed it (from the optional IECRIT column)

    @property
    def n(self) -> int:
        return len(self.subject)


def _assert_schedule(schedule: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in schedule.columns]
    if missing:
        raise ValueError(f"`schedule` must have columns {list(REQUIRED_COLUMNS)} (got none named {missing})")
    if not pd.api.types.is_datetime64_any_dtype(schedule["VISDAT"]):
        raise ValueError(f"`schedule` column VISDAT must be datetime64 (got {schedule['VISDAT'].dtype})")


def _is_calibrated(config: MeasurementConfig, arm: np.ndarray, seq: np.ndarray, course: np.ndarray,
                   attended: np.ndarray) -> bool:
    if not set(arm) <= set(config.templates):
        return False
    for name, templates in config.templates.items():
        mine = arm == name
        if sorted(seq[mine].tolist()) != sorted(templates):
            return False
        for i in np.flatnonzero(mine):
            template = templates[int(seq[i])]
            planned = np.array([c != "." for c in template.alb])
            if template.course != course[i] or not np.array_equal(planned, attended[i]):
                return False
    return True


def _draw_templates(config: MeasurementConfig, arm: np.ndarray, course: np.ndarray,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Scaled runs: a template of the same arm and course, else of the same arm, else of any arm."""
    every = [(a, s) for a, by_seq in config.templates.items() for s in by_seq]
    out_arm = np.empty(len(arm), dtype=object)
    out_seq = np.zeros(len(arm), dtype=np.int64)
    keys = pd.MultiIndex.from_arrays([arm, course])
    for a, c in keys.unique():
        rows = np.flatnonzero((arm == a) & (course == c))
        by_seq = config.templates.get(a, {})
        pool = [(a, s) for s, t in by_seq.items() if t.course == c] or [(a, s) for s in by_seq] or every
        pick = rng.integers(0, len(pool), size=len(rows))
        out_arm[rows] = np.array([p[0] for p in pool], dtype=object)[pick]
        out_seq[rows] = np.array([p[1] for p in pool], dtype=np.int64)[pick]
    return out_arm, out_seq


def template_keys(config: MeasurementConfig) -> tuple[tuple[str, int], ...]:
    """Every template as (arm, ARMSEQ), in the calibration's order."""
    return tuple((a, s) for a, by_seq in config.templates.items() for s in by_seq)


def template_codes(keys: tuple[tuple[str, int], ...], arm: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Index into ``keys`` of every (arm, seq) pair (a loop over the templates, not the subjects)."""
    out = np.zeros(len(arm), dtype=np.int64)
    for i, (a, s) in enumerate(keys):
        out[(arm == a) & (seq == s)] = i
    return out


def _template_matrix(config: MeasurementConfig, keys, codes: np.ndarray, key: str) -> np.ndarray:
    """Per subject and visit, the template character of string ``key`` as a number (-1 for '.')."""
    rows = []
    for a, s in keys:
        t = config.templates[a][s]
        text = getattr(t, key) if key in ("alb", "tbil") else t.symptoms[key]
        rows.append([-1 if c == "." else int(c) for c in text])
    return np.array(rows, dtype=np.int64).reshape(len(keys), -1)[codes]


def _missing_masks(config: MeasurementConfig, study: Study, arm: np.ndarray, seq: np.ndarray, n_visits: int):
    record_absent = {f.id: np.zeros((len(arm), n_visits), dtype=bool) for f in study.forms}
    value_absent: dict[tuple[str, str], np.ndarray] = {}
    for rule in config.missing:
        if rule.folder not in config.visits:
            continue
        k = config.visits.index(rule.folder)
        who = (arm == rule.arm) & (np.ones(len(arm), dtype=bool) if rule.armseq is None else np.isin(seq, rule.armseq))
        if rule.fields is None:
            record_absent[rule.form][who, k] = True
            continue
        for name in rule.fields:
            mask = value_absent.setdefault((rule.form, name), np.zeros((len(arm), n_visits), dtype=bool))
            mask[who, k] = True
    return record_absent, value_absent


def build_design(study: Study, schedule: pd.DataFrame, config: MeasurementConfig, rng: np.random.Generator) -> Design:
    """Read ``schedule`` (columns: docs/simulator.md) into a :class:`Design` (draws templates when scaled)."""
    _assert_schedule(schedule)
    enrolled = schedule[schedule["ENROLLED"].astype(bool)]
    subjects, first = np.unique(enrolled["SUBJECT"].to_numpy(dtype=object), return_index=True)
    index = pd.Index(subjects)
    rows = index.get_indexer(enrolled["SUBJECT"].to_numpy(dtype=object))
    head = enrolled.iloc[first]
    arm = head["ARMCD"].to_numpy(dtype=object)
    seq = head["ARMSEQ"].to_numpy(dtype=np.int64)
    course = head["COURSE"].to_numpy(dtype=object)
    visits = config.visits
    n_subjects, n_visits = len(subjects), len(visits)
    folder = enrolled["FOLDER"].to_numpy(dtype=object)
    dates = np.full((n_subjects, n_visits), np.datetime64("NaT"), dtype="datetime64[s]")
    visdat = enrolled["VISDAT"].to_numpy().astype("datetime64[s]")
    for k, name in enumerate(visits):
        hit = folder == name
        dates[rows[hit], k] = visdat[hit]
    other = {}
    for name in (config.screening, *EXTRA_FOLDERS):
        column = np.full(n_subjects, np.datetime64("NaT"), dtype="datetime64[s]")
        hit = folder == name
        column[rows[hit]] = visdat[hit]
        other[name] = column
    attended = ~np.isnat(dates)
    calibrated = _is_calibrated(config, arm, seq, course, attended)
    t_arm, t_seq = (arm, seq) if calibrated else _draw_templates(config, arm, course, rng)
    keys = template_keys(config)
    codes = template_codes(keys, t_arm, t_seq)
    alb = _template_matrix(config, keys, codes, "alb")
    tbil = _template_matrix(config, keys, codes, "tbil")
    base_alb, base_tbil = alb[:, 0].copy(), tbil[:, 0].copy()
    # scaled runs: a visit the template does not plan keeps the baseline band
    alb = np.where(alb < 0, base_alb[:, None], alb)
    tbil = np.where(tbil < 0, base_tbil[:, None], tbil)
    symptoms = {}
    for key in SYMPTOMS:
        grid = _template_matrix(config, keys, codes, key)
        symptoms[key] = np.where(grid < 0, grid[:, :1], grid)
    sf36 = np.array([config.templates[a][s].sf36 for a, s in keys], dtype=bool)[codes]
    record_absent, value_absent = _missing_masks(config, study, t_arm, t_seq, n_visits)

    failures = schedule[~schedule["ENROLLED"].astype(bool) & (schedule["FOLDER"] == config.screening)]
    pick = rng.integers(0, len(keys), size=len(failures))
    sf_ids = failures["SUBJECT"].to_numpy(dtype=object)
    order = pd.factorize(np.concatenate([subjects.astype(object), sf_ids]), sort=True)[0].astype(np.int64)
    failed: dict[str, np.ndarray] = {}
    if "IECRIT" in failures.columns:
        crit_codes, crit_text = pd.factorize(failures["IECRIT"].fillna("").astype(str))
        for code, text in enumerate(crit_text):
            for criterion in (c.strip() for c in str(text).replace(",", ";").split(";")):
                if criterion:
                    mask = failed.setdefault(criterion, np.zeros(len(failures), dtype=bool))
                    mask |= crit_codes == code
    return Design(
        calibrated=calibrated, visits=visits, subject=subjects.astype(object),
        site=head["SITENUMBER"].to_numpy(dtype=object), arm=np.asarray(t_arm, dtype=object), seq=t_seq,
        template=codes, template_keys=keys, order=order,
        id_text=pa.array(np.concatenate([subjects, sf_ids]).astype(str), type=pa.large_string()),
        site_text=pa.array(np.concatenate([head["SITENUMBER"].to_numpy(dtype=object),
                                           failures["SITENUMBER"].to_numpy(dtype=object)]).astype(str),
                           type=pa.large_string()),
        sex=head["SEX"].astype(str).to_numpy(dtype=object), attended=attended, dates=dates, other_dates=other,
        record_absent=record_absent, value_absent=value_absent, alb_band=alb, tbil_band=tbil,
        symptoms=symptoms, sf36=sf36,
        sf_subject=sf_ids, sf_site=failures["SITENUMBER"].to_numpy(dtype=object),
        sf_sex=failures["SEX"].astype(str).to_numpy(dtype=object),
        sf_date=failures["VISDAT"].to_numpy().astype("datetime64[s]"),
        sf_arm=np.array([a for a, _ in keys], dtype=object)[pick], sf_seq=np.array([s for _, s in keys], dtype=np.int64)[pick],
        sf_template=pick,
        sf_failed=failed,
    )
