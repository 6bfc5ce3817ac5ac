"""Survival methods with R ``survival``'s conventions: Kaplan-Meier, log-rank, median, numbers at risk.

Inputs are arrays ``time`` and ``event`` with **1 = the event happened, 0 = censored** (R's ``Surv``).
ADaM's BDS-TTE records the opposite (``CNSR`` = 0 for an event), so ADTTE goes through :func:`from_adtte`,
which converts it explicitly; nothing here reads ``CNSR``.

* :func:`kaplan_meier` - the curve at every distinct time, as R's ``survfit(Surv(time, event) ~ group)``;
* :func:`kaplan_meier_at` - the curve read at given times, as R's ``summary(fit, times = ...)``;
* :func:`km_median` - median survival and its confidence limits, as ``print(fit)`` / ``summary(fit)$table``;
* :func:`n_at_risk` - subjects still at risk at given times (the table under a KM plot);
* :func:`logrank_test` - the k-group log-rank test, as ``survdiff(..., rho = 0)``;
* :func:`crude_survival_rate` - the paper's "survival rate": alive and still followed at t, over N.

Conventions (variance, confidence interval types, ties, times past the end of follow-up) are written out
in ``docs/analysis-methods.md``. Loops run over groups and requested times only, never over records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cdisc_pipe.analysis.methods.inputs import AnalysisError, as_groups, assert_survival_data

__all__ = [
    "CONF_TYPES",
    "LogRankResult",
    "from_adtte",
    "kaplan_meier",
    "kaplan_meier_at",
    "km_median",
    "n_at_risk",
    "logrank_test",
    "crude_survival_rate",
]

CONF_TYPES = ("log", "log-log", "plain")
MEDIAN_TOLERANCE = np.sqrt(np.finfo(float).eps)  # R's survmean: .Machine$double.eps^0.5
CURVE_COLUMNS = ["time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"]


def from_adtte(dataset: pd.DataFrame, *, time: str = "AVAL", cnsr: str = "CNSR",
               group: str | None = None) -> pd.DataFrame:
    """ADTTE records (one parameter) as ``TIME``, ``EVENT`` (1 = event, 0 = censored) and, when ``group``
    names a variable, ``GROUP``; ``USUBJID`` is kept when present. The index is kept.

    ``EVENT`` is 1 exactly where ``CNSR`` is 0: CDISC BDS-TTE codes an event as CNSR = 0 and a censoring
    as a positive integer (1, 2, ... may name censoring reasons). Any other CNSR, a missing AVAL, or records
    of more than one PARAMCD are refused."""
    if not isinstance(dataset, pd.DataFrame):
        raise AnalysisError(f"'dataset' must be a pandas DataFrame (got {type(dataset).__name__})")
    needed = [time, cnsr] + ([group] if group is not None else [])
    missing = [name for name in needed if name not in dataset.columns]
    if missing:
        raise AnalysisError(f"ADTTE must have variables {needed} (got none named {missing})")
    if "PARAMCD" in dataset.columns and dataset["PARAMCD"].nunique(dropna=False) > 1:
        raise AnalysisError("ADTTE records must be of one PARAMCD; select a parameter first "
                            f"(got {sorted(map(str, dataset['PARAMCD'].unique()))[:10]})")
    codes = pd.to_numeric(dataset[cnsr], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(codes) | (codes < 0) | (codes != np.round(codes))
    if bad.any():
        shown = dataset[cnsr].to_numpy(object)[bad][:10].tolist()
        raise AnalysisError(f"ADTTE.{cnsr} must be 0 (event) or a positive integer (censored) "
                            f"(got {shown} in {int(bad.sum())} records)")
    out = pd.DataFrame(index=dataset.index)
    if "USUBJID" in dataset.columns:
        out["USUBJID"] = dataset["USUBJID"]
    if group is not None:
        out["GROUP"] = dataset[group]
    out["TIME"] = pd.to_numeric(dataset[time], errors="coerce").astype(float)
    out["EVENT"] = (codes == 0).astype(np.int64)
    assert_survival_data(out["TIME"], out["EVENT"])
    return out


def _check_conf(conf_level: float, conf_type: str) -> float:
    if conf_type not in CONF_TYPES:
        raise AnalysisError(f"'conf_type' must be one of {list(CONF_TYPES)} (got {conf_type!r})")
    if not 0.0 < float(conf_level) < 1.0:
        raise AnalysisError(f"'conf_level' must be strictly between 0 and 1 (got {conf_level!r})")
    return float(stats.norm.ppf(1.0 - (1.0 - float(conf_level)) / 2.0))


def _confidence_limits(surv: np.ndarray, se_log: np.ndarray, z: float, conf_type: str):
    """R's ``survfit_confint`` with ``logse = TRUE``: ``se_log`` is the standard error of -log S."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            s = np.where(surv == 0, np.nan, surv)
            return np.exp(np.log(s) - z * se_log), np.minimum(np.exp(np.log(s) + z * se_log), 1.0)
        if conf_type == "log-log":
            s = np.where((surv == 0) | (surv == 1), np.nan, surv)
            shift = z * se_log / np.log(s)
            loglog = np.log(-np.log(s))
            return np.exp(-np.exp(loglog - shift)), np.exp(-np.exp(loglog + shift))
        half = z * se_log * surv
        return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)


def _curve(time: np.ndarray, event: np.ndarray, z: float, conf_type: str) -> dict[str, np.ndarray]:
    """The product-limit curve of one group at each distinct time (events and censorings alike)."""
    times, index = np.unique(time, return_inverse=True)
    n_event = np.bincount(index, weights=event, minlength=times.size)
    n_total = np.bincount(index, minlength=times.size).astype(float)
    n_risk = time.size - np.concatenate(([0.0], np.cumsum(n_total)[:-1]))
    surv = np.cumprod(1.0 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood: Var(-log S) = sum d / (n (n - d)); infinite once everyone at risk has died (as R).
        terms = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        se_log = np.sqrt(np.cumsum(terms))
        std_err = np.where(surv == 0, np.nan, surv * se_log)
    lower, upper = _confidence_limits(surv, se_log, z, conf_type)
    return {"time": times, "n_risk": n_risk, "n_event": n_event, "n_censor": n_total - n_event,
            "surv": surv, "std_err": std_err, "lower": lower, "upper": upper}


def _by_group(time, event, group) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    time, event = assert_survival_data(time, event)
    if time.size == 0:
        raise AnalysisError("'time' must hold at least one record (got none)")
    labels, codes = as_groups(group, time.size)
    return [(label, time[codes == k], event[codes == k]) for k, label in enumerate(labels)]


def _frame(parts: list[tuple[Any, dict[str, np.ndarray]]], grouped: bool, columns: Sequence[str]) -> pd.DataFrame:
    frames = []
    for label, values in parts:
        frame = pd.DataFrame({name: values[name] for name in columns})
        if grouped:
            frame.insert(0, "group", label)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    for name in ("n_risk", "n_event", "n_censor", "n", "n_alive_followed"):
        if name in out.columns:
            out[name] = out[name].astype(np.int64)
    return out


def kaplan_meier(time, event, *, group=None, conf_level: float = 0.95, conf_type: str = "log") -> pd.DataFrame:
    """The Kaplan-Meier curve at every distinct observed time, per group (R: ``survfit``).

    Columns: ``group`` (only when grouped), ``time``, ``n_risk``, ``n_event``, ``n_censor``, ``surv``,
    ``std_err`` (Greenwood standard error of S, as ``summary.survfit`` prints it), ``lower``, ``upper``.
    ``conf_type`` is R's: "log" (R's default), "log-log" (SAS PROC LIFETEST's default) or "plain"."""
    z = _check_conf(conf_level, conf_type)
    parts = [(label, _curve(t, e, z, conf_type)) for label, t, e in _by_group(time, event, group)]
    return _frame(parts, group is not None, CURVE_COLUMNS)


def kaplan_meier_at(time, event, times, *, group=None, conf_level: float = 0.95, conf_type: str = "log",
                    extend: bool = False) -> pd.DataFrame:
    """The Kaplan-Meier curve read at ``times``, per group (R: ``summary(fit, times = times)``).

    A right-continuous step function: at t, S is the value after every event at or before t. ``n_risk``
    counts records with time >= t; ``n_event`` and ``n_censor`` count those in (previous requested time, t]
    (from the start for the first). ``times`` are sorted and de-duplicated. Before the first observed time
    S = 1 with limits [1, 1]. As R with ``extend = FALSE``, times after a group's last observed time give no
    row for that group; with ``extend=True`` they give S and limits of the last time and ``n_risk`` 0."""
    z = _check_conf(conf_level, conf_type)
    wanted = np.unique(np.asarray(times, dtype=float))
    if wanted.size == 0 or not np.isfinite(wanted).all():
        raise AnalysisError(f"'times' must be one or more finite numbers (got {list(np.asarray(times))[:10]})")
    parts = []
    for label, t, e in _by_group(time, event, group):
        curve = _curve(t, e, z, conf_type)
        keep = wanted if extend else wanted[wanted <= curve["time"][-1]]
        row = np.searchsorted(curve["time"], keep, side="right") - 1   # last curve time <= requested time
        before = row < 0
        take = np.where(before, 0, row)
        values = {"time": keep, "n_risk": t.size - np.searchsorted(np.sort(t), keep, side="left")}
        for name, start in (("surv", 1.0), ("std_err", 0.0), ("lower", 1.0), ("upper", 1.0)):
            values[name] = np.where(before, start, curve[name][take])
        for name in ("n_event", "n_censor"):
            cumulative = np.where(before, 0.0, np.cumsum(curve[name])[take])
            values[name] = np.diff(np.concatenate(([0.0], cumulative)))
        parts.append((label, values))
    return _frame(parts, group is not None, CURVE_COLUMNS)


def _r_minmin(y: np.ndarray, x: np.ndarray) -> float:
    """R's ``survmean`` rule: the first time the curve is at or below 0.5; if it sits exactly at 0.5,
    the midpoint between that time and the time the curve next drops."""
    keep = ~np.isnan(y) & (y < 0.5 + MEDIAN_TOLERANCE)
    if not keep.any():
        return float("nan")
    x, y = x[keep], y[keep]
    below = np.flatnonzero(y < y[0])
    if abs(y[0] - 0.5) < MEDIAN_TOLERANCE and below.size:
        return float((x[0] + x[below[0]]) / 2.0)
    return float(x[0])


def km_median(time, event, *, group=None, conf_level: float = 0.95, conf_type: str = "log") -> pd.DataFrame:
    """Median survival with confidence limits, per group, as R's ``print(survfit(...))``.

    The median is the first time S <= 0.5 (the midpoint to the next drop where S is exactly 0.5); the
    limits apply the same rule to the lower and upper confidence curves (Brookmeyer-Crowley by inversion of
    the pointwise bands). NaN where a curve never reaches 0.5 (R prints NA). Columns: ``group`` (when
    grouped), ``n``, ``n_event``, ``median``, ``lower``, ``upper``."""
    z = _check_conf(conf_level, conf_type)
    parts = []
    for label, t, e in _by_group(time, event, group):
        curve = _curve(t, e, z, conf_type)
        parts.append((label, {"n": np.array([t.size]), "n_event": np.array([e.sum()]),
                              **{name: np.array([_r_minmin(curve[source], curve["time"])])
                                 for name, source in (("median", "surv"), ("lower", "lower"), ("upper", "upper"))}}))
    return _frame(parts, group is not None, ["n", "n_event", "median", "lower", "upper"])


def n_at_risk(time, times, *, group=None) -> pd.DataFrame:
    """Records still at risk (time >= t) at each of ``times``, per group: the table under a KM plot."""
    values, _ = assert_survival_data(time, np.zeros(np.size(time)))
    wanted = np.asarray(times, dtype=float).ravel()
    labels, codes = as_groups(group, values.size)
    parts = []
    for k, label in enumerate(labels):
        ordered = np.sort(values[codes == k])
        parts.append((label, {"time": wanted, "n_risk": ordered.size - np.searchsorted(ordered, wanted, "left")}))
    return _frame(parts, group is not None, ["time", "n_risk"])


def crude_survival_rate(time, event, times, *, group=None) -> pd.DataFrame:
    """The paper's "survival rate": records alive and still followed at t, divided by all records N.

    Alive and followed at t means an event strictly after t, or censored at or after t; a death at t, and a
    censoring (lost, withdrawn) before t, count against. This is not a Kaplan-Meier estimate: censored
    records stay in the denominator. Columns: ``group`` (when grouped), ``time``, ``n_alive_followed``,
    ``n``, ``rate``."""
    wanted = np.asarray(times, dtype=float).ravel()
    parts = []
    for label, t, e in _by_group(time, event, group):
        alive = np.where(e[:, None] == 1, t[:, None] > wanted[None, :], t[:, None] >= wanted[None, :])
        counts = alive.sum(axis=0)
        parts.append((label, {"time": wanted, "n_alive_followed": counts, "n": np.full(wanted.size, t.size),
                              "rate": counts / t.size}))
    return _frame(parts, group is not None, ["time", "n_alive_followed", "n", "rate"])


@dataclass(frozen=True)
class LogRankResult:
    """The log-rank test across groups. ``table`` has per group ``n``, ``observed``, ``expected``,
    ``oe2_e`` ((O-E)^2/E) and ``oe2_v`` ((O-E)^2/V), as R's ``print(survdiff(...))``; ``variance`` is the
    k x k variance matrix of O - E in the order of ``table``. ``note`` says why a statistic is missing."""

    statistic: float
    df: int
    p_value: float
    table: pd.DataFrame
    variance: np.ndarray
    note: str = ""


def logrank_test(time, event, group) -> LogRankResult:
    """The k-group log-rank test (R: ``survdiff(Surv(time, event) ~ group, rho = 0)``).

    At each distinct event time the deaths are shared out in proportion to the numbers at risk; tied
    deaths use the hypergeometric variance d (n - d) / (n - 1). The statistic is (O - E)' V^- (O - E) with one
    group left out (groups with E = 0 are dropped first, as survdiff does), chi-square with (groups - 1) df.
    No events: statistic 0, p NaN. A singular variance (where R's survdiff stops with an error): NaN, and
    ``note`` says why."""
    time, event = assert_survival_data(time, event)
    labels, codes = as_groups(group, time.size)
    if len(labels) < 2:
        raise AnalysisError(f"'group' must have at least two groups for a log-rank test (got {labels})")
    event_times, at = np.unique(time[event == 1], return_inverse=True)
    deaths = np.zeros((len(labels), event_times.size))
    np.add.at(deaths, (codes[event == 1], at), 1.0)
    risk = np.vstack([np.sum(codes == k) - np.searchsorted(np.sort(time[codes == k]), event_times, "left")
                      for k in range(len(labels))]).astype(float)
    n, d = risk.sum(axis=0), deaths.sum(axis=0)
    share = risk / n
    expected = (share * d).sum(axis=1)
    observed = deaths.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    variance = np.diag((share * weight).sum(axis=1)) - (share * weight) @ share.T
    used = np.flatnonzero(expected > 0)
    df = max(used.size - 1, 0)
    keep = used[1:]
    note = ""
    if df == 0:
        statistic, p_value, note = 0.0, float("nan"), "fewer than two groups with deaths expected; no test"
    elif np.linalg.matrix_rank(variance[np.ix_(keep, keep)]) < keep.size:
        statistic, p_value = float("nan"), float("nan")
        note = "the variance of O - E is singular (e.g. every record at risk died at once); R's survdiff stops here"
    else:
        diff = (observed - expected)[keep]
        statistic = float(diff @ np.linalg.solve(variance[np.ix_(keep, keep)], diff))
        p_value = float(stats.chi2.sf(statistic, df))
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame({"group": labels, "n": np.bincount(codes, minlength=len(labels)),
                              "observed": observed, "expected": expected,
                              "oe2_e": (observed - expected) ** 2 / expected,
                              "oe2_v": (observed - expected) ** 2 / np.diag(variance)})
    return LogRankResult(statistic=statistic, df=df, p_value=p_value, table=table, variance=variance, note=note)
