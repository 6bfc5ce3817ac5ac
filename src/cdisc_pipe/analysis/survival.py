"""Survival [paper Figure 2] from ADTTE: Kaplan-Meier by group, estimates at fixed times, numbers at risk,
medians, the log-rank test across groups, and the paper's crude "survival rate".

Parameters: every PARAMCD of ADTTE; OS (overall survival) is the paper's analysis, TTSAE (time to the first
serious adverse event) a supplementary one. Population: ``ITTFL = "Y"`` by default (every enrolled subject:
the paper's survival rates are "of 8" per group, and the FAS leaves out a subject who missed every visit);
groups are ADSL.TRT01A in TRT01AN order. ADTTE goes through ``methods.survival.from_adtte`` (CNSR = 0 is an
event), and every statistic comes from ``methods.survival``.

**Time scale.** ADTTE.AVAL in days with day 1 = the first infusion (AVAL = ADT - STARTDT + 1). A month is
365.25 / 12 days and "m months" is m x 365.25 / 12 rounded half up: **6 months = 183 days, 12 = 365, 18 = 548,
2 years = 731 days** (730.5 rounded up). TTSAE is read at the follow-up visit days (29, 57, 85, 169).

ARD layout (``GROUP`` = TRT01A, ``PARAMCD`` = the ADTTE parameter; ``AVISIT``/``AVISITN`` = the time point
as text ("MONTH 6", "DAY 85") and in days):

``SURV-KM-CURVE``  the whole curve, one AVISITN per distinct time (plus day 0): SURV, STDERR, LCL, UCL,
                   N_RISK, N_EVENT, N_CENSOR (the figure is drawn from these rows)
``SURV-KM-AT``     the curve at the estimate times (OS: months 6 and 24): SURV, STDERR, LCL, UCL, N_RISK;
                   NaN + NOTE past a group's last follow-up
``SURV-NRISK``     numbers at risk (OS: months 0, 6, 12, 18, 24): N_RISK
``SURV-MEDIAN``    N, N_EVENT, MEDIAN, LCL, UCL (NaN + NOTE "not reached")
``SURV-LOGRANK``   GROUP "": CHISQ, DF, P; per group: N, OBSERVED, EXPECTED
``SURV-CRUDE``     OS only, at months 6 and 24: N_ALIVE_FOLLOWED, N, RATE (NaN + NOTE "not estimable" where
                   follow-up could not reach the time by the data cut-off); AVISIT "LAST CONTACT": N_ALIVE, N, RATE
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.analysis.ard import ard_rows, concat_ard
from cdisc_pipe.analysis.flow import assert_adam, treatment_groups
from cdisc_pipe.analysis.methods.survival import (crude_survival_rate, from_adtte, kaplan_meier, kaplan_meier_at,
                                                  km_median, logrank_test, n_at_risk)

__all__ = ["analyse_survival", "month_days", "TimePoints", "TIME_POINTS", "MONTH_DAYS"]

MONTH_DAYS = 365.25 / 12


def month_days(months: float) -> int:
    """``months`` on the ADTTE day scale: months x 365.25 / 12, rounded half up (6 -> 183, 24 -> 731)."""
    return int(Decimal(repr(months * MONTH_DAYS)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class TimePoints:
    """Where a parameter is read: ``estimates`` (KM and crude rate) and ``at_risk`` (the table under the plot),
    as (label, day) pairs; ``crude`` whether the paper's crude rate applies (overall survival only)."""

    estimates: tuple[tuple[str, int], ...]
    at_risk: tuple[tuple[str, int], ...]
    crude: bool = False


def _months(*values: int) -> tuple[tuple[str, int], ...]:
    return tuple((f"MONTH {m}", month_days(m)) for m in values)


def _days(*values: int) -> tuple[tuple[str, int], ...]:
    return tuple((f"DAY {d}", d) for d in values)


TIME_POINTS: dict[str, TimePoints] = {
    "OS": TimePoints(estimates=_months(6, 24), at_risk=_months(0, 6, 12, 18, 24), crude=True),
    "TTSAE": TimePoints(estimates=_days(85, 169), at_risk=_days(0, 29, 57, 85, 169)),
}
DEFAULT_POINTS = TimePoints(estimates=_months(6, 24), at_risk=_months(0, 6, 12, 18, 24))


def _day_label(days: np.ndarray) -> list[str]:
    return [f"DAY {d:g}" for d in days]


def _long(frame: pd.DataFrame, stats: Mapping[str, str], index: Mapping[str, str]) -> pd.DataFrame:
    """A wide method result as ARD rows: ``stats`` maps result columns to STATISTIC names, ``index`` the
    columns kept (renamed) on every row."""
    kept = frame.rename(columns=dict(index))[list(index.values()) + list(stats)]
    long = kept.melt(id_vars=list(index.values()), value_vars=list(stats), var_name="STATISTIC", value_name="VALUE")
    long["STATISTIC"] = long["STATISTIC"].map(stats)
    return long


def _attach_group(long: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    return long.assign(GROUP=long["GROUP"].astype(str)).merge(order, on="GROUP", how="left")


def _unfinished(records: pd.DataFrame, data: pd.DataFrame, day: int, adsl: pd.DataFrame) -> tuple[pd.Series, str]:
    """Per record: censored before ``day`` although the data cut-off came before the subject could reach it
    (DCUTDT - STARTDT + 1 < day), i.e. follow-up unfinished rather than lost. And a note when undecidable."""
    if "STARTDT" not in records.columns or "DCUTDT" not in adsl.columns:
        return pd.Series(False, index=data.index), ("ADTTE.STARTDT or ADSL.DCUTDT absent: unfinished follow-up "
                                                   "cannot be told from loss; every censoring before t counts")
    cut = records["USUBJID"].map(adsl.set_index("USUBJID")["DCUTDT"])
    reach = (pd.to_datetime(cut) - pd.to_datetime(records["STARTDT"])).dt.days + 1
    return (data["EVENT"].eq(0) & data["TIME"].lt(day) & reach.lt(day)).fillna(False), ""


def _curve_rows(data: pd.DataFrame, order: pd.DataFrame, conf: dict) -> pd.DataFrame:
    curve = kaplan_meier(data["TIME"], data["EVENT"], group=data["GROUP"], **conf)
    first = curve.groupby("group", observed=True, sort=False).agg(n_risk=("n_risk", "first"), time=("time", "min"))
    start = first[first["time"] > 0].reset_index().assign(time=0.0, n_event=0, n_censor=0, surv=1.0, std_err=0.0,
                                                          lower=1.0, upper=1.0)
    curve = pd.concat([start[curve.columns], curve], ignore_index=True)
    long = _long(curve, {"surv": "SURV", "std_err": "STDERR", "lower": "LCL", "upper": "UCL", "n_risk": "N_RISK",
                         "n_event": "N_EVENT", "n_censor": "N_CENSOR"}, {"group": "GROUP", "time": "AVISITN"})
    long["AVISIT"] = _day_label(long["AVISITN"].to_numpy())
    return _attach_group(long, order)


def _at_rows(data, records, adsl, points: TimePoints, order, conf) -> pd.DataFrame:
    days = [d for _, d in points.estimates]
    at = kaplan_meier_at(data["TIME"], data["EVENT"], days, group=data["GROUP"], **conf)
    at = at.assign(group=at["group"].astype(str))
    grid = pd.MultiIndex.from_product([order["GROUP"], days], names=["group", "time"]).to_frame(index=False)
    at = grid.merge(at, on=["group", "time"], how="left")
    last = data.groupby("GROUP", observed=True)["TIME"].max()
    last.index = last.index.astype(str)
    notes = []
    for day in days:
        flags, undecidable = _unfinished(records, data, day, adsl)
        counts = flags.groupby(data["GROUP"].astype(str)).sum()
        for group in order["GROUP"]:
            row = at["group"].eq(group) & at["time"].eq(day)
            parts = [undecidable] if undecidable else []
            if at.loc[row, "surv"].isna().all():
                parts.append(f"no follow-up at day {day} (last observed day {last.get(group, np.nan):g}); as R "
                             "summary(fit, times, extend = FALSE), no estimate")
            elif counts.get(group, 0):
                parts.append(f"{int(counts[group])} subject(s) censored before day {day} by the data cut-off "
                             f"(follow-up unfinished); {int(at.loc[row, 'n_risk'].iloc[0])} still at risk")
            notes.append({"group": group, "time": day, "NOTE": "; ".join(parts)})
    at = at.merge(pd.DataFrame(notes), on=["group", "time"], how="left")
    long = _long(at, {"surv": "SURV", "std_err": "STDERR", "lower": "LCL", "upper": "UCL", "n_risk": "N_RISK"},
                 {"group": "GROUP", "time": "AVISITN", "NOTE": "NOTE"})
    long["AVISIT"] = long["AVISITN"].map({d: label for label, d in points.estimates})
    return _attach_group(long, order)


def _crude_rows(data, records, adsl, points: TimePoints, order) -> pd.DataFrame:
    days = [d for _, d in points.estimates]
    crude = crude_survival_rate(data["TIME"], data["EVENT"], days, group=data["GROUP"])
    crude["group"] = crude["group"].astype(str)
    crude["NOTE"] = ""
    for day in days:
        flags, undecidable = _unfinished(records, data, day, adsl)
        counts = flags.groupby(data["GROUP"].astype(str)).sum()
        at = crude["time"].eq(day)
        stuck = at & crude["group"].map(counts).fillna(0).gt(0)
        crude.loc[stuck, "NOTE"] = [
            f"not estimable: {int(counts[g])} of {n} subjects could not be followed to day {day} by the data "
            f"cut-off (DCUTDT); {int(k)} alive and followed at day {day} so far" for g, n, k in
            crude.loc[stuck, ["group", "n", "n_alive_followed"]].itertuples(index=False)]
        crude.loc[stuck, ["n_alive_followed", "rate"]] = np.nan
        if undecidable:
            crude.loc[at & ~stuck, "NOTE"] = undecidable
    long = _long(crude.astype({"n_alive_followed": float}), {"n_alive_followed": "N_ALIVE_FOLLOWED", "n": "N",
                                                             "rate": "RATE"},
                 {"group": "GROUP", "time": "AVISITN", "NOTE": "NOTE"})
    long["AVISIT"] = long["AVISITN"].map({d: label for label, d in points.estimates})
    alive = data.assign(GROUP=data["GROUP"].astype(str)).groupby("GROUP").agg(N=("EVENT", "size"),
                                                                               EVENTS=("EVENT", "sum"))
    last = pd.DataFrame({"GROUP": alive.index, "N_ALIVE": alive["N"] - alive["EVENTS"], "N": alive["N"]})
    last["RATE"] = last["N_ALIVE"] / last["N"]
    last = last.melt(id_vars="GROUP", var_name="STATISTIC", value_name="VALUE").assign(
        AVISIT="LAST CONTACT", NOTE="no event at the last contact or data cut-off, over N (the paper's 'current "
                                    "survival rate'); not a rate at a fixed time")
    return _attach_group(pd.concat([long, last], ignore_index=True), order)


def _parameter_rows(paramcd: str, param: str, records: pd.DataFrame, adsl: pd.DataFrame, order: pd.DataFrame,
                    population: str, conf: dict) -> list[pd.DataFrame]:
    points = TIME_POINTS.get(paramcd, DEFAULT_POINTS)
    data = from_adtte(records, group="GROUP")
    ci = f"{conf['conf_level']:.0%} CI, conf.type = '{conf['conf_type']}' (R survfit), Greenwood variance"
    pop = f"{population} = 'Y'; groups ADSL.TRT01A"
    common = {"DATASET": "ADTTE", "PARAMCD": paramcd, "PARAM": param}
    parts = [ard_rows(_curve_rows(data, order, conf), ANALYSIS="SURV-KM-CURVE",
                      METHOD=f"Kaplan-Meier (EVENT = CNSR eq 0), {ci}; {pop}", **common),
             ard_rows(_at_rows(data, records, adsl, points, order, conf), ANALYSIS="SURV-KM-AT",
                      METHOD=f"Kaplan-Meier read at the time (R summary(fit, times)), {ci}; AVAL in days, "
                             f"month = 365.25/12 days rounded half up; {pop}", **common)]
    risk = n_at_risk(data["TIME"], [d for _, d in points.at_risk], group=data["GROUP"])
    risk = _long(risk, {"n_risk": "N_RISK"}, {"group": "GROUP", "time": "AVISITN"})
    risk["AVISIT"] = risk["AVISITN"].map({d: label for label, d in points.at_risk})
    parts.append(ard_rows(_attach_group(risk, order), ANALYSIS="SURV-NRISK",
                          METHOD=f"subjects with AVAL >= t; {pop}", **common))
    median = km_median(data["TIME"], data["EVENT"], group=data["GROUP"], **conf)
    median["NOTE"] = np.where(median["median"].isna(), "median not reached (S(t) > 0.5 throughout)",
                              np.where(median["upper"].isna(), "upper limit not reached", ""))
    median = _long(median, {"n": "N", "n_event": "N_EVENT", "median": "MEDIAN", "lower": "LCL", "upper": "UCL"},
                   {"group": "GROUP", "NOTE": "NOTE"})
    parts.append(ard_rows(_attach_group(median, order), ANALYSIS="SURV-MEDIAN",
                          METHOD=f"Kaplan-Meier median (R print.survfit), {ci}; days; {pop}", **common))
    if data["GROUP"].astype(str).nunique() >= 2:
        test = logrank_test(data["TIME"], data["EVENT"], data["GROUP"])
        overall = [{"STATISTIC": "CHISQ", "VALUE": test.statistic}, {"STATISTIC": "DF", "VALUE": float(test.df)},
                   {"STATISTIC": "P", "VALUE": test.p_value}]
        by_group = _long(test.table, {"n": "N", "observed": "OBSERVED", "expected": "EXPECTED"}, {"group": "GROUP"})
        method = f"log-rank test across groups (R survdiff, rho = 0), chi-square on groups - 1 df; {pop}"
        parts += [ard_rows(overall, ANALYSIS="SURV-LOGRANK", GROUP="", METHOD=method, NOTE=test.note, **common),
                  ard_rows(_attach_group(by_group, order), ANALYSIS="SURV-LOGRANK", METHOD=method, **common)]
    if points.crude:
        parts.append(ard_rows(_crude_rows(data, records, adsl, points, order), ANALYSIS="SURV-CRUDE",
                              METHOD="the paper's crude survival rate: alive and still followed at t (event after t,"
                                     f" or censored at or after t) over all N; not Kaplan-Meier; {pop}", **common))
    return parts


def analyse_survival(adam: Mapping[str, pd.DataFrame], *, population: str = "ITTFL", conf_level: float = 0.95,
                     conf_type: str = "log") -> pd.DataFrame:
    """Survival analyses of every ADTTE parameter as ARD rows (see the module docstring for the layout)."""
    adsl = assert_adam(adam, "ADSL", ["USUBJID", "TRT01A", "TRT01AN", population])
    adtte = assert_adam(adam, "ADTTE", ["USUBJID", "PARAMCD", "PARAM", "AVAL", "CNSR"])
    groups = treatment_groups(adsl, flag=population)
    order = groups.drop_duplicates("GROUP").sort_values("GROUPN")[["GROUP", "GROUPN"]]
    order["GROUP"] = order["GROUP"].astype(str)
    conf = {"conf_level": conf_level, "conf_type": conf_type}
    sort = ["PARAMN", "PARAMCD"] if "PARAMN" in adtte.columns else ["PARAMCD"]
    parameters = adtte.drop_duplicates("PARAMCD").sort_values(sort)[["PARAMCD", "PARAM"]]
    parts = []
    for paramcd, param in parameters.itertuples(index=False):
        records = adtte[adtte["PARAMCD"].eq(paramcd)].drop(columns=["TRT01A", "TRT01AN", "GROUP"], errors="ignore")
        records = records.merge(groups[["USUBJID", "GROUP"]], on="USUBJID", how="inner", validate="1:1")
        if records.empty:
            continue
        parts += _parameter_rows(paramcd, param, records.reset_index(drop=True), adsl, order, population, conf)
    return concat_ard(parts)
