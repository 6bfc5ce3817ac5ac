"""Dataset ops: checks of variable and dataset metadata (presence, order, type, name/label/length rules of
SAS XPORT v5) and of what a dataset or the study holds as a whole (datasets present, TS parameters
present). Each returns :class:`~.ops.Hit` rows; their number is bounded by the variables, never by the
records."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import pandas as pd

from cdisc_pipe.conformance.dates import text
from cdisc_pipe.conformance.model import for_dataset
from cdisc_pipe.conformance.ops import Hit, OpContext, op

NOT_IN_DATASET = "Not in dataset"


def _wanted(ctx: OpContext, variables: Sequence[str], by_domain: Mapping[str, Sequence[str]],
            by_class: Mapping[str, Sequence[str]]) -> list[str]:
    ds = ctx.dataset
    names = list(variables) + list(by_class.get(ds.cls, ())) + list(for_dataset(by_domain, ds))
    return list(dict.fromkeys(names))


@op("required_variables", kind="dataset")
def required_variables(ctx: OpContext, *, variables: Sequence[str] = (),
                       by_domain: Mapping[str, Sequence[str]] | None = None,
                       by_class: Mapping[str, Sequence[str]] | None = None,
                       any_of: Sequence[Sequence[str]] = ()) -> list[Hit]:
    """Variables present in the dataset: ``variables`` always, ``by_class[class]`` and
    ``by_domain[name or domain]``; of each ``any_of`` group at least one."""
    have = set(ctx.dataset.columns)
    hits = [Hit((v,), (NOT_IN_DATASET,), "present") for v in
            _wanted(ctx, variables, by_domain or {}, by_class or {}) if v not in have]
    for group in any_of:
        if not have.intersection(group):
            hits.append(Hit(tuple(group), tuple(NOT_IN_DATASET for _ in group), "at least one present"))
    return hits


@op("variable_order", kind="dataset")
def variable_order(ctx: OpContext, *, first: Sequence[str]) -> list[Hit]:
    """The variables of ``first`` that the dataset has come first, in that order."""
    present = [v for v in first if v in ctx.dataset.columns]
    actual = ctx.dataset.columns[: len(present)]
    return [Hit((want,), (got,), f"{want} at position {i + 1}") for i, (want, got) in
            enumerate(zip(present, actual)) if want != got]


@op("type_is", kind="dataset")
def type_is(ctx: OpContext, *, types: Mapping[str, str]) -> list[Hit]:
    """Each variable of ``types`` the dataset has is of that SAS type (``Char`` or ``Num``)."""
    table = ctx.dataset.variables.set_index("name")["type"]
    return [Hit((name,), (str(table[name]),), want) for name, want in types.items()
            if name in table.index and str(table[name]) != want]


_ATTRIBUTES = ("name", "label", "length")


@op("variable_metadata", kind="dataset")
def variable_metadata(ctx: OpContext, *, attribute: str, max_length: int | None = None,
                      max_value: int | None = None, pattern: str | None = None, type: str | None = None,
                      ) -> list[Hit]:
    """Every variable's ``attribute`` (``name``/``label``: text; ``length``: a number) keeps to
    ``max_length`` characters, ``max_value`` and/or ``pattern``; ``type`` limits the check to Char or Num
    variables."""
    if attribute not in _ATTRIBUTES:
        raise ValueError(f"attribute must be one of {list(_ATTRIBUTES)} (got {attribute!r})")
    table = ctx.dataset.variables
    if type is not None:
        table = table[table["type"] == type]
    values = table[attribute]
    bad = pd.Series(False, index=table.index)
    if attribute == "length":
        if max_value is not None:
            bad |= values.astype("Float64").fillna(0) > max_value
    else:
        strings = values.fillna("").astype(str)
        if max_length is not None:
            bad |= strings.str.len() > max_length
        if pattern is not None:
            bad |= ~strings.str.fullmatch(pattern)
    return [Hit((str(n),), (str(v),), _expect(attribute, max_length, max_value, pattern))
            for n, v in zip(table.loc[bad, "name"], values[bad])]


def _expect(attribute: str, max_length: int | None, max_value: int | None, pattern: str | None) -> str:
    parts = [f"at most {max_length} characters"] if max_length is not None else []
    parts += [f"at most {max_value}"] if max_value is not None else []
    parts += [f"matching {pattern}"] if pattern is not None else []
    return f"{attribute} " + " and ".join(parts)


@op("dataset_metadata", kind="dataset")
def dataset_metadata(ctx: OpContext, *, attribute: str, max_length: int | None = None,
                     pattern: str | None = None, starts_with_domain: bool = False) -> list[Hit]:
    """The dataset's ``name`` or ``label`` keeps to ``max_length`` / ``pattern``; with
    ``starts_with_domain`` the name begins with the DOMAIN value of its records."""
    ds = ctx.dataset
    value = ds.name if attribute == "name" else ds.label
    hits: list[Hit] = []
    if max_length is not None and len(value) > max_length:
        hits.append(Hit((f"dataset {attribute}",), (value,), f"at most {max_length} characters"))
    if pattern is not None and not re.fullmatch(pattern, value):
        hits.append(Hit((f"dataset {attribute}",), (value,), f"matching {pattern}"))
    if starts_with_domain and "DOMAIN" in ds.columns:
        domains = sorted(set(text(ds.frame["DOMAIN"]).dropna()))
        wrong = [d for d in domains if not ds.name.startswith(d)]
        if wrong:
            hits.append(Hit(("dataset name", "DOMAIN"), (ds.name, ", ".join(wrong)), "name starting with DOMAIN"))
    return hits


@op("declared_length", kind="dataset")
def declared_length(ctx: OpContext, *, slack: int = 0) -> list[Hit]:
    """Each Char variable's declared length is no more than its longest value (+ ``slack``): FDA asks for
    lengths set to the data, since padding inflates the transport files."""
    table = ctx.dataset.variables
    chars = table[(table["type"] == "Char") & table["name"].isin(ctx.dataset.columns)]
    if chars.empty:
        return []
    longest = ctx.dataset.frame[list(chars["name"])].apply(
        lambda column: text(column).str.len().max()).fillna(0).astype(int)
    declared = chars.set_index("name")["length"].astype(int)
    longest = longest.clip(lower=1)
    bad = declared > longest + slack
    return [Hit((n,), (str(declared[n]),), f"length {longest[n]} (the longest value)")
            for n in declared.index[bad.to_numpy()]]


@op("values_present", kind="dataset", variables=("variable",))
def values_present(ctx: OpContext, *, variable: str, values: Sequence[str]) -> list[Hit]:
    """Each of ``values`` occurs in ``variable`` (e.g. the TS parameters every study must have)."""
    have = set(text(ctx.dataset.frame[variable]).dropna())
    return [Hit((variable,), (v,), "present") for v in values if v not in have]


@op("datasets_present", kind="dataset")
def datasets_present(ctx: OpContext, *, names: Sequence[str], standard: str | None = None) -> list[Hit]:
    """Each of ``names`` is a dataset of the study (study-level rule)."""
    return [Hit(("dataset",), (name,), "present") for name in names if name not in ctx.study]
