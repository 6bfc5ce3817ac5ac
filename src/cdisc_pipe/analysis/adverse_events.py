"""Adverse events [paper Table 1, Figure 7] from ADAE: counts by group, by CTCAE grade, by relationship,
leading to dose reduction / discontinuation / death, by term and grade, the most frequent terms, the
between-group tests, and the serious adverse events listed apart.

Population: ADSL ``SAFFL = "Y"`` (denominators: the group's N), ADAE ``TRTEMFL = "Y"``; groups are ADSL.TRT01A
in TRT01AN order, plus "ALL". Two scopes, as two ANALYSIS prefixes:

* ``AE-T1-*``: non-serious TEAEs (AESER ne "Y") - the scope of the paper's Table 1 ("This table excludes the
  severe adverse event") and of its AE text by term; the SAEs are listed apart (``AE-SAE-*``);
* ``AE-TEAE-*``: every TEAE, serious ones included (the conventional safety table).

Counts are of **events** (records; the paper's "times") and of **subjects** with at least one.
Grade = ATOXGRN (else ATOXGR / AETOXGR); rows 1-4 always, 5 when any grade-5 event is in scope. Relationship
= AERELTRL, the trial's 4-level scale (``RELATIONSHIP_SCALE``: its order is ARELTRLN's; ADaM carries only the
levels that occur, so the scale is given here), else AREL. Tables by layout (``PARAMCD`` = the table row):

``AE-<s>-TOTAL``    PARAMCD "ANY": N_EVENTS, N_SUBJ, N_POP (SAFFL N), PCT_SUBJ (100 N_SUBJ / N_POP)
``AE-<s>-GRADE``    PARAMCD GR1..GR5: N_EVENTS, PCT_EVENTS (of the group's events), N_SUBJ
``AE-<s>-GR12``     PARAMCD GR1-2 (grades 1 and 2 together): N_EVENTS, PCT_EVENTS
``AE-<s>-REL``      PARAMCD REL1..REL4 (scale order; PARAM = the level): N_EVENTS, PCT_EVENTS, N_SUBJ
``AE-<s>-ACTION``   PARAMCD DOSERED (AEACN = DOSE REDUCED), DRUGWD (AEACN = DRUG WITHDRAWN), DEATH (AEOUT =
                    FATAL or AESDTH = Y): N_EVENTS, N_SUBJ
``AE-<s>-RMANOVA``  GROUP "", PARAMCD GRADE / REL: F, DF1, DF2, P (sphericity), EPSILON_GG, P_GG - the paper's test
``AE-<s>-CATTEST``  GROUP "", PARAMCD GRADE / REL: P (VALUEC names the test), CHISQ, DF, P_CHISQ, MIN_EXPECTED
``AE-<s>-SOC``      PARAMCD = AEBODSYS: N_EVENTS, N_SUBJ
``AE-<s>-TERM``     PARAMCD = AEDECOD (PARAM = AEBODSYS): N_EVENTS, N_SUBJ, N_EVENTS_GR1..: events by grade
``AE-<s>-TOP15``    PARAMCD = AEDECOD: RANK (GROUP "ALL"), N_EVENTS per group and ALL (Figure 7)
``AE-SAE-COUNT``    PARAMCD "SAE": N_EVENTS, N_SUBJ
``AE-SAE-LIST``     PARAMCD SAE01, SAE02, ... one per serious event; STATISTIC = the column of the listing
                    (USUBJID, AEDECOD, AETERM, AEBODSYS, AEOUT, AERELTRL, CRITERIA in VALUEC; ASTDY, AENDY,
                    ONSET_MONTHS, GRADE in VALUE)
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.analysis.ard import ard_rows, concat_ard
from cdisc_pipe.analysis.flow import assert_adam, treatment_groups
from cdisc_pipe.analysis.methods.categorical import categorical_test, contingency_table, repeated_measures_anova
from cdisc_pipe.analysis.methods.inputs import AnalysisError

__all__ = ["analyse_adverse_events", "RELATIONSHIP_SCALE", "SCOPES"]

ALL = "ALL"
MISSING = "MISSING"
MONTH_DAYS = 365.25 / 12
RELATIONSHIP_SCALE = ("ABSOLUTELY RELEVANT", "POSSIBLY RELEVANT", "POSSIBLY IRRELEVANT", "ABSOLUTELY IRRELEVANT")
SCOPES = {"T1": "non-serious TEAEs (AESER ne 'Y'; the paper's Table 1 scope)", "TEAE": "all TEAEs"}
SERIOUS_CRITERIA = {"AESDTH": "DEATH", "AESLIFE": "LIFE-THREATENING", "AESHOSP": "HOSPITALISATION",
                    "AESDISAB": "DISABILITY", "AESCONG": "CONGENITAL ANOMALY", "AESMIE": "OTHER MEDICALLY IMPORTANT"}
RMANOVA_METHOD = ("one-way repeated-measures ANOVA on the event-count table, categories as blocks ('subjects') "
                  "and groups as the repeated factor, P Greenhouse-Geisser corrected (SPSS GLM repeated measures "
                  "default) - how the paper's Table 1 F and P arise; counts are not repeated measurements, so this "
                  "reproduces the paper and is not a recommended test")


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def _grades(ae: pd.DataFrame) -> pd.Series:
    for name in ("ATOXGRN", "ATOXGR", "AETOXGR"):
        if name in ae.columns:
            values = pd.to_numeric(ae[name].replace("", np.nan), errors="coerce").round().astype("Int64")
            return pd.Series(np.where(values.isna(), MISSING, "GR" + values.astype(str)), index=ae.index)
    return pd.Series(MISSING, index=ae.index)


def _relationship(ae: pd.DataFrame, scale: Sequence[str]) -> tuple[pd.Series, list[str], str]:
    for name, levels in (("AERELTRL", list(scale)), ("AREL", ["RELATED", "NOT RELATED"]),
                         ("AEREL", ["RELATED", "NOT RELATED"])):
        if name in ae.columns:
            values = _text(ae[name]).replace("", MISSING)
            if name == "AERELTRL" and "ARELTRLN" in ae.columns:
                pairs = pd.DataFrame({"level": values, "n": ae["ARELTRLN"]}).drop_duplicates().dropna()
                wrong = pairs[pairs["level"].isin(levels)
                              & pairs["n"].ne(pairs["level"].map({v: i for i, v in enumerate(levels, 1)}))]
                if len(wrong):
                    raise AnalysisError(f"'relationship_scale' must list AERELTRL in ARELTRLN order (got "
                                        f"{wrong.to_records(index=False).tolist()[:10]} against {levels})")
            extra = sorted(set(values) - set(levels) - {MISSING})
            return values, levels + extra + ([MISSING] if (values == MISSING).any() else []), name
    return pd.Series(MISSING, index=ae.index), [MISSING], "none"


def _table(ae: pd.DataFrame, row: str, rows: Sequence[str], groups: list[str], subject: bool = False) -> pd.DataFrame:
    """Events (or distinct subjects) by ``row`` x group, zero-filled, plus the ALL column (subjects are in one
    group each, so ALL is the row sum either way)."""
    frame = ae[[row, "GROUP", "USUBJID"]].assign(GROUP=ae["GROUP"].astype(str))
    if frame.empty:
        table = pd.DataFrame(0, index=list(rows), columns=groups)
    else:
        table = contingency_table(frame, row=row, column="GROUP", subject="USUBJID" if subject else None,
                                  rows=list(rows), columns=groups)
    return table.assign(**{ALL: table.sum(axis=1)})


def _melt(table: pd.DataFrame, statistic: str, order: pd.DataFrame) -> pd.DataFrame:
    long = table.rename_axis(index="PARAMCD", columns="GROUP").stack().rename("VALUE").reset_index()
    return long.assign(STATISTIC=statistic, VALUE=long["VALUE"].astype(float)).merge(order, on="GROUP", how="left")


def _category_rows(ae, row, rows, labels, order, groups, *, pct: bool = True) -> pd.DataFrame:
    events = _table(ae, row, rows, groups)
    parts = [_melt(events, "N_EVENTS", order), _melt(_table(ae, row, rows, groups, subject=True), "N_SUBJ", order)]
    if pct:
        totals = events.sum(axis=0).replace(0, np.nan)
        parts.append(_melt(100.0 * events / totals, "PCT_EVENTS", order))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(PARAM=out["PARAMCD"].map(labels))


def _tests(events: pd.DataFrame, code: str, label: str) -> tuple[list[dict], list[dict]]:
    """The paper's repeated-measures ANOVA and the Fisher / chi-square rule on one rows x groups table."""
    counts = events.drop(columns=[ALL])
    common = {"PARAMCD": code, "PARAM": label, "GROUP": ""}
    rm = repeated_measures_anova(counts)
    anova = [{**common, "STATISTIC": s, "VALUE": v} for s, v in
             (("F", rm.f), ("DF1", rm.df1), ("DF2", rm.df2), ("P", rm.p_value), ("EPSILON_GG", rm.epsilon_gg),
              ("P_GG", rm.p_value_gg))]
    test = categorical_test(counts)
    chi = test.chi_square
    name = "Fisher's exact test" if test.method == "fisher" else "Pearson chi-square"
    method = (f"{name}, two-sided, on the event-count table ({test.reason}; Fisher when an expected count is "
              "below 5, full enumeration as R fisher.test), empty rows and columns left out; the statistically "
              "sounder alternative to the paper's test")
    chi_method = "Pearson chi-square (R chisq.test; Yates on 2 x 2 only), for reference"
    cat = [{**common, "STATISTIC": "P", "VALUE": test.p_value, "VALUEC": name, "METHOD": method},
           {**common, "STATISTIC": "CHISQ", "VALUE": chi.statistic, "METHOD": chi_method, "NOTE": chi.note},
           {**common, "STATISTIC": "DF", "VALUE": float(chi.df), "METHOD": chi_method},
           {**common, "STATISTIC": "P_CHISQ", "VALUE": chi.p_value, "METHOD": chi_method},
           {**common, "STATISTIC": "MIN_EXPECTED", "VALUE": chi.min_expected, "METHOD": chi_method}]
    return anova, cat


def _top_terms(terms: pd.DataFrame, top: int, order: pd.DataFrame) -> pd.DataFrame:
    """The ``top`` terms by events over all groups (then by subjects, then alphabetically), with ties at the
    cut-off named in NOTE."""
    wide = terms.pivot_table(index="PARAMCD", columns=["STATISTIC", "GROUP"], values="VALUE", aggfunc="first")
    ranking = pd.DataFrame({"events": wide[("N_EVENTS", ALL)], "subjects": wide[("N_SUBJ", ALL)]})
    ranking = ranking.rename_axis("term").reset_index().sort_values(["events", "subjects", "term"],
                                                                     ascending=[False, False, True])
    ranking["RANK"] = np.arange(1, len(ranking) + 1, dtype=float)
    chosen = ranking.head(top)
    note = ""
    if len(ranking) > top:
        edge = chosen.iloc[-1]
        tied = ranking[(ranking["events"] == edge["events"]) & (ranking["subjects"] == edge["subjects"])]
        left = tied[tied["RANK"] > top]["term"].tolist()
        if left:
            note = (f"ties at rank {top} broken alphabetically; left out with as many events and subjects: "
                    + ", ".join(left))
    rank_rows = pd.DataFrame({"PARAMCD": chosen["term"], "GROUP": ALL, "STATISTIC": "RANK", "VALUE": chosen["RANK"]})
    counts = terms[terms["STATISTIC"].eq("N_EVENTS") & terms["PARAMCD"].isin(chosen["term"])].drop(columns="GROUPN")
    out = pd.concat([rank_rows, counts[["PARAMCD", "GROUP", "STATISTIC", "VALUE"]]], ignore_index=True)
    return out.merge(order, on="GROUP", how="left").assign(NOTE=note)


def _scope_rows(ae: pd.DataFrame, scope: str, order: pd.DataFrame, groups: list[str], n_pop: pd.Series,
                rel: tuple[list[str], str], top: int) -> list[pd.DataFrame]:
    prefix, what = f"AE-{scope}", SCOPES[scope]
    pop = f"{what}; ADSL SAFFL = 'Y', ADAE TRTEMFL = 'Y'; groups ADSL.TRT01A"
    common = {"DATASET": "ADAE"}
    parts = []
    events = _table(ae.assign(ANY="ANY"), "ANY", ["ANY"], groups)
    subjects = _table(ae.assign(ANY="ANY"), "ANY", ["ANY"], groups, subject=True)
    population = pd.DataFrame([n_pop.reindex(groups + [ALL]).to_numpy(float)], index=["ANY"], columns=groups + [ALL])
    total = pd.concat([_melt(events, "N_EVENTS", order), _melt(subjects, "N_SUBJ", order),
                       _melt(population, "N_POP", order), _melt(100.0 * subjects / population, "PCT_SUBJ", order)])
    parts.append(ard_rows(total, ANALYSIS=f"{prefix}-TOTAL", PARAM="Any adverse event",
                          METHOD=f"events (records) and subjects with >= 1; {pop}", **common))

    grade_levels = [f"GR{g}" for g in range(1, 5)] + (["GR5"] if ae["_GRADE"].eq("GR5").any() else [])
    grade_levels += [g for g in sorted(set(ae["_GRADE"]) - set(grade_levels) - {MISSING})]
    grade_levels += [MISSING] if ae["_GRADE"].eq(MISSING).any() else []
    grade_labels = {g: ("Grade missing" if g == MISSING else f"CTCAE grade {g[2:]}") for g in grade_levels}
    grades = _category_rows(ae, "_GRADE", grade_levels, grade_labels, order, groups)
    parts.append(ard_rows(grades, ANALYSIS=f"{prefix}-GRADE", METHOD=f"events by CTCAE grade (ATOXGR); {pop}",
                          **common))
    mild = _table(ae.assign(_MILD=np.where(ae["_GRADE"].isin(["GR1", "GR2"]), "GR1-2", "OTHER")), "_MILD",
                  ["GR1-2", "OTHER"], groups)
    mild_rows = pd.concat([_melt(mild, "N_EVENTS", order),
                           _melt(100.0 * mild / mild.sum(axis=0).replace(0, np.nan), "PCT_EVENTS", order)])
    parts.append(ard_rows(mild_rows[mild_rows["PARAMCD"].eq("GR1-2")], ANALYSIS=f"{prefix}-GR12",
                          PARAM="CTCAE grade 1 or 2", METHOD=f"events of grade 1 or 2, % of the group's events; {pop}",
                          **common))

    rel_levels, rel_var = rel
    rel_codes = {level: (MISSING if level == MISSING else f"REL{i}") for i, level in enumerate(rel_levels, 1)}
    relation = ae.assign(_REL=ae["_REL"].map(rel_codes))
    rel_rows = _category_rows(relation, "_REL", list(rel_codes.values()), {v: k for k, v in rel_codes.items()},
                              order, groups)
    parts.append(ard_rows(rel_rows, ANALYSIS=f"{prefix}-REL", METHOD=f"events by relationship ({rel_var}); {pop}",
                          **common))

    actions = []
    for code, label, mask in (("DOSERED", "Led to dose reduction", ae["_ACN"].eq("DOSE REDUCED")),
                              ("DRUGWD", "Led to discontinuation of treatment", ae["_ACN"].eq("DRUG WITHDRAWN")),
                              ("DEATH", "Led to death", ae["_DEATH"])):
        flagged = ae[mask.to_numpy()].assign(_X=code)
        actions += [_melt(_table(flagged, "_X", [code], groups), "N_EVENTS", order).assign(PARAM=label),
                    _melt(_table(flagged, "_X", [code], groups, subject=True), "N_SUBJ", order).assign(PARAM=label)]
    parts.append(ard_rows(pd.concat(actions), ANALYSIS=f"{prefix}-ACTION",
                          METHOD=f"AEACN = 'DOSE REDUCED' / 'DRUG WITHDRAWN'; death: AEOUT = 'FATAL' or AESDTH = "
                                 f"'Y'; {pop}", **common))

    anova, cat = [], []
    for code, label, table in (("GRADE", "Severity (CTCAE grade) by group", _table(ae, "_GRADE", grade_levels, groups)),
                               ("REL", f"Relationship ({rel_var}) by group",
                                _table(relation, "_REL", list(rel_codes.values()), groups))):
        table = table.drop(index=[MISSING], errors="ignore")
        a, c = _tests(table, code, label)
        anova += a
        cat += c
    parts.append(ard_rows(anova, ANALYSIS=f"{prefix}-RMANOVA", METHOD=f"{RMANOVA_METHOD}; {pop}", **common))
    parts.append(ard_rows(cat, ANALYSIS=f"{prefix}-CATTEST", **common))

    socs = sorted(ae["_SOC"].unique())
    parts.append(ard_rows(_category_rows(ae, "_SOC", socs, {s: s for s in socs}, order, groups, pct=False),
                          ANALYSIS=f"{prefix}-SOC", METHOD=f"events and subjects by AEBODSYS; {pop}", **common))
    terms = sorted(ae["AEDECOD"].unique())
    soc_of = ae.drop_duplicates("AEDECOD").set_index("AEDECOD")["_SOC"]
    term_rows = [_category_rows(ae, "AEDECOD", terms, soc_of, order, groups, pct=False)]
    for grade in [g for g in grade_levels if g != MISSING]:
        term_rows.append(_melt(_table(ae[ae["_GRADE"].eq(grade)], "AEDECOD", terms, groups), f"N_EVENTS_{grade}",
                               order).assign(PARAM=lambda f: f["PARAMCD"].map(soc_of)))
    term_rows = pd.concat(term_rows, ignore_index=True)
    parts.append(ard_rows(term_rows, ANALYSIS=f"{prefix}-TERM",
                          METHOD=f"events and subjects by AEDECOD (PARAM = AEBODSYS), events by grade; {pop}",
                          **common))
    parts.append(ard_rows(_top_terms(term_rows, top, order).assign(PARAM=lambda f: f["PARAMCD"]),
                          ANALYSIS=f"{prefix}-TOP{top}",
                          METHOD=f"the {top} AEDECOD with the most events over all groups (then most subjects, then "
                                 f"alphabetical); {pop}", **common))
    return parts


def _sae_rows(sae: pd.DataFrame, order: pd.DataFrame, groups: list[str], rel_var: str) -> list[pd.DataFrame]:
    method = "ADAE AESER = 'Y', TRTEMFL = 'Y'; ADSL SAFFL = 'Y'; groups ADSL.TRT01A"
    counts = pd.concat([_melt(_table(sae.assign(_X="SAE"), "_X", ["SAE"], groups), "N_EVENTS", order),
                        _melt(_table(sae.assign(_X="SAE"), "_X", ["SAE"], groups, subject=True), "N_SUBJ", order)])
    parts = [ard_rows(counts, ANALYSIS="AE-SAE-COUNT", DATASET="ADAE", PARAM="Serious adverse events", METHOD=method)]
    if sae.empty:
        return parts
    listed = sae.assign(_ORDER=sae["GROUP"].cat.codes).sort_values(["_ORDER", "USUBJID", "ASTDY", "AEDECOD"])
    listed = listed.assign(PARAMCD=[f"SAE{i:02d}" for i in range(1, len(listed) + 1)],
                           GROUP=listed["GROUP"].astype(str))
    flags = [name for name in SERIOUS_CRITERIA if name in listed.columns]
    criteria = pd.Series("", index=listed.index)
    for flag in flags:
        criteria += np.where(listed[flag].eq("Y"), SERIOUS_CRITERIA[flag] + "; ", "")
    listed["CRITERIA"] = criteria.str.removesuffix("; ")
    listed["GRADE"] = pd.to_numeric(listed["_GRADE"].str[2:], errors="coerce")
    listed["ONSET_MONTHS"] = (pd.to_numeric(listed["ASTDY"], errors="coerce") - 1.0) / MONTH_DAYS
    text = [c for c in ("USUBJID", "AEDECOD", "AETERM", "AEBODSYS", "AEOUT", rel_var, "AEACN", "CRITERIA")
            if c in listed.columns]
    numbers = [c for c in ("ASTDY", "AENDY", "ONSET_MONTHS", "GRADE") if c in listed.columns]
    rows = [listed.melt(id_vars=["PARAMCD", "GROUP"], value_vars=text, var_name="STATISTIC", value_name="VALUEC"),
            listed.melt(id_vars=["PARAMCD", "GROUP"], value_vars=numbers, var_name="STATISTIC", value_name="VALUE")]
    rows = pd.concat(rows, ignore_index=True).merge(order, on="GROUP", how="left")
    rows["VALUE"] = pd.to_numeric(rows["VALUE"], errors="coerce")
    parts.append(ard_rows(rows.assign(PARAM=rows["PARAMCD"]), ANALYSIS="AE-SAE-LIST", DATASET="ADAE",
                          METHOD=method + "; ONSET_MONTHS = (ASTDY - 1) / (365.25 / 12)",
                          NOTE="a listing: one PARAMCD per event, STATISTIC = the listing column"))
    return parts


def analyse_adverse_events(adam: Mapping[str, pd.DataFrame], *, relationship_scale: Sequence[str] = RELATIONSHIP_SCALE,
                           top: int = 15) -> pd.DataFrame:
    """The adverse-event tables as ARD rows (see the module docstring for the layout)."""
    adsl = assert_adam(adam, "ADSL", ["USUBJID", "TRT01A", "TRT01AN", "SAFFL"])
    adae = assert_adam(adam, "ADAE", ["USUBJID", "TRTEMFL", "AESER", "AEDECOD", "AEBODSYS"])
    subjects = treatment_groups(adsl, flag="SAFFL")
    order = subjects.drop_duplicates("GROUP").sort_values("GROUPN")[["GROUP", "GROUPN"]]
    order["GROUP"] = order["GROUP"].astype(str)
    groups = order["GROUP"].tolist()
    order = pd.concat([order, pd.DataFrame({"GROUP": [ALL], "GROUPN": [np.nan]})], ignore_index=True)
    n_pop = subjects["GROUP"].astype(str).value_counts().reindex(groups).fillna(0)
    n_pop[ALL] = n_pop.sum()

    ae = adae[adae["TRTEMFL"].eq("Y")].drop(columns=["GROUP"], errors="ignore")
    ae = ae.merge(subjects[["USUBJID", "GROUP"]], on="USUBJID", how="inner", validate="m:1")
    relation, rel_levels, rel_var = _relationship(ae, relationship_scale)
    death = ae["AEOUT"].eq("FATAL") if "AEOUT" in ae.columns else pd.Series(False, index=ae.index)
    if "AESDTH" in ae.columns:
        death |= ae["AESDTH"].eq("Y")
    ae = ae.assign(AEDECOD=_text(ae["AEDECOD"]).replace("", "NOT CODED"),
                   _SOC=_text(ae["AEBODSYS"]).replace("", "NOT CODED"), _GRADE=_grades(ae), _REL=relation,
                   _ACN=_text(ae["AEACN"]) if "AEACN" in ae.columns else "", _DEATH=death,
                   _SERIOUS=ae["AESER"].eq("Y"))
    parts = []
    for scope, chosen in (("T1", ~ae["_SERIOUS"]), ("TEAE", pd.Series(True, index=ae.index))):
        parts += _scope_rows(ae[chosen.to_numpy()], scope, order, groups, n_pop, (rel_levels, rel_var), top)
    parts += _sae_rows(ae[ae["_SERIOUS"].to_numpy()], order, groups, rel_var)
    return concat_ard(parts)
