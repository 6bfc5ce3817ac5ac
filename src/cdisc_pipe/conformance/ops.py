"""The vocabulary of check operations that rules combine, and how a check tree is evaluated.

A rule's ``check`` (and ``where``) is a tree of nodes. A leaf names an op (``{op: iso8601, variable:
--DTC}``); ``{all: [...]}``, ``{any: [...]}`` and ``{not: {...}}`` combine leaves with three-valued
(Kleene) logic. Every op is vectorised: it sees the whole dataset (or its variable metadata) at once.

Two kinds of op:

* **record ops** return a ``boolean`` Series over the records: True the record conforms, False it does
  not (an issue), <NA> the op cannot judge it (a value it needs is missing), which is never reported.
  ``where`` keeps the records whose condition is True before the check runs.
* **dataset ops** look at metadata or at the dataset as a whole and return :class:`Hit` rows (a missing
  variable, a label too long, a TS parameter absent); each becomes an issue without a record number.

The ops themselves live in :mod:`.ops_values`, :mod:`.ops_groups`, :mod:`.ops_refs` and
:mod:`.ops_meta`; they register here with :func:`op`, naming which arguments hold variable names so the
engine can expand ``--``, skip a rule whose variables a dataset lacks, and report those variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np
import pandas as pd

from cdisc_pipe.conformance.dates import text
from cdisc_pipe.conformance.model import Dataset, Study

__all__ = ["Op", "OpContext", "Hit", "RecordResult", "OPS", "op", "evaluate", "node_variables",
           "node_datasets", "node_foreign", "is_null", "boolean", "COMBINATORS"]

COMBINATORS = ("all", "any", "not")


class Hit(NamedTuple):
    """One dataset-level issue: the variable(s) concerned, their value(s), and what was expected."""

    variables: tuple[str, ...]
    values: tuple[str, ...]
    expected: str = ""


@dataclass(frozen=True)
class RecordResult:
    """A record op's verdict, plus computed values worth showing beside the record (e.g. the study day
    expected from the dates), keyed by a display name."""

    ok: pd.Series
    shown: Mapping[str, pd.Series] = field(default_factory=dict)


@dataclass(frozen=True)
class OpContext:
    """What an op sees: the dataset (its frame possibly narrowed by ``where``) and the whole study."""

    dataset: Dataset
    frame: pd.DataFrame
    study: Study


@dataclass(frozen=True)
class Op:
    """A registered operation. ``variables`` names the arguments holding one variable name or a list of
    them (they are ``--``-expanded and must exist in the dataset); ``optional`` those that may be absent
    (dropped when missing); ``datasets`` the arguments naming another dataset that must exist."""

    name: str
    kind: str  # "record" | "dataset"
    func: Callable[..., Any]
    variables: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    nested: tuple[str, ...] = ()
    doc: str = ""
    derived: Callable[[Mapping[str, Any]], list[str]] | None = None
    foreign: Mapping[str, str] = field(default_factory=dict)


OPS: dict[str, Op] = {}


def op(name: str, *, kind: str = "record", variables: tuple[str, ...] = (), optional: tuple[str, ...] = (),
       datasets: tuple[str, ...] = (), nested: tuple[str, ...] = (),
       derived: Callable[[Mapping[str, Any]], list[str]] | None = None,
       foreign: Mapping[str, str] | None = None) -> Callable:
    """Register ``func`` as op ``name``; it is called as ``func(ctx, **args)``. ``derived`` lists further
    variables an op reads that no single argument names (the names inside an arithmetic expression);
    ``foreign`` maps a variable argument to the argument naming the other dataset it belongs to when
    that one is given (``other`` of ``dataset`` in value_compare)."""

    def register(func: Callable) -> Callable:
        if name in OPS:
            raise ValueError(f"op '{name}' must be registered once (got a second registration)")
        OPS[name] = Op(name, kind, func, variables, optional, datasets, nested,
                       (func.__doc__ or "").strip().split("\n")[0], derived, dict(foreign or {}))
        return func

    return register


def is_null(series: pd.Series) -> pd.Series:
    """True where a value is missing: NaN for numbers, empty or blank text for Char (SAS has no null)."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return pd.Series(series.isna().to_numpy(), index=series.index)
    return pd.Series(text(series).isna().to_numpy(), index=series.index)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def node_variables(node: Mapping[str, Any], *, optional: bool = False) -> list[str]:
    """Variables a check tree names in this dataset (required ones, or with ``optional`` the optional
    ones), in first-mention order."""
    out: list[str] = []
    for child in _children(node):
        out += [v for v in node_variables(child, optional=optional) if v not in out]
    spec = OPS.get(node.get("op", ""))
    if spec is not None:
        for arg in spec.optional if optional else spec.variables:
            if arg in spec.foreign and node.get(spec.foreign[arg]) is not None:
                continue
            out += [v for v in _names(node.get(arg)) if v not in out]
        if spec.derived is not None and not optional:
            out += [v for v in spec.derived(node) if v not in out]
    return out


def node_foreign(node: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(dataset, variable) pairs a check tree reads from other datasets."""
    out: list[tuple[str, str]] = []
    for child in _children(node):
        out += node_foreign(child)
    spec = OPS.get(node.get("op", ""))
    if spec is not None:
        for arg, dataset_arg in spec.foreign.items():
            if node.get(dataset_arg) is not None:
                out += [(str(node[dataset_arg]), v) for v in _names(node.get(arg))]
    return out


def node_datasets(node: Mapping[str, Any]) -> list[str]:
    """Other datasets a check tree reads (they must exist for the rule to run)."""
    out: list[str] = []
    for child in _children(node):
        out += [d for d in node_datasets(child) if d not in out]
    spec = OPS.get(node.get("op", ""))
    if spec is not None:
        for arg in spec.datasets:
            out += [d for d in _names(node.get(arg)) if d not in out]
    return out


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if "all" in node:
        return list(node["all"])
    if "any" in node:
        return list(node["any"])
    if "not" in node:
        return [node["not"]]
    spec = OPS.get(node.get("op", ""))
    if spec is None:
        return []
    return [node[arg] for arg in spec.nested if isinstance(node.get(arg), Mapping)]


def evaluate(node: Mapping[str, Any], ctx: OpContext) -> RecordResult | list[Hit]:
    """Evaluate a check tree. Combinators accept record ops only; a dataset op must be the whole check."""
    if "all" in node or "any" in node:
        parts = [_record(child, ctx) for child in (node.get("all") or node.get("any"))]
        ok = parts[0].ok
        for part in parts[1:]:
            ok = (ok & part.ok) if "all" in node else (ok | part.ok)
        shown: dict[str, pd.Series] = {}
        for part in parts:
            shown.update(part.shown)
        return RecordResult(ok.astype("boolean"), shown)
    if "not" in node:
        inner = _record(node["not"], ctx)
        return RecordResult(~inner.ok, inner.shown)
    spec = OPS[node["op"]]
    args = {k: v for k, v in node.items() if k != "op"}
    result = spec.func(ctx, **args)
    if spec.kind == "record":
        if isinstance(result, RecordResult):
            return RecordResult(result.ok.astype("boolean"), result.shown)
        return RecordResult(pd.Series(result, index=ctx.frame.index).astype("boolean"))
    return list(result)


def _record(node: Mapping[str, Any], ctx: OpContext) -> RecordResult:
    result = evaluate(node, ctx)
    if not isinstance(result, RecordResult):
        raise ValueError(f"op '{node.get('op')}' is a dataset op and cannot be combined with all/any/not")
    return result


def boolean(values: Any, index: pd.Index, *, missing: pd.Series | np.ndarray | None = None) -> pd.Series:
    """A ``boolean`` Series from ``values``, <NA> where ``missing`` is True."""
    out = pd.Series(np.asarray(values, dtype=bool), index=index, dtype="boolean")
    if missing is not None:
        out = out.mask(np.asarray(missing, dtype=bool), pd.NA)
    return out


# The op modules register their ops on import; importing them here makes OPS complete for every user.
from cdisc_pipe.conformance import ops_groups, ops_meta, ops_refs, ops_values  # noqa: E402,F401
