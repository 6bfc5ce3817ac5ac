"""Record ops on the values of one record: presence, patterns, ISO 8601, codelists, comparisons,
arithmetic identities, and ``conditional``. Each returns True/False/<NA> per record (see :mod:`.ops`)."""

from __future__ import annotations

import ast
import operator as _operator
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.conformance.dates import date_prefix_compare, is_iso_datetime, is_iso_duration, text
from cdisc_pipe.conformance.ops import OpContext, RecordResult, boolean, evaluate, is_null, op
from cdisc_pipe.conformance.ops_refs import lookup

__all__ = ["arithmetic"]


@op("not_null", variables=("variable",), optional=("any_of",))
def not_null(ctx: OpContext, *, variable: str | None = None, any_of: Sequence[str] = ()) -> pd.Series:
    """The variable has a value (blank text counts as missing); with ``any_of``, at least one of those
    variables the dataset has (AVAL or AVALC) has a value."""
    names = [variable] if variable else [v for v in any_of if v in ctx.frame.columns]
    filled = np.zeros(len(ctx.frame), dtype=bool)
    for name in names:
        filled |= ~is_null(ctx.frame[name]).to_numpy()
    return boolean(filled, ctx.frame.index)


@op("is_null", variables=("variable",))
def null(ctx: OpContext, *, variable: str) -> pd.Series:
    """The variable has no value."""
    return boolean(is_null(ctx.frame[variable]), ctx.frame.index)


@op("matches_regex", variables=("variable",))
def matches_regex(ctx: OpContext, *, variable: str, pattern: str) -> pd.Series:
    """The whole value matches ``pattern`` (Python regex); missing values are not judged."""
    values = text(ctx.frame[variable])
    ok = values.str.fullmatch(pattern).fillna(False).astype(bool)
    return boolean(ok, ctx.frame.index, missing=values.isna())


@op("max_length", variables=("variable",))
def max_length(ctx: OpContext, *, variable: str, max: int) -> pd.Series:
    """The value has at most ``max`` characters (trailing blanks count)."""
    values = text(ctx.frame[variable])
    return boolean((values.str.len() <= max).fillna(True), ctx.frame.index, missing=values.isna())


@op("iso8601", variables=("variable",))
def iso8601(ctx: OpContext, *, variable: str, kind: str = "datetime") -> pd.Series:
    """The value is ISO 8601: ``datetime`` (any SDTM precision), ``date`` (complete YYYY-MM-DD) or
    ``duration``."""
    series = ctx.frame[variable]
    if kind == "duration":
        return is_iso_duration(series)
    ok = is_iso_datetime(series)
    if kind == "date":
        complete = text(series).str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
        ok = ok & pd.Series(complete.to_numpy(), index=series.index, dtype="boolean")
    return ok


@op("values_in_codelist", variables=("variable",))
def values_in_codelist(ctx: OpContext, *, variable: str, values: Sequence[str] | None = None,
                       source: str | None = None) -> pd.Series:
    """The value is one of ``values``, or (``source: define``) of the variable's define.xml codelist.
    Exact match, case included; missing values are not judged."""
    if source == "define":
        allowed = ctx.dataset.codelists.get(variable)
        if allowed is None:
            return pd.Series(pd.NA, index=ctx.frame.index, dtype="boolean")
    else:
        allowed = frozenset(str(v) for v in (values or ()))
    current = text(ctx.frame[variable])
    return boolean(current.isin(list(allowed)).fillna(False), ctx.frame.index, missing=current.isna())


_COMPARE = {"eq": _operator.eq, "ne": _operator.ne, "lt": _operator.lt, "le": _operator.le,
            "gt": _operator.gt, "ge": _operator.ge}


@op("value_compare", variables=("variable", "other"), datasets=("dataset",), foreign={"other": "dataset"})
def value_compare(ctx: OpContext, *, variable: str, operator: str, value: Any = None, other: str | None = None,
                  dataset: str | None = None, by: Sequence[str] = ("USUBJID",), type: str | None = None,
                  ) -> RecordResult:
    """``variable <operator> value`` (a literal) or ``variable <operator> other`` (a variable of this
    dataset, or of ``dataset`` matched on ``by``). ``type``: ``number``, ``text`` or ``date`` (ISO 8601
    compared at the precision both values have); by default numbers when the variable is numeric."""
    left = ctx.frame[variable]
    shown: dict[str, pd.Series] = {}
    if other is not None and dataset is not None:
        right = lookup(ctx, dataset=dataset, variable=other, by=by)
        shown[f"{dataset}.{other}"] = right
    elif other is not None:
        right = ctx.frame[other]
    else:
        right = pd.Series([value] * len(left), index=left.index, dtype=object)
    kind = type or ("number" if pd.api.types.is_numeric_dtype(left) else "text")
    compare = _COMPARE[operator]
    if kind == "date":
        sign = date_prefix_compare(left, right)
        ok = compare(sign.astype("float64"), 0.0)
        return RecordResult(boolean(ok.fillna(True), left.index, missing=sign.isna()), shown)
    if kind == "number":
        a = pd.to_numeric(left, errors="coerce").astype("float64")
        b = pd.to_numeric(right, errors="coerce").astype("float64")
        return RecordResult(boolean(compare(a, b).to_numpy(), left.index, missing=a.isna() | b.isna()), shown)
    a, b = text(left), text(right)
    missing = a.isna() | b.isna()
    ok = compare(a.fillna(""), b.fillna(""))
    return RecordResult(boolean(ok.to_numpy(), left.index, missing=missing), shown)


_ARITH = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}


def arithmetic(expression: str, frame: pd.DataFrame) -> pd.Series:
    """Evaluate ``+ - * /`` over numeric variables and numbers, vectorised; nothing else parses
    (no calls, attributes or names other than variables). Division by zero gives NaN."""
    tree = ast.parse(expression, mode="eval")

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            with np.errstate(divide="ignore", invalid="ignore"):
                return _ARITH[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = walk(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return pd.to_numeric(frame[node.id], errors="coerce").astype("float64").to_numpy()
        raise ValueError(f"expression must use only variables, numbers and + - * / (got {expression!r})")

    result = np.asarray(walk(tree), dtype="float64")
    if result.ndim == 0:
        result = np.full(len(frame), float(result))
    result[~np.isfinite(result)] = np.nan
    return pd.Series(result, index=frame.index)


def expression_variables(expression: str) -> list[str]:
    return [n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)]


@op("equals_expression", variables=("variable",),
    derived=lambda args: expression_variables(str(args.get("expression", "0"))))
def equals_expression(ctx: OpContext, *, variable: str, expression: str, tolerance: float = 1e-6) -> RecordResult:
    """``variable`` equals ``expression`` (e.g. ``AVAL - BASE``) within ``tolerance`` relative to the
    larger magnitude (at least absolute ``tolerance``); not judged where either side is missing."""
    expected = arithmetic(expression, ctx.frame)
    actual = pd.to_numeric(ctx.frame[variable], errors="coerce").astype("float64")
    scale = np.maximum(1.0, np.maximum(np.abs(expected), np.abs(actual)))
    ok = (np.abs(actual - expected) <= tolerance * scale).to_numpy()
    return RecordResult(boolean(ok, ctx.frame.index, missing=actual.isna() | expected.isna()),
                        {f"{expression}": expected})


@op("conditional", nested=("if", "then"))
def conditional(ctx: OpContext, **args: Mapping[str, Any]) -> RecordResult:
    """Where ``if`` holds, ``then`` must hold: fails only for records with ``if`` True and ``then`` False."""
    when = evaluate(args["if"], ctx)
    then = evaluate(args["then"], ctx)
    assert isinstance(when, RecordResult) and isinstance(then, RecordResult)
    applies = when.ok.fillna(False).astype(bool)
    ok = then.ok.where(applies, True)
    return RecordResult(ok.astype("boolean"), {**when.shown, **then.shown})


@op("ascii", variables=("variable",))
def ascii_only(ctx: OpContext, *, variable: str) -> pd.Series:
    """The value holds printable ASCII only (FDA Study Data Technical Conformance Guide §3.3.2)."""
    values = text(ctx.frame[variable])
    ok = values.str.fullmatch(r"[\x20-\x7E]*").fillna(False).astype(bool)
    return boolean(ok, ctx.frame.index, missing=values.isna())
