"""Measurement forms of the simulated raw export: laboratory panels, vital signs, symptoms and SF-36.

:func:`simulate_measurements` is called by the core simulator with the visit schedule. On the default
design the published within-group and between-group results are placed by the rank patterns of
``simulation-measurements.yaml`` and every other cell is guarded to stay not significant; at any other
size the same templates and distributions are resampled (``docs/simulator-measurements.md``). Laboratory
values are whole multiples of each field's reporting precision, so differences are exact.

Modules: ``measure_config`` (the YAML), ``measure_design`` (schedule -> subjects and templates),
``measure_changes`` / ``measure_values`` / ``measure_labs`` (changes, baselines, every field),
``measure_guard`` (the default design's checks), ``measure_screening`` (screen failures),
``measure_symptoms`` (SYMP, SF36), ``measure_frames`` (records and text), ``measure_scores`` (PT, INR,
Child-Pugh, MELD) and ``ranks`` (rank statistics and the pattern search).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdisc_pipe.simulate.measure_config import (
    MeasurementConfig,
    read_measurement_config,
)
from cdisc_pipe.simulate.measure_design import Design, build_design
from cdisc_pipe.simulate.measure_frames import (
    SCREENING_SLOT,
    assemble,
    form_records,
    format_units,
)
from cdisc_pipe.simulate.measure_guard import enforce_meld_limit, run_guard
from cdisc_pipe.simulate.measure_labs import LabState, build_labs, coagulation_values
from cdisc_pipe.simulate.measure_screening import (
    screen_failure_values,
    screening_design,
)
from cdisc_pipe.simulate.measure_symptoms import build_sf36, build_symp
from cdisc_pipe.simulate.measure_values import FieldValues
from cdisc_pipe.spec.model import Study

__all__ = ["MEASUREMENT_FORMS", "simulate_measurements"]

MEASUREMENT_FORMS = ("LBLIV", "LBCOAG", "LBCHEM", "LBHEM", "LBIMM", "LBCYT", "VS", "SYMP", "SF36")
_LAB_FORMS = MEASUREMENT_FORMS[:6]


def _field_units(fv: FieldValues | None, sf: FieldValues | None, records) -> tuple[np.ndarray, np.ndarray]:
    """Units and presence of one field for every record (screening, analysis visits, screen failures)."""
    n = len(records.slot)
    units = np.zeros(n, dtype=np.int64)
    present = np.zeros(n, dtype=bool)
    enrolled = records.subject >= 0
    if fv is not None and enrolled.any():
        i = np.maximum(records.subject, 0)
        visit = np.clip(records.slot, 0, fv.changes.shape[1] - 1)
        at_visit = enrolled & (records.slot >= 0) & (records.slot < fv.changes.shape[1])
        units = np.where(at_visit, fv.base[i] + fv.changes[i, visit], units)
        present = np.where(at_visit, fv.present[i, visit], present)
        at_scrn = enrolled & (records.slot == SCREENING_SLOT)
        units = np.where(at_scrn, fv.scrn[i], units)
        present |= at_scrn
    if sf is not None and (~enrolled).any():
        j = np.maximum(records.failure, 0)
        units = np.where(~enrolled, sf.base[j], units)
        present |= ~enrolled
    return units, present


def _lab_frame(study: Study, form_id: str, design: Design, config: MeasurementConfig, labs: dict[str, FieldValues],
               sf_labs: dict[str, FieldValues]) -> pd.DataFrame:
    form = study.form(form_id)
    records = form_records(form, study, design, config.screening)
    columns = {}
    for name in form.field_names:
        if name in labs:
            units, present = _field_units(labs[name], sf_labs.get(name), records)
            columns[name] = format_units(units, labs[name].spec.decimals, present)
    return assemble(form, design, records, columns)


def _by_sex_draw(table: dict, sex: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One normal draw per person with the mean and sd of its sex code (others: the average of those)."""
    mean = np.full(len(sex), float(np.mean([v[0] for v in table.values()])))
    sd = np.full(len(sex), float(np.mean([v[1] for v in table.values()])))
    for code, (m, s) in table.items():
        mean[sex == str(code)], sd[sex == str(code)] = m, s
    return mean + sd * rng.standard_normal(len(sex))


def _vs_frame(study: Study, design: Design, config: MeasurementConfig, labs: dict[str, FieldValues],
              sf_labs: dict[str, FieldValues], rng: np.random.Generator) -> pd.DataFrame:
    form = study.form("VS")
    records = form_records(form, study, design, config.screening)
    n_visits = len(design.visits)
    vitals = config.vitals
    enrolled = records.subject >= 0
    # one "subject" axis over enrolled then screen failures, for the per-subject means
    who = np.where(enrolled, records.subject, len(design.subject) + records.failure)
    sex = np.concatenate([design.sex, design.sf_sex])
    n_people = len(sex)
    columns = {}
    weight = labs.get("WEIGHT")
    if weight is not None:
        units, present = _field_units(weight, sf_labs.get("WEIGHT"), records)
        extra = enrolled & (records.slot >= n_visits)
        scale = 10.0**weight.spec.decimals
        noise = np.round(float(vitals.get("WEIGHT_noise", 0.0)) * rng.standard_normal(len(records.slot)) * scale)
        units = np.where(extra, weight.base[np.maximum(records.subject, 0)] + noise.astype(np.int64), units)
        columns["WEIGHT"] = format_units(units, weight.spec.decimals, present | extra)
    for name, spec in vitals.items():
        if not isinstance(spec, dict) or name not in form.field_names:
            continue
        decimals = int(spec.get("decimals", 0))
        if "by_sex" in spec:       # a constant of the subject (height)
            values = _by_sex_draw(spec["by_sex"], sex, rng)[who]
        else:
            person = spec["mean"][0] + spec["mean"][1] * rng.standard_normal(n_people)
            values = person[who] + float(spec.get("noise", 0.0)) * rng.standard_normal(len(who))
        visits = form.field(name).visits
        present = np.ones(len(who), dtype=bool) if visits is None else np.isin(records.folder, list(visits))
        columns[name] = format_units(np.round(values * 10.0**decimals).astype(np.int64), decimals, present)
    return assemble(form, design, records, columns)


def simulate_measurements(study: Study, schedule: pd.DataFrame, config: dict,
                          rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The measurement forms of the raw export for ``schedule`` (one row per subject and folder attended).

    ``config`` is the parsed ``simulation-measurements.yaml``; ``rng`` the measurement stream. Returns, for
    LBLIV, LBCOAG, LBCHEM, LBHEM, LBIMM, LBCYT, VS, SYMP and SF36, a frame with exactly the form's fields:
    SUBJECT, SITENUMBER, FOLDER, the date field (datetime64) and the values as reported text (missing =
    NA). Pure and deterministic for given arguments. Raises ``SpecError`` if the calibration is unusable.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator (got {type(rng).__name__})")
    cfg = read_measurement_config(config, study)
    design = build_design(study, schedule, cfg, rng)
    state: LabState = build_labs(design, cfg, rng)
    if design.calibrated:
        run_guard(state)
    else:
        enforce_meld_limit(state)
    labs = dict(state.values)
    labs.update(coagulation_values(state))
    sf_design = screening_design(design, cfg)
    sf_labs = screen_failure_values(sf_design, cfg, design.sf_failed, rng)
    if len(sf_design.subject):
        sf_state = LabState(sf_design, cfg, rng, {}, {}, sf_labs)
        sf_labs.update(coagulation_values(sf_state))
    frames = {form_id: _lab_frame(study, form_id, design, cfg, labs, sf_labs) for form_id in _LAB_FORMS}
    frames["VS"] = _vs_frame(study, design, cfg, labs, sf_labs, rng)
    frames["SYMP"] = build_symp(study, design, sf_design, cfg)
    frames["SF36"] = build_sf36(study, design, cfg, rng)
    return frames
