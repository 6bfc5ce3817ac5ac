"""The reproduction report: every figure the paper publishes beside the one computed from our ADaM.

The paper's figures and where each stands in the analysis results data (ARD) are a study spec,
``specs/<study>/published.yaml`` (checked against ``published.schema.json`` on load). The analysis code never
reads that file; only this module does, after the ARD has been computed, to compare. One figure, one row:

``id``          the figure's id in published.yaml
``section``     where it stands in the paper
``source``      its key path in the published-results file it was transcribed from
``description`` what it is
``published``   the figure as the paper gives it (``0.0156``, ``63``, ``significant``, ``5 of 8``)
``computed``    ours, formatted as the paper formats it (same decimals; half-up unless only truncation fits)
``value``       ours, unrounded (the p-value behind a "significant" cell; the smallest p of a family)
``rule``        ``exact`` (counts), ``p4`` (p-value to 4 decimals), ``sig05`` (significant at 0.05),
                ``tolerance`` (|ours - published| <= the stated tolerance), ``k_of_m`` (a count and its denominator)
``reading``     which reading of the printed decimals matches: ``half_up``, ``truncate``, ``both``, ``none``,
                or ``""`` where decimals play no part
``match``       True / False
``method``      the ARD METHOD of the row compared
``note``        why a figure does not match (the spec's ``cannot_reproduce``, or what was found), which
                reading a match relies on, or which cells of a family were checked

A figure whose rows are missing from the ARD, or whose selector is ambiguous, does not match, and the note
says so. Nothing here raises on data; a spec that is wrong raises :class:`~cdisc_pipe.errors.SpecError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.paths import project_root
from cdisc_pipe.spec.model import Study
from cdisc_pipe.spec.problems import MAX_LISTED, must_name, raise_if, read_yaml, schema_problems, unique

__all__ = ["PublishedFigure", "NotComparable", "PublishedSpec", "ReproductionSummary", "REPRODUCTION_COLUMNS",
           "TARGET_RATE", "ALPHA", "load_published", "load_published_spec", "reproduce", "summarise_reproduction",
           "format_decimals", "published_path"]

#: Share of the published figures the reproduction must match (issue 7).
TARGET_RATE = 0.95
#: The paper's significance threshold ("p value < 0.05").
ALPHA = 0.05
REPRODUCTION_COLUMNS = ["id", "section", "source", "description", "published", "computed", "value", "rule",
                        "reading", "match", "method", "note"]
_NUMERIC = ("GROUPN", "AVISITN")


@dataclass(frozen=True)
class Rows:
    """ARD rows giving one value: ``select`` (column -> allowed values), ``contains`` (column -> text it must
    contain, case-insensitive), ``aggregate`` "one" (exactly one row) or "sum" (the sum of the rows)."""

    select: Mapping[str, tuple[Any, ...]]
    contains: Mapping[str, str]
    aggregate: str = "one"


@dataclass(frozen=True)
class PublishedFigure:
    id: str
    section: str
    source: str
    description: str
    published: Any
    rule: str
    rows: Rows
    reading: str | None = None
    tolerance: float | None = None
    denominator: Rows | None = None
    others: bool = False
    printed: str | None = None
    quote: str | None = None
    cannot_reproduce: str | None = None
    reading_note: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class NotComparable:
    source: str
    reason: str
    quote: str | None = None


@dataclass(frozen=True)
class PublishedSpec:
    study: str
    path: Path
    groups: Mapping[str, str]
    figures: tuple[PublishedFigure, ...]
    not_comparable: tuple[NotComparable, ...]


@dataclass(frozen=True)
class ReproductionSummary:
    n_figures: int
    n_matched: int
    rate: float
    target: float = TARGET_RATE

    @property
    def met(self) -> bool:
        return self.n_figures > 0 and self.rate >= self.target


# ---------------------------------------------------------------------------------------------- loading

def published_path(study: Study | str | Path) -> Path:
    """``published.yaml`` of a study: a loaded :class:`Study`, its spec folder, or a folder name under specs/."""
    if isinstance(study, Study):
        return Path(study.root) / "published.yaml"
    folder = Path(study)
    if not folder.is_dir() and len(folder.parts) == 1:
        folder = project_root() / "specs" / str(study)
    return folder / "published.yaml"


def load_published_spec(study: Study | str | Path) -> PublishedSpec:
    """The whole ``published.yaml``, checked (schema, unique ids, groups named); every problem at once."""
    path = published_path(study)
    doc = read_yaml(path)
    raise_if(schema_problems("published.yaml", doc, "published"), path.parent)
    groups = dict(doc["groups"])
    problems = list(unique("figure id", "published.yaml: figures", [f["id"] for f in doc["figures"]]))
    for index, raw in enumerate(doc["figures"]):
        where = f"published.yaml: figures[{index}] ({raw['id']})"
        for part in [raw, raw.get("denominator") or {}]:
            for name in _as_tuple(part.get("select", {}).get("GROUP", ())):
                problems += must_name(f"{where}: select.GROUP", "a group of 'groups'", str(name), groups)
        if raw["rule"] == "p4" and _decimals(raw["published"]) > 4:
            problems.append(f"{where}: published p-value must have at most 4 decimals (got {raw['published']!r})")
    raise_if(problems, path.parent)
    figures = tuple(_figure(raw, groups) for raw in doc["figures"])
    others = tuple(NotComparable(source=n["source"], reason=n["reason"], quote=n.get("quote"))
                   for n in doc.get("not_comparable") or ())
    return PublishedSpec(study=doc["study"], path=path, groups=MappingProxyType(groups), figures=figures,
                         not_comparable=others)


def load_published(study: Study | str | Path) -> list[PublishedFigure]:
    """The published figures of a study, in the order of its ``published.yaml``."""
    return list(load_published_spec(study).figures)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _rows(raw: Mapping[str, Any], groups: Mapping[str, str]) -> Rows:
    select = {}
    for column, value in raw["select"].items():
        values = _as_tuple(value)
        if column == "GROUP":
            values = tuple(groups[str(v)] for v in values)
        select[column] = tuple(float(v) for v in values) if column in _NUMERIC else tuple(str(v) for v in values)
    return Rows(select=MappingProxyType(select), contains=MappingProxyType(dict(raw.get("contains") or {})),
                aggregate=raw.get("aggregate", "one"))


def _figure(raw: Mapping[str, Any], groups: Mapping[str, str]) -> PublishedFigure:
    denominator = raw.get("denominator")
    return PublishedFigure(
        id=raw["id"], section=raw["section"], source=raw["source"], description=raw["description"],
        published=raw["published"], rule=raw["rule"], rows=_rows(raw, groups), reading=raw.get("reading"),
        tolerance=raw.get("tolerance"), denominator=_rows(denominator, groups) if denominator else None,
        others=bool(raw.get("others", False)), printed=raw.get("printed"), quote=raw.get("quote"),
        cannot_reproduce=raw.get("cannot_reproduce"), reading_note=raw.get("reading_note"), format=raw.get("format"))


# ---------------------------------------------------------------------------------------------- formatting

def _decimals(value: Any) -> int:
    """Decimals of a published number as written (0.0156 -> 4, 2.341 -> 3, 1.0 -> 1, 63 -> 0)."""
    if isinstance(value, int):
        return 0
    return max(-int(Decimal(repr(float(value))).as_tuple().exponent), 0)


def format_decimals(value: float, decimals: int, reading: str = "half_up") -> str:
    """``value`` with ``decimals`` places, read from its shortest decimal form (``repr``) so that 0.03125
    gives 0.0313 half-up (Python's float ``round`` gives 0.0312) and 0.0312 truncated."""
    if value is None or not math.isfinite(value):
        return ""
    mode = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}[reading]
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(float(value))).quantize(quantum, rounding=mode))


def _printed_decimals(published: float, decimals: int) -> str:
    return format(Decimal(repr(float(published))).quantize(Decimal(1).scaleb(-decimals)), "f")


def _readings(value: float, published: float, decimals: int) -> str:
    target = _printed_decimals(published, decimals)
    fits = [r for r in ("half_up", "truncate") if format_decimals(value, decimals, r) == target]
    return "both" if len(fits) == 2 else (fits[0] if fits else "none")


def _count_text(value: float) -> str:
    if not math.isfinite(value):
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# ---------------------------------------------------------------------------------------------- comparing

def _mask(ard: pd.DataFrame, rows: Rows) -> np.ndarray:
    keep = np.ones(len(ard), dtype=bool)
    for column, values in rows.select.items():
        column_values = ard[column].to_numpy(dtype=float) if column in _NUMERIC else ard[column].astype(str)
        keep &= np.isin(column_values, np.array(values, dtype=float if column in _NUMERIC else object))
    for column, text in rows.contains.items():
        keep &= ard[column].astype(str).str.contains(text, case=False, regex=False).to_numpy()
    return keep


def _value(ard: pd.DataFrame, rows: Rows, mask: np.ndarray) -> tuple[float, str, str]:
    """(value, method, problem) of the rows ``mask`` selects; problem "" when the value is usable."""
    picked = ard.loc[mask]
    if picked.empty:
        return math.nan, "", f"no ARD row has {_describe(rows)}"
    methods = "; ".join(dict.fromkeys(m for m in picked["METHOD"] if m))
    if rows.aggregate == "one" and len(picked) > 1:
        return math.nan, methods, f"{len(picked)} ARD rows have {_describe(rows)} (the selector must pick one)"
    values = picked["VALUE"].to_numpy(dtype=float)
    if np.isnan(values).any():
        notes = "; ".join(dict.fromkeys(n for n in picked["NOTE"] if n)) or "no reason given"
        return math.nan, methods, f"the ARD value is missing ({notes})"
    return float(values.sum()), methods, ""


def _describe(rows: Rows) -> str:
    parts = [f"{c}={v[0] if len(v) == 1 else list(v)}" for c, v in rows.select.items()]
    parts += [f"{c} containing '{t}'" for c, t in rows.contains.items()]
    return ", ".join(parts)


def _compare(figure: PublishedFigure, ard: pd.DataFrame, mask: np.ndarray, others: np.ndarray) -> dict[str, Any]:
    published = figure.published
    if figure.others:
        return _compare_family(figure, ard, mask & ~others)
    value, method, problem = _value(ard, figure.rows, mask)
    row: dict[str, Any] = {"value": value, "method": method, "reading": "", "computed": "", "match": False}
    if problem:
        return {**row, "note": "; ".join(filter(None, [figure.cannot_reproduce, problem]))}
    if figure.rule == "exact":
        row.update(computed=_count_text(value), match=value == published)
    elif figure.rule == "p4":
        reading = _readings(value, published, 4)
        shown = figure.reading if reading in ("both", figure.reading) else reading.replace("none", "half_up")
        row.update(computed=format_decimals(value, 4, shown), reading=reading, match=reading != "none")
    elif figure.rule == "tolerance":
        decimals = _decimals(published)
        reading = _readings(value, published, decimals)
        shown = "truncate" if reading == "truncate" else "half_up"
        computed = (format_decimals(100 * value, max(decimals - 2, 0), shown) + "%" if figure.format == "percent"
                    else format_decimals(value, decimals, shown))
        row.update(computed=computed, reading=reading,
                   match=abs(value - published) <= figure.tolerance + 1e-12)
    elif figure.rule == "sig05":
        row.update(computed="significant" if value < ALPHA else "not significant")
        row["match"] = row["computed"] == published
    else:  # k_of_m
        m_mask = _mask(ard, figure.denominator)
        m_value, _, m_problem = _value(ard, figure.denominator, m_mask)
        if m_problem:
            return {**row, "note": "; ".join(filter(None, [figure.cannot_reproduce, f"denominator: {m_problem}"]))}
        k, m = (int(x) for x in published.split(" of "))
        row.update(computed=f"{_count_text(value)} of {_count_text(m_value)}", match=(value, m_value) == (k, m))
    return {**row, "note": _note(figure, row)}


def _note(figure: PublishedFigure, row: Mapping[str, Any]) -> str:
    notes = []
    if not row["match"]:
        notes.append(figure.cannot_reproduce or f"published {figure.published}, computed {row['computed']}")
    elif figure.rule == "tolerance":
        notes.append(f"|difference| {abs(row['value'] - figure.published):.2g} <= tolerance {figure.tolerance:g}")
    if row["match"] and figure.reading and row["reading"] not in ("both", figure.reading):
        notes.append(f"matches only read as {row['reading']} (the spec relies on {figure.reading})")
    if figure.reading_note:
        notes.append(figure.reading_note)
    return "; ".join(notes)


def _compare_family(figure: PublishedFigure, ard: pd.DataFrame, mask: np.ndarray) -> dict[str, Any]:
    picked = ard.loc[mask]
    methods = list(dict.fromkeys(m for m in picked["METHOD"] if m))
    method = "; ".join(methods[:1]) + (f" (and {len(methods) - 1} other METHOD texts)" if len(methods) > 1 else "")
    row: dict[str, Any] = {"value": math.nan, "reading": "", "computed": "", "match": False, "method": method}
    if picked.empty:
        return {**row, "note": f"no ARD row has {_describe(figure.rows)} apart from the figures listed"}
    p = picked["VALUE"].to_numpy(dtype=float)
    computable = ~np.isnan(p)
    significant = picked.loc[computable & (p < ALPHA)]
    row["value"] = float(np.nanmin(p)) if computable.any() else math.nan
    row["computed"] = "significant" if len(significant) else "not significant"
    row["match"] = row["computed"] == figure.published and bool(computable.any())
    cells = f"{int(computable.sum())} cells compared ({int((~computable).sum())} not computable)"
    if len(significant):
        shown = [f"{r.PARAMCD} {r.GROUP} {r.AVISIT} p={format_decimals(r.VALUE, 4)}".replace("  ", " ")
                 for r in significant.head(MAX_LISTED).itertuples()]
        more = len(significant) - len(shown)
        cells += f"; significant: {', '.join(shown)}" + (f" ... and {more} more" if more else "")
    note = cells if row["match"] else "; ".join(filter(None, [figure.cannot_reproduce, cells]))
    return {**row, "note": note}


def reproduce(ard: pd.DataFrame, published: Iterable[PublishedFigure]) -> pd.DataFrame:
    """One row per published figure (columns :data:`REPRODUCTION_COLUMNS`), in the order given."""
    figures = list(published)
    missing = sorted({"VALUE", "METHOD", "NOTE", "PARAMCD", "GROUP", "AVISIT"} - set(ard.columns))
    if missing:
        raise ValueError(f"ard must have the ARD columns (got none named {missing})")
    masks = [_mask(ard, f.rows) for f in figures]
    claimed = np.zeros(len(ard), dtype=bool)
    for figure, mask in zip(figures, masks):
        if not figure.others:
            claimed |= mask
    out = []
    for figure, mask in zip(figures, masks):
        result = _compare(figure, ard, mask, claimed)
        out.append({"id": figure.id, "section": figure.section, "source": figure.source,
                    "description": figure.description, "published": figure.printed or _published_text(figure),
                    "rule": figure.rule, **result})
    table = pd.DataFrame(out, columns=REPRODUCTION_COLUMNS)
    table["match"] = table["match"].astype(bool)
    table["value"] = table["value"].astype("float64")
    return table


def _published_text(figure: PublishedFigure) -> str:
    if figure.rule == "p4":
        return _printed_decimals(figure.published, 4)
    return str(figure.published)


def summarise_reproduction(table: pd.DataFrame) -> ReproductionSummary:
    """How many figures were compared, how many match, the rate and whether it meets :data:`TARGET_RATE`."""
    n = len(table)
    matched = int(table["match"].sum())
    return ReproductionSummary(n_figures=n, n_matched=matched, rate=matched / n if n else math.nan)
