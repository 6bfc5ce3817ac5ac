"""Values of one field: the baseline chosen so every visit's value is plausible, and the screening value.

Changes come first (:mod:`~cdisc_pipe.simulate.measure_changes`); the baseline ``b`` is then drawn from
the field's distribution and moved, where needed, into the interval that keeps ``b + change`` inside the
plausible range, inside the subject's Child-Pugh band at every visit (albumin, bilirubin), and under or
over the fields it is bounded by (direct under total bilirubin, leukocytes over neutrophils plus
lymphocytes). A subject whose interval is empty is *infeasible*; the caller re-draws its changes.
All arithmetic is in whole units of the field's last decimal, so a change is exactly the difference of two
reported values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cdisc_pipe.simulate.measure_changes import (
    Draws,
    PatternCell,
    compute_changes,
    increasing_by_rank,
    weibull_units,
)
from cdisc_pipe.simulate.measure_config import FieldSpec, MeasurementConfig
from cdisc_pipe.simulate.measure_design import Design

__all__ = ["FieldValues", "present_mask", "realize_detect_field", "realize_field"]

_LEVEL_NOISE = 0.3


@dataclass(frozen=True, eq=False)
class FieldValues:
    """One field realised: baseline, changes and screening value in units; which values are reported."""

    spec: FieldSpec
    base: np.ndarray        # subjects
    changes: np.ndarray     # subjects x visits (column 0 is 0)
    scrn: np.ndarray        # subjects
    present: np.ndarray     # subjects x visits: the value is reported
    feasible: np.ndarray    # subjects

    def to_value(self, units: np.ndarray) -> np.ndarray:
        """Units -> reported values (a division, so 341 units of 0.1 is exactly the float of "34.1")."""
        return np.asarray(units) / 10.0**self.spec.decimals

    def values(self) -> np.ndarray:
        """Reported values (float, NaN where not reported), subjects x visits."""
        v = (self.base[:, None] + self.changes) / 10.0**self.spec.decimals
        return np.where(self.present, v, np.nan)

    def all_values(self) -> np.ndarray:
        """Values at every visit, reported or not (subjects x visits, float)."""
        return (self.base[:, None] + self.changes) / 10.0**self.spec.decimals


def present_mask(spec: FieldSpec, design: Design) -> np.ndarray:
    """Subjects x visits where ``spec`` is reported: attended, record taken, value not lost."""
    absent = design.record_absent[spec.form]
    lost = design.value_absent.get((spec.form, spec.name))
    mask = design.attended & ~absent
    return mask if lost is None else mask & ~lost


def _bound_sum(names: tuple[str, ...], others: dict[str, FieldValues], scrn: bool) -> np.ndarray:
    total = 0.0
    for name in names:
        other = others[name]
        total = total + (other.to_value(other.scrn) if scrn else other.all_values())
    return total


def _intervals(spec: FieldSpec, design: Design, config: MeasurementConfig, changes: np.ndarray,
               others: dict[str, FieldValues], use_bands: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per subject, the smallest and largest baseline (units) keeping every attended visit in bounds."""
    scale = 10.0**spec.decimals
    shape = changes.shape
    lo = np.full(shape, np.ceil(spec.range[0] * scale))
    hi = np.full(shape, np.floor(spec.range[1] * scale))
    if use_bands and spec.name in config.bands:
        band = design.alb_band if spec.name == "ALB" else design.tbil_band
        table = config.bands[spec.name]
        edges = np.array([[np.nan, np.nan], *[table[p] for p in (1, 2, 3)]])
        lo = np.maximum(lo, np.ceil(edges[band, 0] * scale))
        hi = np.minimum(hi, np.floor(edges[band, 1] * scale))
    if spec.ceiling is not None:
        names, factor = spec.ceiling
        hi = np.minimum(hi, np.floor(factor * _bound_sum(names, others, False) * scale))
    if spec.floor is not None:
        names, factor = spec.floor
        lo = np.maximum(lo, np.ceil(factor * _bound_sum(names, others, False) * scale))
    keep = design.attended.copy()
    keep[:, 0] = True
    lo = np.where(keep, lo - changes, -np.inf).max(axis=1)
    hi = np.where(keep, hi - changes, np.inf).min(axis=1)
    return lo, hi


def _raw_baseline(spec: FieldSpec, design: Design, draws: Draws, others: dict[str, FieldValues]) -> np.ndarray | None:
    kind, params = spec.baseline
    z = draws.z_base
    if kind == "normal":
        value = params[0] + params[1] * z
    elif kind == "lognormal":
        value = params[0] * np.exp(params[1] * z)
    elif kind == "by_sex":
        value = _by_sex(params, design.sex, 0) + _by_sex(params, design.sex, 1) * z
    elif kind == "ratio":
        names, low, high = params
        value = _base_sum(names, others) * (low + (high - low) * draws.u_extra)
    elif kind == "sum":
        names, low, high = params
        value = _base_sum(names, others) + low + (high - low) * draws.u_extra
    else:
        return None
    return np.round(value * 10.0**spec.decimals)


def _by_sex(params: dict, sex: np.ndarray, which: int) -> np.ndarray:
    """Mean (``which`` 0) or sd (1) by EDC sex code; a code not listed takes the average of those listed."""
    out = np.full(len(sex), float(np.mean([pair[which] for pair in params.values()])))
    for code, pair in params.items():
        out[sex == code] = pair[which]
    return out


def _base_sum(names: tuple[str, ...], others: dict[str, FieldValues]) -> np.ndarray:
    return sum(others[name].to_value(others[name].base) for name in names)


def _screening(spec: FieldSpec, design: Design, config: MeasurementConfig, base: np.ndarray, draws: Draws,
               others: dict[str, FieldValues]) -> np.ndarray:
    scale = 10.0**spec.decimals
    scrn = base + np.round(spec.jitter * draws.z_scrn * scale)
    lo = np.full(len(base), np.ceil(spec.range[0] * scale))
    hi = np.full(len(base), np.floor(spec.range[1] * scale))
    if spec.name in config.bands:
        band = (design.alb_band if spec.name == "ALB" else design.tbil_band)[:, 0]
        table = config.bands[spec.name]
        edges = np.array([[np.nan, np.nan], *[table[p] for p in (1, 2, 3)]])
        lo = np.maximum(lo, np.ceil(edges[band, 0] * scale))
        hi = np.minimum(hi, np.floor(edges[band, 1] * scale))
    if spec.ceiling is not None:
        hi = np.minimum(hi, np.floor(spec.ceiling[1] * _bound_sum(spec.ceiling[0], others, True) * scale))
    if spec.floor is not None:
        lo = np.maximum(lo, np.ceil(spec.floor[1] * _bound_sum(spec.floor[0], others, True) * scale))
    ok = lo <= hi
    return np.where(ok, np.clip(scrn, lo, np.where(ok, hi, lo)), base).astype(np.int64)


def realize_field(spec: FieldSpec, design: Design, config: MeasurementConfig, draws: Draws,
                  cells: dict[int, PatternCell | None], others: dict[str, FieldValues],
                  use_bands: bool = True) -> FieldValues:
    """Changes, baseline and screening value of one field (``others``: the fields realised before it)."""
    changes, _ = compute_changes(spec, design, config, draws, cells)
    lo, hi = _intervals(spec, design, config, changes, others, use_bands)
    feasible = lo <= hi
    raw = _raw_baseline(spec, design, draws, others)
    width = np.where(feasible, hi - lo + 1, 1)
    if raw is None:
        base = lo + np.floor(draws.u_base * width)
    else:
        # a draw outside the interval moves just inside it (within one change scale of the edge)
        step = np.floor(draws.u_base * np.minimum(width, max(1.0, spec.scale * 10.0**spec.decimals)))
        base = np.where(raw < lo, lo + step, np.where(raw > hi, hi - step, raw))
    fallback = np.where(np.isfinite(lo), lo, 0.0) if raw is None else raw
    base = np.where(feasible, base, fallback).astype(np.int64)
    scrn = _screening(spec, design, config, base, draws, others)
    return FieldValues(spec, base, changes, scrn, present_mask(spec, design), feasible)


def realize_detect_field(spec: FieldSpec, design: Design, draws: Draws,
                         cells: dict[int, PatternCell | None]) -> FieldValues:
    """A zero-inflated field (values below detection reported as 0), e.g. IL-17A.

    Each subject has its own level; at each visit the value is detected with probability ``detect``.
    A pattern visit overrides this: a zero token keeps both the baseline and the visit at 0; in an arm
    whose values stay at 0 (``zero_at``) a negative rank sets the baseline to the change's magnitude; a
    positive rank adds the magnitude to the baseline; a negative rank elsewhere puts the baseline that much
    above the visit's own level.
    """
    scale = 10.0**spec.decimals
    n_subjects = design.attended.shape[0]
    level = spec.baseline[1][0] * np.exp(spec.baseline[1][1] * draws.z_base)
    drawn = np.maximum(1, np.round(level[:, None] * np.exp(_LEVEL_NOISE * draws.z_level) * scale)).astype(np.int64)
    values = np.where(draws.u_sign < (spec.detect or 0.0), drawn, 0)
    for k, cell in cells.items():
        if cell is None:
            continue
        ranked = cell.has & (cell.rank != 0)
        u = np.where(ranked, (np.abs(cell.rank) - 1 + draws.u_mag[:, k]) / cell.strata, draws.u_mag[:, k])
        magnitude = weibull_units(u, spec)
        if design.calibrated:
            magnitude = increasing_by_rank(magnitude, cell.rank, cell.group, ranked)
        zero = cell.has & (cell.rank == 0)
        fall = ranked & (cell.rank < 0)
        rise = ranked & (cell.rank > 0)
        base = values[:, 0].copy()
        base = np.where(zero, 0, base)
        base = np.where(fall & cell.zero_at, magnitude, base)
        base = np.where(fall & ~cell.zero_at, drawn[:, k] + magnitude, base)
        visit = np.where(zero | (fall & cell.zero_at), 0, values[:, k])
        visit = np.where(rise, base + magnitude, visit)
        visit = np.where(fall & ~cell.zero_at, drawn[:, k], visit)
        values[:, 0], values[:, k] = base, visit
    values = np.minimum(values, int(np.floor(spec.range[1] * scale)))
    changes = values - values[:, :1]
    feasible = np.ones(n_subjects, dtype=bool)
    return FieldValues(spec, values[:, 0].copy(), changes, values[:, 0].copy(), present_mask(spec, design), feasible)
