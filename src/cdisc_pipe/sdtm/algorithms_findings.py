"""Mapping algorithms of the findings domains (LB, CP, VS, QS, RS), registered by
:mod:`cdisc_pipe.sdtm.registry` under the names the spec uses, and the multi-form melt LB needs.

Findings are collected wide on the CRF (one column per test) and melted to one working record per test:
the raw result is in ``_VALUE_``, the raw field in ``_FIELD_`` and every attribute the spec gives the test
in ``_TEST_<key>``. The algorithms here read those columns:

* ``result_decode`` -- --ORRES of a coded result: the answer's text as printed on the CRF (QSORRES
  "Excellent" for SF-36 code 1), through the codelist of the test's own field;
* ``not_done`` -- --STAT = NOT DONE on the records of a planned test left blank;
* ``to_number`` -- --STRESN from an earlier character result (QSSTRESN from QSSTRESC);
* ``nrind`` -- --NRIND (LOW / NORMAL / HIGH) from the standard result and the standard reference range.

:func:`melt_forms` melts several forms into one domain (LB is collected on six lab forms); each test of the
``tests`` table names its ``form``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.model import ROW, RawExport
from cdisc_pipe.sdtm.algorithms import FILE, FORM, Algorithm, text_column
from cdisc_pipe.spec import Study
from cdisc_pipe.spec.model import Form
from cdisc_pipe.spec.sdtm_model import SdtmVariable

if TYPE_CHECKING:
    from cdisc_pipe.sdtm.context import MapContext

__all__ = [
    "FINDINGS_ALGORITHMS",
    "melt_forms",
    "compute_nrind",
    "VALUE",
    "FIELD",
    "TEST_ORDER",
    "TEST_PREFIX",
    "NOT_DONE",
]

#: Working columns of a melted record (the same names as the single-form melt of ``build.source_records``).
VALUE = "_VALUE_"
FIELD = "_FIELD_"
TEST_ORDER = "_TESTORDER_"
TEST_PREFIX = "_TEST_"

#: --STAT of a planned test without a result (codelist ND, C66789).
NOT_DONE = "NOT DONE"


# --- the multi-form melt ---------------------------------------------------------------------------------

def melt_forms(export: RawExport, study: Study, tests: Sequence[Mapping[str, Any]], *,
               where: Mapping[str, Any] | None = None, drop_missing: bool = True) -> pd.DataFrame:
    """One working record per (raw record, test) across several forms; each test names ``form`` and ``field``.

    The columns are those of the single-form melt: the raw record's own columns (its test fields excepted),
    the provenance ``_FILE_``, ``_FORM_``, ``_ROW_``, then ``_VALUE_`` (the raw result), ``_FIELD_``,
    ``_TESTORDER_`` (the test's position in ``tests``) and ``_TEST_<key>`` for every key of the test.
    ``where`` filters each form's records first ({column: value or list of values}).

    A blank result gives no record when ``drop_missing``; otherwise it is kept (for --STAT = NOT DONE)
    where the field is scheduled at the record's visit folder (the field's ``visits``, else the form's) and
    dropped where it is not (HEIGHT after screening is not a missed test). Records come by form (in order of
    first appearance in ``tests``), raw row, then test order. Forms absent from the export add nothing.
    """
    _assert_tests(tests)
    form_ids = list(dict.fromkeys(t["form"] for t in tests))
    pieces = []
    for form_id in form_ids:
        raw = export.forms.get(form_id)
        if raw is None:
            continue
        frame = raw.frame.assign(**{FILE: raw.file, FORM: form_id})
        for column, wanted in (where or {}).items():
            if column not in frame.columns:
                raise ValueError(f"`where` must name columns of every melted form (got '{column}', "
                                 f"not in form {form_id})")
            frame = frame[frame[column].isin(wanted if isinstance(wanted, list) else [wanted])]
        own = [(order, test) for order, test in enumerate(tests) if test["form"] == form_id]
        pieces.append(_melt_form(frame, own, study.form(form_id), study, drop_missing=drop_missing))
    pieces = [p for p in pieces if len(p)]
    if not pieces:
        return _empty_melt(study, tests)
    return pd.concat(pieces, ignore_index=True)


def _assert_tests(tests: Sequence[Mapping[str, Any]]) -> None:
    bad = [i for i, t in enumerate(tests) if not isinstance(t.get("form"), str) or not isinstance(t.get("field"), str)]
    if bad:
        raise ValueError(f"`tests` must each name a 'form' and a 'field' (got none in tests {bad[:10]})")


def _melt_form(frame: pd.DataFrame, own: list[tuple[int, Mapping[str, Any]]], form: Form, study: Study, *,
               drop_missing: bool) -> pd.DataFrame:
    test_fields = {test["field"] for _, test in own}
    keep = [c for c in frame.columns if c not in test_fields]
    parts = []
    for order, test in own:
        name = test["field"]
        if name not in frame.columns:  # raw validation reports a missing column; nothing to melt
            continue
        value = text_column(frame[name])
        kept = value.notna()
        if not drop_missing:
            kept = kept | _scheduled(frame, form, name, study)
        attributes = {f"{TEST_PREFIX}{k}": v for k, v in test.items()}
        parts.append(frame.loc[kept, keep].assign(**{VALUE: value[kept], FIELD: name, TEST_ORDER: order},
                                                  **attributes))
    if not parts:
        return frame.iloc[0:0]
    long = pd.concat(parts, ignore_index=True)
    return long.sort_values([ROW, TEST_ORDER], kind="stable").reset_index(drop=True)


def _scheduled(frame: pd.DataFrame, form: Form, name: str, study: Study) -> pd.Series:
    """True where ``name`` is planned at the record's folder (log forms: everywhere)."""
    visits = form.field(name).visits or form.visits
    folder = study.raw.folder
    if not visits or folder not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame[folder].isin(list(visits))


def _empty_melt(study: Study, tests: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """No record, but every column the algorithms may read (so a domain without data still builds)."""
    test_fields = {t["field"] for t in tests}
    columns: dict[str, None] = {}
    for form_id in dict.fromkeys(t["form"] for t in tests):
        columns.update({f: None for f in study.form(form_id).field_names if f not in test_fields})
    columns.update({c: None for c in (FILE, FORM, ROW, VALUE, FIELD, TEST_ORDER)})
    columns.update({f"{TEST_PREFIX}{k}": None for t in tests for k in t})
    return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})


# --- algorithms ------------------------------------------------------------------------------------------

def _melted(dataset: pd.DataFrame, column: str, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """A working column of a melted record; an empty frame has none to give."""
    if column in dataset.columns:
        return dataset[column]
    if len(dataset) == 0:
        return pd.Series(pd.NA, index=dataset.index, dtype="string")
    raise SpecError(f"{context.domain.file}: `{context.domain.name}.{variable.name}` must come from a 'melt' "
                    f"source (algorithm '{variable.algorithm}' needs the working column {column})")


def _derived(dataset: pd.DataFrame, name: Any, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """A variable derived earlier in the domain's spec order (named by an argument)."""
    if name not in dataset.columns:
        raise SpecError(f"{context.domain.file}: `{context.domain.name}.{variable.name}` must name a variable "
                        f"listed before it (got '{name}')")
    return dataset[name]


def _field_codelists(dataset: pd.DataFrame, context: "MapContext") -> Iterable[tuple[str, str, str]]:
    """(form, field, codelist id) of every coded field among the melted records."""
    pairs = dataset.loc[:, [FORM, FIELD]].drop_duplicates()
    for form_id, name in zip(pairs[FORM], pairs[FIELD]):
        codelist = context.study.form(form_id).field(name).codelist
        if codelist is None:
            raise SpecError(f"{context.domain.file}: field {form_id}.{name} must have a codelist to be decoded "
                            "(got none)")
        yield form_id, name, codelist


def map_result_decode(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """--ORRES of a coded CRF answer: the decode of the melted raw code in its own field's codelist, i.e. the
    text printed on the CRF (QSORRES = "Excellent" for SF-36 item 1 code 1). An unknown code is null and a
    finding (SDTM-CT-UNMAPPED); a codelist term without a decode is a spec error."""
    out = pd.Series(pd.NA, index=dataset.index, dtype="string")
    codes = text_column(_melted(dataset, VALUE, variable, context))
    if len(dataset) == 0:
        return out
    forms = dataset[FORM].astype("string")
    fields = dataset[FIELD].astype("string")
    for form_id, name, codelist_id in _field_codelists(dataset, context):
        codelist = context.study.codelist(codelist_id)
        undecoded = [t.code for t in codelist.terms if not t.decode]
        if undecoded:
            raise SpecError(f"codelists.yaml: codelist {codelist_id} must give every term a decode to derive "
                            f"{context.domain.name}.{variable.name} (got none for codes {undecoded})")
        mask = ((forms == form_id) & (fields == name)).fillna(False)
        decoded = codes[mask].map({t.code: t.decode for t in codelist.terms}).astype("string")
        bad = codes[mask].notna() & decoded.isna()
        if bad.any():
            context.problem_unmapped(dataset.loc[mask].assign(**{name: codes[mask]}), variable, name,
                                     codelist_id, bad)
        out[mask] = decoded
    return out


def map_not_done(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """--STAT: "NOT DONE" on the melted records of a planned test whose result is blank (a ``melt`` source
    with ``drop_missing: false``), null on the others."""
    blank = text_column(_melted(dataset, VALUE, variable, context)).isna()
    return pd.Series(NOT_DONE, index=dataset.index, dtype="string").where(blank)


def map_to_number(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """--STRESN: the earlier character result named by ``variable`` (e.g. QSSTRESC) as a number; null where
    it is not a number."""
    text = text_column(_derived(dataset, variable.arg("variable"), variable, context))
    return pd.to_numeric(text, errors="coerce").astype("float64")


def compute_nrind(result: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    """Reference range indicator: LOW below ``low``, HIGH above ``high``, NORMAL within (limits included).

    A missing limit is not checked; null when the result is missing or both limits are.
    """
    value = pd.to_numeric(result, errors="coerce").to_numpy(dtype="float64")
    lower = pd.to_numeric(low, errors="coerce").to_numpy(dtype="float64")
    upper = pd.to_numeric(high, errors="coerce").to_numpy(dtype="float64")
    known = ~np.isnan(value) & ~(np.isnan(lower) & np.isnan(upper))
    label = np.where(value < lower, "LOW", np.where(value > upper, "HIGH", "NORMAL"))
    return pd.Series(label, index=result.index, dtype="string").where(known)


def map_nrind(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """--NRIND from the earlier variables named by ``result`` (--STRESN), ``low`` (--STNRLO) and ``high``
    (--STNRHI): see :func:`compute_nrind`."""
    return compute_nrind(*(_derived(dataset, variable.arg(k), variable, context) for k in ("result", "low", "high")))


FINDINGS_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("result_decode", map_result_decode),
    Algorithm("not_done", map_not_done),
    Algorithm("to_number", map_to_number, frozenset({"variable"})),
    Algorithm("nrind", map_nrind, frozenset({"result", "low", "high"})),
)
