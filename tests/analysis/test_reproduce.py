"""The reproduction report: literal ARD rows and literal published.yaml specs with hand-worked expectations;
the study's published.yaml against ../shared/seed/published-results.yaml (values and coverage); the whole
default study reproduced from its ADaM."""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cdisc_pipe.analysis.ard import ard_rows
from cdisc_pipe.analysis.reproduce import (REPRODUCTION_COLUMNS, format_decimals, load_published,
                                           load_published_spec, reproduce, summarise_reproduction)
from cdisc_pipe.errors import SpecError

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "published-results.yaml"

HEAD = """\
study: TEST
groups: {LOW: "Dose 1", HIGH: "Dose 2", ALL: ALL}
figures:
"""


def spec(tmp_path: Path, figures: str) -> list:
    (tmp_path / "published.yaml").write_text(HEAD + textwrap.dedent(figures), encoding="utf-8")
    return load_published(tmp_path)


def row(analysis: str, statistic: str, value: float, group: str = "Dose 1", **other: Any) -> dict[str, Any]:
    return {"ANALYSIS": analysis, "STATISTIC": statistic, "VALUE": value, "GROUP": group, **other}


def by_id(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("id")


# ------------------------------------------------------------------------------------------- formatting

def test_format_decimals_reads_the_shortest_decimal_form():
    assert format_decimals(0.03125, 4, "half_up") == "0.0313"  # Python's round() gives 0.0312
    assert format_decimals(0.03125, 4, "truncate") == "0.0312"
    assert format_decimals(0.174153, 4, "half_up") == "0.1742"
    assert format_decimals(0.174153, 4, "truncate") == "0.1741"
    assert format_decimals(0.00015, 4) == "0.0002"  # the binary value is 0.000149999...
    assert format_decimals(2.341204, 3) == "2.341"
    assert format_decimals(math.nan, 4) == ""


# ------------------------------------------------------------------------------------------- rules

def test_exact_counts(tmp_path):
    figures = spec(tmp_path, """\
        - {id: A, section: s, source: a.LOW, description: total LOW, published: 63, rule: exact,
           select: {ANALYSIS: AE-TOTAL, GROUP: LOW, STATISTIC: N_EVENTS}}
        - {id: B, section: s, source: a.HIGH, description: total HIGH, published: 34, rule: exact,
           select: {ANALYSIS: AE-TOTAL, GROUP: HIGH, STATISTIC: N_EVENTS}}
    """)
    ard = ard_rows([row("AE-TOTAL", "N_EVENTS", 63), row("AE-TOTAL", "N_EVENTS", 35, group="Dose 2")])
    table = by_id(reproduce(ard, figures))
    assert table.loc["A", ["published", "computed", "match", "note"]].tolist() == ["63", "63", True, ""]
    assert table.loc["B", ["computed", "match", "note"]].tolist() == ["35", False, "published 34, computed 35"]


def test_p_values_to_four_decimals_under_both_readings(tmp_path):
    figures = spec(tmp_path, """\
        - {id: HALF, section: s, source: x, description: d, published: 0.0313, rule: p4, reading: half_up,
           select: {PARAMCD: CP, STATISTIC: P}}
        - {id: BOTH, section: s, source: x, description: d, published: 0.0156, rule: p4, reading: half_up,
           select: {PARAMCD: ALB, STATISTIC: P}}
        - {id: TRUNC, section: s, source: x, description: d, published: 0.1741, rule: p4, reading: half_up,
           select: {PARAMCD: LR, STATISTIC: P}}
        - {id: NONE, section: s, source: x, description: d, published: 0.0313, rule: p4, reading: half_up,
           cannot_reproduce: zeros drop the exact test, select: {PARAMCD: CPR, STATISTIC: P}}
    """)
    ard = ard_rows([row("T", "P", 0.03125, PARAMCD="CP"), row("T", "P", 0.015625, PARAMCD="ALB"),
                    row("T", "P", 0.174153, PARAMCD="LR"), row("T", "P", 0.036032, PARAMCD="CPR")])
    table = by_id(reproduce(ard, figures))
    assert table.loc["HALF", ["published", "computed", "reading", "match"]].tolist() == ["0.0313", "0.0313",
                                                                                       "half_up", True]
    assert table.loc["BOTH", ["computed", "reading", "match"]].tolist() == ["0.0156", "both", True]
    assert table.loc["TRUNC", ["computed", "reading", "match"]].tolist() == ["0.1741", "truncate", True]
    assert table.loc["TRUNC", "note"] == "matches only read as truncate (the spec relies on half_up)"
    assert table.loc["NONE", ["computed", "reading", "match", "note"]].tolist() == ["0.0360", "none", False,
                                                                                  "zeros drop the exact test"]
    assert table.loc["NONE", "value"] == 0.036032


def test_tolerance_and_percent(tmp_path):
    figures = spec(tmp_path, """\
        - {id: CHISQ, section: s, source: x, description: d, published: 0.1741, rule: tolerance, tolerance: 0.0001,
           cannot_reproduce: unattainable with the published rates, select: {STATISTIC: CHISQ}}
        - {id: F, section: s, source: x, description: d, published: 2.341, rule: tolerance, tolerance: 0.001,
           select: {STATISTIC: F}}
        - {id: RATE, section: s, source: x, description: d, published: 0.875, rule: tolerance, tolerance: 0.001,
           format: percent, printed: "87.5% (7 of 8)", select: {STATISTIC: RATE}}
    """)
    ard = ard_rows([row("T", "CHISQ", 2.063396), row("T", "F", 2.341204), row("T", "RATE", 7 / 8)])
    table = by_id(reproduce(ard, figures))
    assert table.loc["CHISQ", ["computed", "match", "note"]].tolist() == ["2.0634", False,
                                                                          "unattainable with the published rates"]
    assert table.loc["F", ["computed", "reading", "match"]].tolist() == ["2.341", "both", True]
    assert table.loc["F", "note"] == "|difference| 0.0002 <= tolerance 0.001"
    assert table.loc["RATE", ["published", "computed", "match"]].tolist() == ["87.5% (7 of 8)", "87.5%", True]


def test_significant_cells(tmp_path):
    figures = spec(tmp_path, """\
        - {id: SIG, section: s, source: x, description: d, published: significant, rule: sig05,
           select: {PARAMCD: CHE, STATISTIC: P}}
        - {id: NOTSIG, section: s, source: x, description: d, published: significant, rule: sig05,
           select: {PARAMCD: AST, STATISTIC: P}}
    """)
    ard = ard_rows([row("T", "P", 0.0234, PARAMCD="CHE"), row("T", "P", 0.05, PARAMCD="AST")])
    table = by_id(reproduce(ard, figures))
    assert table.loc["SIG", ["computed", "match"]].tolist() == ["significant", True]
    assert table.loc["NOTSIG", ["computed", "match"]].tolist() == ["not significant", False]  # p < 0.05 only


def test_k_of_m_compares_count_and_denominator(tmp_path):
    figures = spec(tmp_path, """\
        - {id: K5M8, section: s, source: x, description: d, published: "5 of 8", rule: k_of_m,
           select: {AVISITN: 29, STATISTIC: "+/-"}, denominator: {select: {AVISITN: 29, STATISTIC: N}}}
        - {id: K1M3, section: s, source: x, description: d, published: "1 of 3", rule: k_of_m,
           select: {AVISITN: 169, STATISTIC: "+/-"}, denominator: {select: {AVISITN: 169, STATISTIC: BASE+}}}
    """)
    ard = ard_rows([row("S", "+/-", 5, AVISITN=29), row("S", "N", 8, AVISITN=29),
                    row("S", "+/-", 1, AVISITN=169), row("S", "BASE+", 5, AVISITN=169)])
    table = by_id(reproduce(ard, figures))
    assert table.loc["K5M8", ["computed", "match"]].tolist() == ["5 of 8", True]
    assert table.loc["K1M3", ["computed", "match", "note"]].tolist() == ["1 of 5", False, "published 1 of 3, "
                                                                                         "computed 1 of 5"]


def test_a_family_checks_every_row_no_other_figure_selects(tmp_path):
    text = """\
        - {id: LISTED, section: s, source: x, description: d, published: significant, rule: sig05,
           select: {ANALYSIS: W, PARAMCD: ALB, STATISTIC: P}}
        - {id: OTHERS, section: s, source: x, description: d, published: not significant, rule: sig05, others: true,
           select: {ANALYSIS: W, PARAMCD: [ALB, ALT, AST], STATISTIC: P}}
    """
    figures = spec(tmp_path, text)
    rows = [row("W", "P", 0.0156, PARAMCD="ALB"), row("W", "P", 0.40, PARAMCD="ALT"),
            row("W", "P", math.nan, PARAMCD="AST", NOTE="no values"), row("W", "P", 0.001, PARAMCD="PT")]
    table = by_id(reproduce(ard_rows(rows), figures))
    assert table.loc["OTHERS", ["computed", "match", "value"]].tolist() == ["not significant", True, 0.40]
    assert table.loc["OTHERS", "note"] == "1 cells compared (1 not computable)"
    rows.append(row("W", "P", 0.0234, PARAMCD="AST", AVISIT="DAY 57"))
    table = by_id(reproduce(ard_rows(rows), figures))
    assert table.loc["OTHERS", ["computed", "match"]].tolist() == ["significant", False]
    assert "significant: AST Dose 1 DAY 57 p=0.0234" in table.loc["OTHERS", "note"]


def test_rows_missing_ambiguous_or_without_a_value(tmp_path):
    figures = spec(tmp_path, """\
        - {id: NOROW, section: s, source: x, description: d, published: 3, rule: exact,
           cannot_reproduce: no exposure dataset, select: {ANALYSIS: FLOW-EXPOSURE, STATISTIC: N}}
        - {id: TWO, section: s, source: x, description: d, published: 3, rule: exact, select: {STATISTIC: N}}
        - {id: NAN, section: s, source: x, description: d, published: 39, rule: exact, select: {STATISTIC: SCREENED}}
        - {id: SUM, section: s, source: x, description: d, published: 0, rule: exact, aggregate: sum,
           select: {STATISTIC: POS, GROUP: [LOW, HIGH]}}
    """)
    ard = ard_rows([row("F", "N", 3), row("F", "N", 3, group="Dose 2"),
                    row("F", "SCREENED", math.nan, NOTE="ADSL holds enrolled subjects only"),
                    row("S", "POS", 0), row("S", "POS", 0, group="Dose 2"), row("S", "POS", 4, group="ALL")])
    table = by_id(reproduce(ard, figures))
    assert not table.loc[["NOROW", "TWO", "NAN"], "match"].any()
    assert table.loc["NOROW", "note"] == ("no exposure dataset; no ARD row has ANALYSIS=FLOW-EXPOSURE, "
                                          "STATISTIC=N")
    assert table.loc["TWO", "note"] == "2 ARD rows have STATISTIC=N (the selector must pick one)"
    assert table.loc["NAN", "note"] == "the ARD value is missing (ADSL holds enrolled subjects only)"
    assert table.loc["SUM", ["computed", "match"]].tolist() == ["0", True]


def test_table_shape_and_summary(tmp_path):
    figures = spec(tmp_path, """\
        - {id: A, section: s, source: x, description: d, published: 1, rule: exact, select: {STATISTIC: N}}
        - {id: B, section: s, source: x, description: d, published: 2, rule: exact, select: {STATISTIC: N}}
    """)
    ard = ard_rows([row("F", "N", 1)])
    table = reproduce(ard, figures)
    assert list(table.columns) == REPRODUCTION_COLUMNS
    assert table["match"].dtype == bool and table["value"].dtype == "float64"
    summary = summarise_reproduction(table)
    assert (summary.n_figures, summary.n_matched, summary.rate, summary.met) == (2, 1, 0.5, False)
    assert ard.equals(ard_rows([row("F", "N", 1)]))  # not mutated


# ------------------------------------------------------------------------------------------- the spec

@pytest.mark.parametrize("figure, message", [
    ("{id: A, section: s, source: x, description: d, published: 1, select: {STATISTIC: N}}",
     "key 'rule' must be present"),
    ("{id: A, section: s, source: x, description: d, published: 0.03125, rule: p4, reading: half_up,"
     " select: {STATISTIC: P}}", "published p-value must have at most 4 decimals (got 0.03125)"),
    ("{id: A, section: s, source: x, description: d, published: 0.05, rule: p4, select: {STATISTIC: P}}",
     "key 'reading' must be present"),
    ("{id: A, section: s, source: x, description: d, published: 1, rule: exact, select: {GROUP: LOWW}}",
     "'LOWW' must name a group of 'groups' (got 'LOWW'); closest match: 'LOW'"),
    ("{id: A, section: s, source: x, description: d, published: 1, rule: exact, select: {VISIT: 1}}",
     "keys must be among"),
    ("{id: A, section: s, source: x, description: d, published: 1, rule: exact, others: true,"
     " select: {STATISTIC: N}}", "figures[0]"),
])
def test_spec_problems_are_reported(tmp_path, figure, message):
    with pytest.raises(SpecError, match=re.escape(message)):
        spec(tmp_path, f"  - {figure}\n")


def test_duplicate_ids_are_refused(tmp_path):
    one = "  - {id: A, section: s, source: x, description: d, published: 1, rule: exact, select: {STATISTIC: N}}\n"
    with pytest.raises(SpecError, match="figure id must be unique"):
        spec(tmp_path, one + one)


def test_the_study_spec_loads():
    loaded = load_published_spec("hucmsc-dlc")
    assert loaded.study == "HUCMSC-DLC" and len(loaded.figures) > 150
    assert set(loaded.groups) == {"LOW", "MEDIUM", "HIGH", "ALL"}
    known = {f.id for f in loaded.figures if f.cannot_reproduce}
    assert {"SURV-LOGRANK-CHISQ", "SURV-LOGRANK-P"} <= known


def test_the_analysis_never_reads_the_published_figures():
    folder = REPO / "src" / "cdisc_pipe" / "analysis"
    readers = sorted(p.name for p in folder.rglob("*.py")
                     if p.name != "reproduce.py"
                     and re.search(r"published\.yaml|load_published|published-results|analysis\.reproduce",
                                   p.read_text("utf-8")))
    assert readers in ([], ["stage.py"]), readers  # only the stage may call reproduce, after the analysis


# ------------------------------------------------------------------------------------------- vs published-results

def _resolve(document: Any, source: str) -> list[tuple[str, Any]]:
    """(leaf path, value) pairs a source names: a key path (dots; list items by index; * for any), or a list
    filtered by ``[key=value,...]``, whose value is then the number of items that match."""
    match = re.fullmatch(r"(.+?)\[(.+)\]", source)
    if match:
        items = _resolve(document, match.group(1))[0][1]
        wanted = dict(part.split("=", 1) for part in match.group(2).split(","))
        hits = [i for i, item in enumerate(items) if all(str(item[k]) == v for k, v in wanted.items())]
        return [(f"{match.group(1)}.{i}.{k}", len(hits)) for i in hits for k in wanted] or [(source, 0)]
    found = [("", document)]
    for part in source.split("."):
        step = []
        for path, node in found:
            keys = (range(len(node)) if isinstance(node, list) else node) if part == "*" else [part]
            for key in keys:
                key = int(key) if isinstance(node, list) or (isinstance(node, dict) and str(key).isdigit()
                                                              and int(key) in node) else key
                if isinstance(node, dict) and key not in node:
                    continue  # an item without the key (paths through *), or a wrong path: found stays short
                step.append((f"{path}.{key}".lstrip("."), node[key]))
        found = step
    return found


def _leaves(node: Any, path: str = "") -> list[str]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() if k != "section" for leaf in _leaves(v, f"{path}.{k}".lstrip("."))]
    if isinstance(node, list) and any(isinstance(v, (dict, list)) for v in node):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, f"{path}.{i}")]
    return [path]


def _number_in(quote: str, published: Any) -> bool:
    if isinstance(published, str):
        return published in quote
    words = re.findall(r"\d+|none", quote)
    return str(published) in words or (published == 0 and "none" in words)


@pytest.fixture(scope="module")
def seed(published) -> tuple[dict, str]:
    # the file's text with comment lines joined, for quotes from its comments
    return published, re.sub(r"\n#\s*", " ", SEED.read_text(encoding="utf-8"))


def test_every_figure_is_the_published_one(seed):
    document, text = seed
    problems = []
    for figure in load_published("hucmsc-dlc"):
        resolved = _resolve(document, figure.source)
        if not resolved:
            problems.append(f"{figure.id}: source {figure.source} is not in published-results.yaml")
            continue
        value = resolved[0][1]
        if figure.quote:
            where = value if isinstance(value, str) else text
            if figure.quote not in where or not _number_in(figure.quote, figure.published):
                problems.append(f"{figure.id}: quote {figure.quote!r} / {figure.published!r} not in {figure.source}")
        elif value != figure.published or isinstance(value, bool):
            problems.append(f"{figure.id}: {figure.published!r} != {figure.source} = {value!r}")
    assert problems == []


def test_every_published_figure_is_compared_or_set_aside_with_a_reason(seed):
    document, text = seed
    loaded = load_published_spec("hucmsc-dlc")
    covered = {path for f in loaded.figures for path, _ in _resolve(document, f.source)}
    for entry in loaded.not_comparable:
        found = _resolve(document, entry.source)
        assert found, entry.source
        if entry.quote:
            assert all(entry.quote in value for _, value in found), entry.quote
        covered |= {leaf for path, value in found for leaf in _leaves(value, path)}
    assert sorted(set(_leaves(document)) - covered) == []


# ------------------------------------------------------------------------------------------- the whole study

@pytest.fixture(scope="module")
def study_ard(adam_study) -> pd.DataFrame:
    from cdisc_pipe.analysis.stage import analyse_all

    return analyse_all(adam_study)


def test_the_default_study_reproduces_the_paper(study_ard):
    figures = load_published("hucmsc-dlc")
    table = reproduce(study_ard, figures)
    summary = summarise_reproduction(table)
    assert summary.met, f"{summary.n_matched} of {summary.n_figures} figures reproduced"
    known = {f.id for f in figures if f.cannot_reproduce}
    unexplained = table.loc[~table["match"] & ~table["id"].isin(known), ["id", "published", "computed", "note"]]
    assert unexplained.empty, unexplained.to_string()
    assert table.loc[~table["match"], "note"].str.len().gt(0).all()
    declared = {f.id: f.reading for f in figures if f.rule == "p4"}
    p4 = table[table["id"].isin(declared) & table["match"]]
    assert all(r in ("both", declared[i]) for i, r in zip(p4["id"], p4["reading"]))
