"""The guard of the default design: every cell the paper reports as not significant stays so.

After the rank patterns have placed the published cells, every other (parameter, arm, visit) is tested as
the analysis will test it - exact, permutation and normal-approximation signed-rank p-values of the
change from baseline, and the tie-corrected Kruskal-Wallis p-value across arms - and a cell found
significant is re-drawn (its free signs and all its magnitudes; a pattern keeps its ranks) until none is.
Parameters: every field of the calibration, PT and INR (re-drawn through PTA), MELD (through creatinine,
PTA and bilirubin) and Child-Pugh (fixed by the templates: a failure there is a calibration error). The inclusion
limits on MELD at screening and baseline are enforced the same way, and at any size.
"""

from __future__ import annotations

import numpy as np

from cdisc_pipe.errors import SpecError
from cdisc_pipe.simulate.measure_labs import (
    LabState,
    coagulation_values,
    realize,
    redraw_cell,
)
from cdisc_pipe.simulate.measure_scores import compute_child_pugh, compute_meld
from cdisc_pipe.simulate.ranks import is_non_significant, kruskal_pvalue

__all__ = ["analysis_values", "baseline_meld", "enforce_meld_limit", "run_guard"]

_SCALED_MELD_ROUNDS = 60


def analysis_values(state: LabState) -> dict[str, np.ndarray]:
    """Reported values (subjects x visits, NaN = none) of every analysed parameter, scores included."""
    out = {name: fv.values() for name, fv in state.values.items()}
    coag = coagulation_values(state)
    for name, fv in coag.items():
        out[name] = fv.values()
    design = state.design
    symp = design.attended & ~design.record_absent["SYMP"]
    ascites = np.where(symp, design.symptoms["ascites"], np.nan)
    he = np.where(symp, design.symptoms["he"], np.nan)
    out["CHILDPUGH"] = compute_child_pugh(out["ALB"], out["TBIL"], out["INR"], ascites, he)
    out["MELD"] = compute_meld(out["TBIL"], out["INR"], out["CREAT"])
    return out


def baseline_meld(state: LabState) -> tuple[np.ndarray, np.ndarray]:
    """MELD of every subject at baseline and at screening."""
    tbil, creat = state.values["TBIL"], state.values["CREAT"]
    coag = coagulation_values(state)
    inr = coag["INR"]
    base = compute_meld(tbil.to_value(tbil.base), inr.to_value(inr.base), creat.to_value(creat.base))
    scrn = compute_meld(tbil.to_value(tbil.scrn), inr.to_value(inr.scrn), creat.to_value(creat.scrn))
    return base, scrn


def enforce_meld_limit(state: LabState) -> None:
    """Re-draw baseline PTA and creatinine of subjects whose MELD at baseline or screening is too high."""
    rounds = state.config.guard_rounds if state.design.calibrated else _SCALED_MELD_ROUNDS
    for _ in range(rounds):
        base, scrn = baseline_meld(state)
        bad = (base > state.config.meld_max) | (scrn > state.config.meld_max)
        if not bad.any():
            return
        n = int(bad.sum())
        for name in ("PTA", "CREAT"):
            draws = state.draws[name]
            draws.z_base[bad] = state.rng.standard_normal(n)
            draws.u_base[bad] = state.rng.random(n)
            draws.z_scrn[bad] = state.rng.standard_normal(n)
        realize(state, ["PTA", "CREAT"])
    if state.design.calibrated:
        raise SpecError("simulation-measurements.yaml: MELD at screening and baseline must be at most "
                        f"{state.config.meld_max} for every subject of the default design (got {int(bad.sum())} above)")


def _source(name: str) -> tuple[str, ...]:
    """The fields re-drawn when parameter ``name`` fails."""
    return {"PT": ("PTA",), "INR": ("PTA",), "MELD": ("CREAT", "PTA", "TBIL"), "CHILDPUGH": ()}.get(name, (name,))


def _patterned(state: LabState, name: str, k: int) -> tuple[set[str], bool]:
    """Arms whose change at visit ``k`` is placed by a pattern or a template target, and whether pooled."""
    config = state.config
    folder = config.visits[k]
    if name in config.score_targets:
        return set(config.score_targets[name].get(folder, ())), False
    source = "PTA" if name in ("PT", "INR") else name
    pattern = config.patterns.get((source, folder))
    if pattern is None:
        return set(), False
    return set(pattern.ranks), pattern.pooled and source == name


def _failures(state: LabState, values: dict[str, np.ndarray]) -> list[tuple[str, str | None, int]]:
    """(parameter, arm or None for Kruskal-Wallis, visit) of every cell that must be re-drawn."""
    design, config = state.design, state.config
    out = []
    for name, grid in values.items():
        for k in range(1, grid.shape[1]):
            change = grid[:, k] - grid[:, 0]
            keep = ~np.isnan(change)
            targeted, pooled = _patterned(state, name, k)
            for arm in config.arms:
                if arm not in targeted and not is_non_significant(change[keep & (design.arm == arm)], config.alpha):
                    out.append((name, arm, k))
            if not pooled and kruskal_pvalue(change[keep], design.arm[keep]) < config.alpha:
                out.append((name, None, k))
    return out


def run_guard(state: LabState) -> int:
    """Re-draw significant cells of the default design until none is left; returns the rounds used."""
    design, config = state.design, state.config
    enforce_meld_limit(state)
    for round_ in range(config.guard_rounds):
        failures = _failures(state, analysis_values(state))
        if not failures:
            return round_
        touched: set[str] = set()
        for name, arm, k in failures:
            sources = _source(name)
            if not sources:
                raise SpecError(f"simulation-measurements.yaml: {name} must not be significant at "
                                f"{config.visits[k]} ({arm or 'between arms'}) but the templates make it so")
            rows = np.ones(design.n, dtype=bool) if arm is None else design.arm == arm
            for source in sources:
                redraw_cell(state, source, k, rows)
                touched.add(source)
        realize(state, touched)
        enforce_meld_limit(state)
    left = ", ".join(f"{n} {a or 'KW'} {config.visits[k]}" for n, a, k in failures[:10])
    raise SpecError(f"simulation-measurements.yaml: the guard must settle within {config.guard_rounds} rounds "
                    f"(got still significant: {left})")
