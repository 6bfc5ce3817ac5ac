"""The symptom form (SYMP) and the SF-36 questionnaire (SF36), from the subject templates.

SYMP: the template's grade or presence at each visit, screening repeating the baseline, written as the
EDC codes of the form's codelists (ASCGR, NY, HEGR). SF36: one questionnaire per subject whose template
fills it, at each of the form's folders attended; a latent health per questionnaire drives all 36 answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdisc_pipe.simulate.measure_config import MeasurementConfig
from cdisc_pipe.simulate.measure_design import Design
from cdisc_pipe.simulate.measure_frames import SCREENING_SLOT, assemble, form_records
from cdisc_pipe.spec.model import Study

__all__ = ["SYMPTOM_FIELDS", "build_sf36", "build_symp"]

#: SYMP field -> template symptom key.
SYMPTOM_FIELDS = {"ASCITES": "ascites", "LEGEDEMA": "legedema", "HAEMAT": "haemat", "JAUNDICE": "jaundice",
                  "POORAPP": "poorapp", "HEGRADE": "he"}


def _codes(study: Study, codelist: str) -> np.ndarray:
    """EDC codes of a codelist, indexed by grade: the term whose submission value is the grade, else by position.
    For the No/Yes list, index 0 is No and 1 is Yes."""
    terms = study.codelist(codelist).terms
    by_submission = {t.submission: t.code for t in terms}
    if {"N", "Y"} <= set(by_submission):
        return np.array([by_submission["N"], by_submission["Y"]], dtype=object)
    return np.array([by_submission.get(str(i), terms[i].code) for i in range(len(terms))], dtype=object)


def build_symp(study: Study, design: Design, sf_design: Design, config: MeasurementConfig) -> pd.DataFrame:
    """The SYMP frame of enrolled subjects and screen failures."""
    form = study.form("SYMP")
    records = form_records(form, study, design, config.screening)
    enrolled = records.subject >= 0
    i, j = np.maximum(records.subject, 0), np.maximum(records.failure, 0)
    k = np.where(records.slot == SCREENING_SLOT, 0, records.slot)
    columns = {}
    for name, key in _symptom_fields(form).items():
        grid = design.symptoms[key]
        grade = grid[i, k] if len(grid) else np.zeros(len(k), dtype=np.int64)
        if len(sf_design.subject):
            grade = np.where(enrolled, grade, sf_design.symptoms[key][j, 0])
        codes = _codes(study, form.field(name).codelist)
        columns[name] = codes[np.clip(grade, 0, len(codes) - 1)]
    return assemble(form, design, records, columns)


def _symptom_fields(form) -> dict[str, str]:
    """The symptom fields the form has, with their template keys."""
    return {name: key for name, key in SYMPTOM_FIELDS.items() if name in form.field_names}


def build_sf36(study: Study, design: Design, config: MeasurementConfig, rng: np.random.Generator) -> pd.DataFrame:
    """The SF36 frame: questionnaires of the subjects whose template fills them."""
    form = study.form("SF36")
    records = form_records(form, study, design, config.screening)
    keep = (records.subject >= 0) & design.sf36[np.maximum(records.subject, 0)]
    records = type(records)(records.subject[keep], records.failure[keep], records.slot[keep],
                            records.folder[keep], records.date[keep])
    settings = config.sf36
    health = settings.get("health", {})
    mean = np.array([health.get(f, [0.65, 0.12])[0] for f in config.visits], dtype=np.float64)
    sd = np.array([health.get(f, [0.65, 0.12])[1] for f in config.visits], dtype=np.float64)
    latent = np.clip(mean[records.slot] + sd[records.slot] * rng.standard_normal(len(records.slot)), 0.02, 0.98)
    noise = float(settings.get("item_noise", 0.15))
    missing = float(settings.get("item_missing", 0.0))
    first_best = set(settings.get("first_code_best", []))
    columns = {}
    for field in form.fields:
        if field.codelist is None:
            continue
        codes = np.array(study.codelist(field.codelist).codes, dtype=object)
        goodness = np.clip(latent + noise * rng.standard_normal(len(latent)), 0.0, 0.999)
        level = np.floor(goodness * len(codes)).astype(np.int64)
        index = len(codes) - 1 - level if field.name in first_best else level
        answer = codes[index]
        columns[field.name] = np.where(rng.random(len(latent)) < missing, None, answer)
    return assemble(form, design, records, columns)
