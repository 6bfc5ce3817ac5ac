"""Rank statistics of the measurement calibration, in numpy only, and the search for rank patterns.

The analysis tests change from baseline within a group with the exact Wilcoxon signed-rank test and
between groups with the Kruskal-Wallis test. Both depend on ranks only, so the simulator calibrates *rank
patterns* (which subject's change is how large, relative to the others, and in which direction) and draws
the magnitudes afterwards. This module holds:

* :func:`signed_rank_pvalues` - the two-sided p-values an analyst may compute for one set of changes:
  ``exact`` (the no-ties null distribution, as R ``wilcox.test(exact=TRUE)`` and scipy ``method="exact"``;
  zeros dropped, a non-integral statistic rounded conservatively as scipy does), ``permutation`` (the exact
  conditional distribution over sign flips, what scipy ``method="auto"`` uses with ties or zeros), and the
  normal approximation with tie-corrected variance, with and without continuity correction (R's fallback
  with ties). :func:`is_non_significant` asks that every one of them is at least ``alpha``.
* :func:`exact_signed_rank_pvalue` - ``2 * P(V <= T)`` for ``n`` pairs without ties.
* :func:`kruskal_pvalue` - tie-corrected Kruskal-Wallis H and its chi-square p-value.
* :func:`search_pooled_pattern` - a small deterministic search for the signed pooled ranks of one
  (field, visit) that give a target between-group p-value while every group keeps its within-group
  requirement. The patterns it finds are stored in ``simulation-measurements.yaml``; tests re-verify them.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache
from itertools import product

import numpy as np

__all__ = [
    "exact_signed_rank_pvalue",
    "is_non_significant",
    "kruskal_pvalue",
    "search_pooled_pattern",
    "signed_rank_pvalues",
]

_PERMUTATION_MAX_N = 16


@cache
def _signed_rank_counts(n: int) -> np.ndarray:
    """Number of subsets of {1..n} with each rank sum 0..n(n+1)/2 (the null distribution of V, times 2^n)."""
    counts = np.zeros(n * (n + 1) // 2 + 1, dtype=np.float64)
    counts[0] = 1.0
    for k in range(1, n + 1):
        counts[k:] = counts[k:] + counts[:-k].copy()
    return counts


def exact_signed_rank_pvalue(n: int, statistic: float) -> float:
    """Two-sided exact p of the signed-rank statistic ``statistic`` (a rank sum) for ``n`` pairs, no ties.

    A non-integral statistic (from mid-ranks) is rounded up for the lower tail and down for the upper tail,
    as scipy does.
    """
    if n < 1:
        return 1.0
    counts = _signed_rank_counts(n)
    total = counts.sum()
    lower = counts[: math.ceil(statistic) + 1].sum() / total
    upper = counts[math.floor(statistic):].sum() / total
    return float(min(1.0, 2.0 * min(lower, upper)))


def _midranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks of ``values`` (1-based) and the sizes of the tie groups."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    sizes = np.diff(np.r_[starts, len(values)])
    average = starts + (sizes + 1) / 2.0
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(average, sizes)
    return ranks, sizes


@cache
def _flip_matrix(n: int) -> np.ndarray:
    """All 2^n ways to keep (1) or drop (0) each rank from the positive sum."""
    return np.array(list(product((1.0, 0.0), repeat=n)))


def _normal_two_sided(z: float) -> float:
    return float(math.erfc(abs(z) / math.sqrt(2.0)))


def signed_rank_pvalues(changes) -> dict[str, float]:
    """Two-sided p-values of the Wilcoxon signed-rank test of ``changes`` against 0, by method.

    Missing values are ignored and zeros dropped (Wilcoxon's zero method, the default of R and scipy).
    Returns an empty dict when no non-zero change is left (the test cannot be computed).
    """
    d = np.asarray(changes, dtype=np.float64)
    d = d[~np.isnan(d)]
    d = d[d != 0]
    n = len(d)
    if n == 0:
        return {}
    ranks, ties = _midranks(np.abs(d))
    r_plus = float(ranks[d > 0].sum())
    out = {"exact": exact_signed_rank_pvalue(n, r_plus)}
    if n <= _PERMUTATION_MAX_N:
        stats = _flip_matrix(n) @ ranks
        centre = ranks.sum() / 2.0
        extreme = np.abs(stats - centre) >= abs(r_plus - centre) - 1e-9
        out["permutation"] = float(extreme.mean())
    mean = n * (n + 1) / 4.0
    var = n * (n + 1) * (2 * n + 1) / 24.0 - float(np.sum(ties**3 - ties)) / 48.0
    if var > 0:
        z = (r_plus - mean) / math.sqrt(var)
        out["normal"] = _normal_two_sided(z)
        # continuity correction as R and scipy apply it: z - sign(z) * 0.5 / sd (not clamped at 0)
        shift = r_plus - mean
        corrected = (shift - math.copysign(0.5, shift) * (shift != 0)) / math.sqrt(var)
        out["normal_corrected"] = _normal_two_sided(corrected)
    return out


def is_non_significant(changes, alpha: float) -> bool:
    """True when every p-value of :func:`signed_rank_pvalues` is at least ``alpha`` (or none is computable)."""
    d = np.asarray(changes, dtype=np.float64)
    d = np.sort(d[~np.isnan(d)])
    return _non_significant(tuple(d.tolist()), float(alpha))


@lru_cache(maxsize=65536)
def _non_significant(changes: tuple[float, ...], alpha: float) -> bool:
    return all(p >= alpha for p in signed_rank_pvalues(changes).values())


def _chi2_sf(x: float, df: int) -> float:
    """Upper tail of the chi-square distribution for a whole number of degrees of freedom."""
    if x <= 0:
        return 1.0
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= (x / 2.0) / i
            total += term
        return float(math.exp(-x / 2.0) * total)
    p = math.erfc(math.sqrt(x / 2.0))
    term = math.sqrt(x / 2.0) * math.exp(-x / 2.0) / math.sqrt(math.pi) * 2.0
    for i in range(1, (df - 1) // 2 + 1):
        p += term
        term *= x / (2 * i + 1)
    return float(p)


def kruskal_pvalue(values, groups) -> float:
    """Tie-corrected Kruskal-Wallis p-value of ``values`` split by ``groups`` (missing values ignored).

    The same statistic as scipy ``kruskal``: H = 12/(N(N+1)) sum(R_g^2/n_g) - 3(N+1), divided by
    1 - sum(t^3 - t)/(N^3 - N), referred to chi-square with (number of groups - 1) degrees of freedom.
    Returns 1.0 when fewer than two groups have values or every value is the same.
    """
    x = np.asarray(values, dtype=np.float64)
    g = np.asarray(groups)
    keep = ~np.isnan(x)
    x, g = x[keep], g[keep]
    labels = np.unique(g)
    if len(labels) < 2:
        return 1.0
    ranks, ties = _midranks(x)
    n_total = len(x)
    correction = 1.0 - float(np.sum(ties**3 - ties)) / (n_total**3 - n_total)
    if correction <= 0:
        return 1.0
    h = sum(ranks[g == label].sum() ** 2 / np.sum(g == label) for label in labels)
    h = (12.0 / (n_total * (n_total + 1)) * h - 3.0 * (n_total + 1)) / correction
    return _chi2_sf(h, len(labels) - 1)


def _pattern_values(magnitude_rank: np.ndarray, sign: np.ndarray) -> np.ndarray:
    return sign * magnitude_rank.astype(np.float64)


def _within_ok(values: np.ndarray, requirement, alpha: float) -> bool:
    if requirement == "ns":
        return is_non_significant(values, alpha)
    target = int(requirement)
    magnitude_order = np.argsort(np.abs(values))
    ranks = np.empty(len(values))
    ranks[magnitude_order] = np.arange(1, len(values) + 1)
    positive, negative = ranks[values > 0].sum(), ranks[values < 0].sum()
    return min(positive, negative) == target


def search_pooled_pattern(sizes: dict[str, int], *, target: float, within: dict[str, object],
                          forced: dict[str, dict[int, int]] | None = None,
                          max_rank: dict[str, dict[int, int]] | None = None,
                          min_rank: dict[str, dict[int, int]] | None = None, alpha: float = 0.05,
                          decimals: int = 4, seed: int = 0, max_steps: int = 200_000) -> dict[str, list[int]]:
    """Signed pooled ranks for one (field, visit) whose Kruskal-Wallis p rounds to ``target``.

    ``sizes``: values per group. ``within``: per group, ``"ns"`` (not significant by every method of
    :func:`signed_rank_pvalues`, checked at ``alpha`` plus a margin of 0.01) or a whole number T (the
    smaller signed-rank sum the group must have). ``forced``: per group, {position: +1 or -1} signs that
    must hold (a band crossing, a published direction). ``max_rank``: per group, {position: largest pooled
    rank allowed} (a change that must stay inside a narrow band cannot be among the largest); ``min_rank``
    likewise the smallest (a change that must cross a band boundary). The result gives, per group and position, the
    signed rank of the change among all changes by absolute size (1 = smallest); the sign is the
    direction. Deterministic for a given ``seed``; raises ``RuntimeError`` if ``max_steps`` do not suffice.
    """
    forced = forced or {}
    max_rank = max_rank or {}
    min_rank = min_rank or {}
    names = list(sizes)
    owner = np.concatenate([[i] * sizes[name] for i, name in enumerate(names)])
    position = np.concatenate([np.arange(sizes[name]) for name in names])
    n_total = len(owner)
    rng = np.random.default_rng(seed)
    fixed = np.zeros(n_total, dtype=np.int64)
    for i, name in enumerate(names):
        for pos, sign in forced.get(name, {}).items():
            fixed[(owner == i) & (position == pos)] = sign
    cap = np.full(n_total, n_total, dtype=np.int64)
    for i, name in enumerate(names):
        for pos, largest in max_rank.get(name, {}).items():
            cap[(owner == i) & (position == pos)] = largest
    floor = np.ones(n_total, dtype=np.int64)
    for i, name in enumerate(names):
        for pos, smallest in min_rank.get(name, {}).items():
            floor[(owner == i) & (position == pos)] = smallest
    half = 0.5 * 10.0 ** (-decimals)

    def score(rank: np.ndarray, sign: np.ndarray) -> tuple[float, float]:
        values = _pattern_values(rank, sign)
        penalty = 0.0
        for i, name in enumerate(names):
            requirement = within.get(name, "ns")
            margin = alpha + (0.01 if requirement == "ns" else 0.0)
            if not _within_ok(values[owner == i], requirement, margin):
                penalty += 1.0
        penalty += float(np.sum(rank > cap) + np.sum(rank < floor))
        p = kruskal_pvalue(values, owner)
        return penalty + abs(math.log(p) - math.log(target)), p

    rank = rng.permutation(n_total) + 1
    sign = np.where(fixed != 0, fixed, np.where(rng.random(n_total) < 0.5, -1, 1))
    current, p = score(rank, sign)
    temperature = 0.5
    for step in range(max_steps):
        if current < 1.0 and abs(p - target) < half - 1e-12:
            return {name: [int(v) for v in _pattern_values(rank, sign)[owner == i]] for i, name in enumerate(names)}
        new_rank, new_sign = rank.copy(), sign.copy()
        if rng.random() < 0.6:
            a, b = rng.choice(n_total, size=2, replace=False)
            new_rank[a], new_rank[b] = new_rank[b], new_rank[a]
        else:
            free = np.flatnonzero(fixed == 0)
            if len(free) == 0:
                continue
            k = rng.choice(free)
            new_sign[k] = -new_sign[k]
        candidate, new_p = score(new_rank, new_sign)
        if candidate <= current or rng.random() < math.exp((current - candidate) / temperature):
            rank, sign, current, p = new_rank, new_sign, candidate, new_p
        temperature = max(0.02, temperature * 0.9999)
    raise RuntimeError(f"`search_pooled_pattern` found no pattern for p = {target} in {max_steps} steps (best p {p:.6f})")
