"""Changes from baseline: signs and magnitudes, from rank patterns or drawn at random.

Every random quantity is kept as a stored draw (:class:`Draws`), and the changes are a pure function of
the draws, the templates and the patterns. Re-drawing one cell (a field, the subjects of an arm, a visit)
therefore changes that cell only, and a rank pattern always survives a re-draw: a subject at signed rank
``r`` of ``n`` takes its magnitude from the ``r``-th of ``n`` equal-probability strata of the field's
Weibull distribution of |change|, so the ranks hold whatever the uniform inside the stratum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cdisc_pipe.simulate.measure_config import FieldSpec, MeasurementConfig, Pattern
from cdisc_pipe.simulate.measure_design import Design

__all__ = [
    "Draws",
    "PatternCell",
    "band_signs",
    "compute_changes",
    "increasing_by_rank",
    "new_draws",
    "pattern_cell",
    "weibull_units",
]


@dataclass(eq=False)
class Draws:
    """The stored random draws of one field (arrays are replaced in place when a cell is re-drawn)."""

    u_mag: np.ndarray      # subjects x visits, uniform: position inside the magnitude's stratum
    u_sign: np.ndarray     # subjects x visits, uniform: direction of a free change
    z_base: np.ndarray     # subjects, standard normal: the baseline draw
    u_base: np.ndarray     # subjects, uniform: fall-back position inside the feasible baseline interval
    u_extra: np.ndarray    # subjects, uniform: ratio / extra of derived baselines
    z_scrn: np.ndarray     # subjects, standard normal: screening jitter
    z_level: np.ndarray    # subjects x visits, standard normal: levels of zero-inflated fields


def new_draws(n_subjects: int, n_visits: int, rng: np.random.Generator, levels: bool = False) -> Draws:
    """Fresh draws for one field (``levels``: also the per-visit levels of a zero-inflated field)."""
    return Draws(
        u_mag=rng.random((n_subjects, n_visits)), u_sign=rng.random((n_subjects, n_visits)),
        z_base=rng.standard_normal(n_subjects), u_base=rng.random(n_subjects), u_extra=rng.random(n_subjects),
        z_scrn=rng.standard_normal(n_subjects),
        z_level=rng.standard_normal((n_subjects, n_visits)) if levels else np.zeros((n_subjects, 0)),
    )


@dataclass(frozen=True, eq=False)
class PatternCell:
    """One (field, visit) pattern spread over the subjects: signed rank, number of strata, ordering group."""

    has: np.ndarray        # the subject's template has an entry (None entries: False)
    rank: np.ndarray       # signed rank; 0 = a zero change (both values below detection)
    strata: np.ndarray     # number of strata of the rank
    group: np.ndarray      # subjects whose magnitudes are ordered together (arm code, or 0 when pooled)
    zero_at: np.ndarray    # the visit value is 0 (the arm's values stay below detection)


def pattern_cell(pattern: Pattern | None, design: Design) -> PatternCell | None:
    """The pattern of one (field, visit) for every subject (by template), or None without a pattern."""
    if pattern is None:
        return None
    table: dict[tuple[str, int], tuple[int, int, int]] = {}
    pooled_size = sum(1 for values in pattern.ranks.values() for v in values if v)
    for code, (arm, values) in enumerate(pattern.ranks.items(), start=1):
        size = pooled_size if pattern.pooled else sum(1 for v in values if v)
        for seq, value in enumerate(values, start=1):
            if value is not None:
                table[(arm, seq)] = (int(value), max(size, 1), 0 if pattern.pooled else code)
    rows = np.array([table.get(key, (0, 1, -1)) for key in design.template_keys], dtype=np.int64).reshape(-1, 3)
    known = np.array([key in table for key in design.template_keys], dtype=bool)
    codes = design.template
    has = known[codes]
    zero_at = np.isin(design.arm, sorted(pattern.zero_at)) & has
    return PatternCell(has=has, rank=rows[codes, 0], strata=rows[codes, 1], group=rows[codes, 2], zero_at=zero_at)


def weibull_units(u: np.ndarray, spec: FieldSpec) -> np.ndarray:
    """Magnitudes (in units of 10^-decimals, at least 1) at probabilities ``u`` of Weibull(scale, shape)."""
    u = np.clip(u, 0.0, 1.0 - 1e-12)
    value = spec.scale * (-np.log1p(-u)) ** (1.0 / spec.shape)
    return np.maximum(1, np.round(value * 10.0**spec.decimals)).astype(np.int64)


def band_signs(design: Design, name: str) -> np.ndarray:
    """Direction a band move forces on a change (subjects x visits): +1 up, -1 down, 0 free.

    Albumin's point 1 is its highest band, bilirubin's point 1 its lowest.
    """
    if name == "ALB":
        return np.sign(design.alb_band[:, :1] - design.alb_band).astype(np.int64)
    if name == "TBIL":
        return np.sign(design.tbil_band - design.tbil_band[:, :1]).astype(np.int64)
    return np.zeros(design.attended.shape, dtype=np.int64)


def increasing_by_rank(magnitude: np.ndarray, rank: np.ndarray, group: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Make magnitudes strictly increasing with |rank| inside each group (rounding may have tied two).

    With ``p`` the position inside the group in rank order, the result is the running maximum of
    ``magnitude - p`` plus ``p``: never smaller than the input, and one unit apart at least.
    """
    out = magnitude.copy()
    if not rows.any():
        return out
    idx = np.flatnonzero(rows)
    order = idx[np.lexsort((np.abs(rank[idx]), group[idx]))]
    grp = group[order]
    start = np.r_[True, grp[1:] != grp[:-1]]
    steps = np.arange(len(order))
    position = steps - np.maximum.accumulate(np.where(start, steps, 0))
    running = pd.Series(out[order] - position).groupby(np.cumsum(start)).cummax().to_numpy()
    out[order] = running + position
    return out


def compute_changes(spec: FieldSpec, design: Design, config: MeasurementConfig, draws: Draws,
                    cells: dict[int, PatternCell | None]) -> tuple[np.ndarray, np.ndarray]:
    """Changes (units, subjects x visits; baseline column 0) and the zero mask of zero-token subjects.

    A patterned subject takes sign and stratum from its rank; any other change takes the direction a
    band move forces, else up with probability ``p_up``, and an unstratified magnitude.
    """
    n_subjects, n_visits = design.attended.shape
    changes = np.zeros((n_subjects, n_visits), dtype=np.int64)
    zero = np.zeros((n_subjects, n_visits), dtype=bool)
    forced = band_signs(design, spec.name)
    for k in range(1, n_visits):
        free_sign = np.where(draws.u_sign[:, k] < spec.p_up, 1, -1)
        sign = np.where(forced[:, k] != 0, forced[:, k], free_sign)
        u = draws.u_mag[:, k]
        cell = cells.get(k)
        if cell is not None:
            ranked = cell.has & (cell.rank != 0)
            sign = np.where(ranked, np.sign(cell.rank), sign)
            u = np.where(ranked, (np.abs(cell.rank) - 1 + u) / cell.strata, u)
            magnitude = weibull_units(u, spec)
            if design.calibrated:
                magnitude = increasing_by_rank(magnitude, cell.rank, cell.group, ranked)
            zero[:, k] = cell.has & (cell.rank == 0)
        else:
            magnitude = weibull_units(u, spec)
        changes[:, k] = np.where(zero[:, k], 0, sign * magnitude)
    return changes, zero
