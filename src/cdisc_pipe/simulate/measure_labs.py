"""All measured fields of the enrolled subjects, realised together, with the derived PT and INR.

:func:`build_labs` draws every field in the order of ``simulation-measurements.yaml`` (a field bounded by
others comes after them), re-drawing the changes of infeasible subjects until every baseline interval is
non-empty. On the default design a subject that stays infeasible is a calibration error and raises; at
other sizes the subject falls back to its baseline band only, then to values clipped into range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from cdisc_pipe.errors import SpecError
from cdisc_pipe.simulate.measure_changes import (
    Draws,
    PatternCell,
    new_draws,
    pattern_cell,
)
from cdisc_pipe.simulate.measure_config import FieldSpec, MeasurementConfig
from cdisc_pipe.simulate.measure_design import Design
from cdisc_pipe.simulate.measure_scores import compute_inr, compute_pt
from cdisc_pipe.simulate.measure_values import (
    FieldValues,
    realize_detect_field,
    realize_field,
)

__all__ = ["DERIVED", "LabState", "build_labs", "coagulation_values", "realize", "redraw_cell"]

_CALIBRATED_ATTEMPTS = 5000
_SCALED_ATTEMPTS = 25
#: Values derived from another field: name -> (source field, decimals).
DERIVED = {"PT": ("PTA", 1), "INR": ("PTA", 2)}


@dataclass(eq=False)
class LabState:
    """The draws, patterns and realised values of every field (mutated as cells are re-drawn)."""

    design: Design
    config: MeasurementConfig
    rng: np.random.Generator
    draws: dict[str, Draws]
    cells: dict[str, dict[int, PatternCell | None]]
    values: dict[str, FieldValues]


def _dependents(config: MeasurementConfig, names: set[str]) -> set[str]:
    """``names`` and every field whose baseline or bounds refer to one of them (transitively)."""
    out = set(names)
    for name, spec in config.fields.items():
        refs = set()
        if spec.baseline[0] in ("ratio", "sum"):
            refs |= set(spec.baseline[1][0])
        for bound in (spec.ceiling, spec.floor):
            if bound is not None:
                refs |= set(bound[0])
        if refs & out:
            out.add(name)
    return out


def _redraw_rows(draws: Draws, rows: np.ndarray, rng: np.random.Generator, baseline: bool) -> None:
    n = int(rows.sum())
    if n == 0:
        return
    width = draws.u_mag.shape[1] - 1
    draws.u_mag[rows, 1:] = rng.random((n, width))
    draws.u_sign[rows, 1:] = rng.random((n, width))
    if baseline:
        draws.u_base[rows] = rng.random(n)
        draws.z_base[rows] = rng.standard_normal(n)


def _clipped(fv: FieldValues, rows: np.ndarray) -> FieldValues:
    """Last resort of scaled runs: the rows' values are clipped into the plausible range."""
    scale = 10.0**fv.spec.decimals
    low, high = np.ceil(fv.spec.range[0] * scale), np.floor(fv.spec.range[1] * scale)
    base = np.where(rows, np.clip(fv.base, low, high), fv.base).astype(np.int64)
    level = np.clip(base[:, None] + fv.changes, low, high)
    changes = np.where(rows[:, None], level - base[:, None], fv.changes).astype(np.int64)
    scrn = np.where(rows, np.clip(fv.scrn, low, high), fv.scrn).astype(np.int64)
    return replace(fv, base=base, changes=changes, scrn=scrn, feasible=fv.feasible | rows)


def _merge(first: FieldValues, second: FieldValues, rows: np.ndarray) -> FieldValues:
    return replace(
        first, base=np.where(rows, second.base, first.base), scrn=np.where(rows, second.scrn, first.scrn),
        changes=np.where(rows[:, None], second.changes, first.changes), feasible=np.where(rows, second.feasible, first.feasible),
    )


def _realize_one(state: LabState, name: str) -> FieldValues:
    spec, design = state.config.fields[name], state.design
    draws, cells = state.draws[name], state.cells[name]
    if spec.detect is not None:
        return realize_detect_field(spec, design, draws, cells)
    attempts = _CALIBRATED_ATTEMPTS if design.calibrated else _SCALED_ATTEMPTS
    for _ in range(attempts):
        fv = realize_field(spec, design, state.config, draws, cells, state.values)
        bad = ~fv.feasible
        if not bad.any():
            return fv
        _redraw_rows(draws, bad, state.rng, baseline=True)
    if design.calibrated:
        who = ", ".join(str(s) for s in design.subject[bad][:10])
        raise SpecError(f"simulation-measurements.yaml: field {name} must be realisable for every subject of the "
                        f"default design (got no plausible baseline for {who} after {attempts} draws)")
    relaxed = realize_field(spec, design, state.config, draws, cells, state.values, use_bands=False)
    fv = _merge(fv, relaxed, bad)
    return _clipped(fv, ~fv.feasible)


def realize(state: LabState, names) -> None:
    """(Re-)realise ``names`` and every field that depends on them, in the calibration's order."""
    todo = _dependents(state.config, set(names))
    for name in state.config.fields:
        if name in todo:
            state.values[name] = _realize_one(state, name)


def redraw_cell(state: LabState, name: str, k: int, rows: np.ndarray) -> None:
    """New draws for field ``name`` at visit ``k`` for the subjects ``rows`` (patterns keep their ranks)."""
    draws, n = state.draws[name], int(rows.sum())
    draws.u_mag[rows, k] = state.rng.random(n)
    draws.u_sign[rows, k] = state.rng.random(n)
    if draws.z_level.shape[1]:
        draws.z_level[rows, k] = state.rng.standard_normal(n)


def coagulation_values(state: LabState) -> dict[str, FieldValues]:
    """PT (s, 1 decimal) and INR (2 decimals) of every PTA value: one clotting time, three results."""
    pta = state.values["PTA"]
    coag = state.config.coagulation
    out = {}
    scale_pt, scale_inr = 10.0 ** DERIVED["PT"][1], 10.0 ** DERIVED["INR"][1]
    for label, levels in (("base", pta.all_values()), ("scrn", pta.to_value(pta.scrn))):
        pt = np.round(compute_pt(levels, coag["mnpt"], coag["quick"]) * scale_pt)
        inr = np.round(compute_inr(pt / scale_pt, coag["mnpt"], coag["isi"]) * scale_inr)
        out[label] = (pt.astype(np.int64), inr.astype(np.int64))
    result = {}
    for name, idx in (("PT", 0), ("INR", 1)):
        grid = out["base"][idx]
        spec = FieldSpec(name=name, form=pta.spec.form, decimals=DERIVED[name][1], baseline=("derived", None),
                         range=(0.0, 1e9), scale=1.0, shape=1.0)
        result[name] = FieldValues(spec, grid[:, 0].copy(), grid - grid[:, :1], out["scrn"][idx], pta.present, pta.feasible)
    return result


def build_labs(design: Design, config: MeasurementConfig, rng: np.random.Generator) -> LabState:
    """Draw and realise every field of ``config`` for the enrolled subjects of ``design``."""
    n_subjects, n_visits = design.attended.shape
    draws = {name: new_draws(n_subjects, n_visits, rng, levels=spec.detect is not None)
             for name, spec in config.fields.items()}
    cells = {
        name: {k: pattern_cell(config.patterns.get((name, folder)), design)
               for k, folder in enumerate(config.visits) if k > 0}
        for name in config.fields
    }
    state = LabState(design, config, rng, draws, cells, {})
    realize(state, config.fields)
    return state
