"""The continuous parameters the paper reports by group and visit, and the one analysis frame built for them.

Catalogue (:data:`CONTINUOUS_PARAMETERS`): which ADaM dataset and PARAMCD each parameter of S-Tables 1-3
and 9 and Figures 3-6 comes from, its family (the panel of the figures) and its table. Selection rules per
dataset, all on the full analysis set (ADSL FASFL = "Y"; group = ADSL TRT01A, order TRT01AN):

=========  ===============================================================  ===========================
dataset    records analysed                                                 baseline (AVISIT shown)
=========  ===============================================================  ===========================
ADLB       ANL01FL = "Y" (the record nearest each window's target day),     ABLFL = "Y" (BASELINE, 0)
           windowed AVISITN in 29, 57, 85, 169
ADVS       as ADLB (PARAMCD WEIGHT)                                         ABLFL = "Y" (BASELINE, 0)
ADLIVER    one record per subject, parameter and nominal visit (no         ABLFL = "Y" (DAY 1 shown
           analysis flag needed); AVISITN 29, 57, 85, 169; DTYPE = "LOCF"  as BASELINE, 0)
           score records included (a component carried from the visit
           before; docs/adam/adliver.md)
ADQS       PARCAT2 = "SCALE" (the eight RAND-36 scales), AVISITN 169       ABLFL = "Y": the DAY 85
                                                                            questionnaire (DAY 85, 85);
                                                                            not a pre-treatment value
=========  ===============================================================  ===========================

**CHG precision.** CHG = AVAL - BASE in binary floating point carries noise (34.7 - 33.4 =
1.3000000000000043; 28.7 - 28.4 and 30.4 - 30.1 differ in the last bits), which splits ties among |CHG|
and changes rank tests (on the default study, when written, about one signed-rank p-value in ten). The
paper's values are recorded to fixed decimals, so CHG is rounded to the parameter's collected precision: the
fewest decimals d <= 6 that represent every AVAL of the parameter (ALB 1, CHOL 2, ALT 0, ...). That
recovers the exact decimal difference (a difference of two d-decimal numbers has d decimals), so it creates
no fake ties either. A derived score without a finite precision (MELD; a RAND-36 scale averaged over e.g. 3
items) is rounded to 10 decimals, which only removes the noise. The rounded CHG (column ``CHG``, decimals in
``CHGDEC``) is used for every statistic; R's ``digits.rank`` is therefore not needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.analysis.methods.continuous import assert_columns
from cdisc_pipe.analysis.methods.inputs import AnalysisError

__all__ = [
    "ContinuousParameter",
    "CONTINUOUS_PARAMETERS",
    "ANALYSIS_VISITS",
    "FALLBACK_DECIMALS",
    "POPULATION_TEXT",
    "parameter_catalogue",
    "select_population",
    "compute_collected_decimals",
    "build_continuous_frame",
]

ANALYSIS_VISITS = (29, 57, 85, 169)
"""Post-baseline analysis visits (study days) of the laboratory, vital-sign and liver-score parameters."""
FALLBACK_DECIMALS = 10
MAX_DECIMALS = 6
POPULATION_TEXT = "full analysis set (ADSL FASFL = 'Y'); group ADSL TRT01A"
BASELINE_VISIT = ("BASELINE", 0.0)


@dataclass(frozen=True)
class ContinuousParameter:
    dataset: str
    paramcd: str
    family: str
    table: str
    figure: str


def _family(dataset: str, codes: str, family: str, table: str, figure: str) -> tuple[ContinuousParameter, ...]:
    return tuple(ContinuousParameter(dataset, code, family, table, figure) for code in codes.split())


CONTINUOUS_PARAMETERS: tuple[ContinuousParameter, ...] = (
    *_family("ADLB", "ALB ALT AST CHOLINES BILI BILDIR CHOL", "LIVER FUNCTION", "S-Table 1", "Figure 3"),
    *_family("ADLB", "PTACT PT INR ANTHRMAG", "COAGULATION", "S-Table 2", "Figure 4"),
    *_family("ADVS", "WEIGHT", "GENERAL CONDITION", "S-Table 3", "Figure 5"),
    *_family("ADLIVER", "CHILDPUG MELD", "GENERAL CONDITION", "S-Table 3", "Figure 5"),
    *_family("ADQS", "R36PF R36RP R36BP R36GH R36VT R36SF R36RE R36MH", "SF-36", "S-Table 3", ""),
    *_family("ADLB", "TLC TLYH NKCE NKTLY TH1TH TH2TH", "IMMUNE CELLS", "S-Table 9", "Figure 6"),
    *_family("ADLB", "INTLK1B INTLK4 INTLK6 INTLK8 INTLK12 INTLK15 INTLK17", "CYTOKINES", "S-Table 9", "Figure 6"),
)
"""Every continuous parameter analysed, in display order (the order of the paper's tables)."""

_SELECTION = {
    "ADLB": "ANL01FL = 'Y'; windowed AVISIT",
    "ADVS": "ANL01FL = 'Y'; windowed AVISIT",
    "ADLIVER": "one record per nominal AVISIT (no analysis flag); DTYPE = 'LOCF' scores included",
    "ADQS": "PARCAT2 = 'SCALE'; nominal AVISIT; baseline = DAY 85 questionnaire (ADQS ABLFL)",
}


def parameter_catalogue() -> pd.DataFrame:
    """The catalogue as a frame: DATASET, PARAMCD, FAMILY, TABLE, FIGURE, ORDER (display order), SELECTION
    (the records analysed), for laying out tables from the ARD."""
    rows = [{"DATASET": p.dataset, "PARAMCD": p.paramcd, "FAMILY": p.family, "TABLE": p.table,
             "FIGURE": p.figure, "ORDER": i + 1, "SELECTION": _SELECTION[p.dataset]}
            for i, p in enumerate(CONTINUOUS_PARAMETERS)]
    return pd.DataFrame(rows)


def select_population(adsl: pd.DataFrame, *, flag: str = "FASFL") -> pd.DataFrame:
    """USUBJID, TRT01A, TRT01AN of the subjects with ``flag`` = "Y" (one row each)."""
    assert_columns(adsl, ["USUBJID", "TRT01A", "TRT01AN", flag], arg="adsl")
    chosen = adsl.loc[adsl[flag].astype("string").str.strip() == "Y", ["USUBJID", "TRT01A", "TRT01AN"]]
    if chosen["USUBJID"].duplicated().any():
        raise AnalysisError(f"'adsl' must have one record per USUBJID (got duplicates "
                            f"{chosen.loc[chosen['USUBJID'].duplicated(), 'USUBJID'].head(10).tolist()})")
    return chosen.reset_index(drop=True)


def compute_collected_decimals(values: pd.Series, keys: pd.Series) -> pd.Series:
    """Per key (PARAMCD): the fewest decimals d <= 6 that represent every non-missing value, else
    :data:`FALLBACK_DECIMALS` (a derived value without finite precision). Vectorised over all values."""
    v = values.to_numpy(dtype="float64")
    keep = ~np.isnan(v)
    frame = pd.DataFrame({"KEY": keys.to_numpy()[keep]})
    result = pd.Series(FALLBACK_DECIMALS, index=pd.Index(pd.unique(keys.to_numpy()), name="KEY"), dtype="int64")
    for d in range(MAX_DECIMALS, -1, -1):
        scaled = v[keep] * 10.0 ** d
        frame["OK"] = np.isclose(scaled, np.round(scaled), rtol=1e-12, atol=1e-6)
        fits = frame.groupby("KEY", sort=False)["OK"].all()
        result.loc[fits.index[fits.to_numpy()]] = d
    return result


def _records(name: str, dataset: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The analysed records of one dataset (module docstring), baseline first-class: a ``_BASE`` flag."""
    needed = ["USUBJID", "PARAMCD", "PARAM", "AVAL", "CHG", "ABLFL", "AVISIT", "AVISITN"]
    extra = {"ADLB": ["ANL01FL"], "ADVS": ["ANL01FL"], "ADQS": ["PARCAT2"]}.get(name, [])
    assert_columns(dataset, needed + extra, arg=name)
    data = dataset[dataset["PARAMCD"].isin(codes)]
    baseline = data["ABLFL"].astype("string").str.strip().eq("Y").fillna(False).to_numpy(dtype=bool)
    if name in ("ADLB", "ADVS"):
        flagged = data["ANL01FL"].astype("string").str.strip().eq("Y").fillna(False).to_numpy(dtype=bool)
        post = flagged & data["AVISITN"].isin(ANALYSIS_VISITS).to_numpy() & ~baseline
        keep = (flagged & baseline) | post
    elif name == "ADQS":
        scale = data["PARCAT2"].astype("string").str.strip().eq("SCALE").fillna(False).to_numpy(dtype=bool)
        baseline = baseline & scale
        keep = baseline | (scale & data["AVISITN"].eq(169).to_numpy() & ~baseline)
    else:
        keep = baseline | (data["AVISITN"].isin(ANALYSIS_VISITS).to_numpy() & ~baseline)
    out = data.loc[keep, needed].copy()
    out["_BASE"] = baseline[keep]
    if name != "ADQS":
        out.loc[out["_BASE"], "AVISIT"] = BASELINE_VISIT[0]
        out.loc[out["_BASE"], "AVISITN"] = BASELINE_VISIT[1]
    out.insert(0, "DATASET", name)
    return out


def build_continuous_frame(adam: Mapping[str, pd.DataFrame], *,
                           parameters: tuple[ContinuousParameter, ...] = CONTINUOUS_PARAMETERS) -> pd.DataFrame:
    """One record per FAS subject, parameter and visit of every catalogue parameter present in ``adam``.

    Columns DATASET, USUBJID, PARAMCD, PARAM, AVISIT, AVISITN, AVAL, CHG (rounded, missing on baseline
    records), CHGDEC (the decimals it was rounded to), BASEFL ("Y" on the baseline record), TRT01A,
    TRT01AN (from ADSL), ORDER (catalogue order). Datasets or parameters absent from ``adam`` are skipped.
    """
    if "ADSL" not in adam:
        raise AnalysisError(f"'adam' must hold ADSL (got {sorted(adam)})")
    population = select_population(adam["ADSL"])
    order = {f"{p.dataset}/{p.paramcd}": i + 1 for i, p in enumerate(parameters)}
    parts = []
    for name in dict.fromkeys(p.dataset for p in parameters):
        if name in adam:
            parts.append(_records(name, adam[name], [p.paramcd for p in parameters if p.dataset == name]))
    columns = ["DATASET", "USUBJID", "PARAMCD", "PARAM", "AVISIT", "AVISITN", "AVAL", "CHG", "CHGDEC",
               "BASEFL", "TRT01A", "TRT01AN", "ORDER"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True).merge(population, on="USUBJID", how="inner")
    frame["AVAL"] = frame["AVAL"].astype("float64")
    frame["AVISITN"] = frame["AVISITN"].astype("float64")
    key = frame["DATASET"] + "/" + frame["PARAMCD"]
    decimals = compute_collected_decimals(frame["AVAL"], key)
    frame["CHGDEC"] = key.map(decimals).astype("int64")
    chg = frame["CHG"].astype("float64").to_numpy()
    scale = 10.0 ** frame["CHGDEC"].to_numpy()
    rounded = np.round(chg * scale) / scale
    frame["CHG"] = np.where(frame["_BASE"].to_numpy(), np.nan, rounded + 0.0)  # + 0.0: no negative zero
    frame["BASEFL"] = np.where(frame["_BASE"].to_numpy(), "Y", "")
    frame["ORDER"] = key.map(order).astype("int64")
    frame = frame.sort_values(["ORDER", "AVISITN", "TRT01AN", "USUBJID"], kind="stable", ignore_index=True)
    return frame[columns]
