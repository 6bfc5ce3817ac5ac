"""Screening values of the screen failures: like an enrolled subject's baseline, unless a laboratory
criterion failed, whose values are then drawn from ``screen_failure_values`` (e.g. albumin >= 35 g/L).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cdisc_pipe.simulate.measure_changes import new_draws
from cdisc_pipe.simulate.measure_config import SYMPTOMS, MeasurementConfig
from cdisc_pipe.simulate.measure_design import Design
from cdisc_pipe.simulate.measure_values import FieldValues, realize_field

__all__ = ["screen_failure_values", "screening_design"]


def screening_design(design: Design, config: MeasurementConfig) -> Design:
    """The screen failures as a one-visit design (their screening visit standing in for a baseline)."""
    n = len(design.sf_subject)
    entries = [(a, s, config.templates[a][s]) for a, s in design.template_keys]
    pick = design.sf_template
    first = {key: np.array([int(t.symptoms[key][0]) for _, _, t in entries], dtype=np.int64)[pick][:, None]
             for key in SYMPTOMS}
    for criterion, fails in design.sf_failed.items():
        for key in ("ascites", "he"):
            if key in config.screen_failure_values.get(criterion, {}):
                value = int(config.screen_failure_values[criterion][key])
                first[key] = np.where(fails[:, None], value, first[key])
    alb = np.array([int(t.alb[0]) for _, _, t in entries], dtype=np.int64)[pick][:, None]
    tbil = np.array([int(t.tbil[0]) for _, _, t in entries], dtype=np.int64)[pick][:, None]
    return replace(
        design, calibrated=False, visits=(config.screening,), subject=design.sf_subject, site=design.sf_site,
        arm=design.sf_arm, seq=design.sf_seq, template=design.sf_template, sex=design.sf_sex,
        attended=np.ones((n, 1), dtype=bool), order=design.order[len(design.subject):],
        dates=design.sf_date[:, None], other_dates={},
        record_absent={form: np.zeros((n, 1), dtype=bool) for form in design.record_absent},
        value_absent={}, alb_band=alb, tbil_band=tbil, symptoms=first, sf36=np.zeros(n, dtype=bool),
    )


def screen_failure_values(sf_design: Design, config: MeasurementConfig, failed: dict[str, np.ndarray],
                          rng: np.random.Generator) -> dict[str, FieldValues]:
    """Screening value of every field measured at screening, for the screen failures."""
    n = len(sf_design.subject)
    out: dict[str, FieldValues] = {}
    for name, spec in config.fields.items():
        if spec.detect is not None:
            continue
        draws = new_draws(n, 1, rng)
        fv = realize_field(spec, sf_design, config, draws, {}, out)
        for criterion, rows in failed.items():
            limits = config.screen_failure_values.get(criterion, {}).get(name)
            if limits is None or not rows.any():
                continue
            scale = 10.0**spec.decimals
            low, high = np.ceil(limits[0] * scale), np.floor(limits[1] * scale)
            drawn = low + np.floor(rng.random(n) * (high - low + 1))
            base = np.where(rows, drawn, fv.base).astype(np.int64)
            fv = replace(fv, base=base, scrn=base.copy())
        out[name] = replace(fv, scrn=fv.base.copy())
    return out
