"""One fused, vectorised check per CRF field, built from the field's spec.

A :class:`FieldCheck` holds every expectation the spec places on one column (required, type, range,
codelist, date/time validity, length, scheduled folder) and evaluates them together in one pass over the
column, giving each value the id of the first rule it breaks (or none). The pandera schema
(:mod:`cdisc_pipe.raw.schema`) wraps :meth:`FieldCheck.passes`; the failing values are then classified by
:meth:`FieldCheck.rules_broken` on the failures only, so a clean column costs a single scan.

Rules enforced here (ids in :mod:`cdisc_pipe.raw.rules`):

* ``RAW-REQUIRED`` - a required field is empty (null, empty or blank). Fields collected only at some
  folders (``FormField.visits``) are checked per folder in :mod:`cdisc_pipe.raw.formchecks` instead.
* ``RAW-TYPE-INTEGER`` / ``RAW-TYPE-FLOAT`` - the text is not a whole number / a number.
* ``RAW-RANGE`` - a number outside ``min``/``max`` (inclusive).
* ``RAW-CODELIST`` - a coded value that is not a code of the field's codelist (exact, case-sensitive).
* ``RAW-DATE-INVALID`` / ``RAW-DATE-PARTIAL-NOT-ALLOWED`` - see :mod:`cdisc_pipe.raw.dates`.
* ``RAW-TIME-INVALID`` - not a time of day in the study's time layout.
* ``RAW-LENGTH`` - more characters than ``max_length``.
* ``RAW-VISIT-UNKNOWN`` - the folder column holds a folder the form is not scheduled at (for a form with
  no schedule of its own: a folder not in the study's schedule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cdisc_pipe.raw.dates import DATE_PROBLEMS, compute_date_problems, parse_edc_times
from cdisc_pipe.raw.values import (
    is_float_text,
    is_in_set,
    is_integer_text,
    is_missing,
    is_out_of_range,
    is_too_long,
)
from cdisc_pipe.spec.model import Form, FormField, RawConventions, Study

__all__ = ["Expectation", "FieldCheck", "build_field_check", "list_values"]

_PARTIAL_CODE = DATE_PROBLEMS.index("partial date not allowed")


@dataclass(frozen=True)
class Expectation:
    """What a rule expects of a field: ``expected`` for the report column, ``phrase`` to complete the
    message "`FORM.FIELD` must be <phrase> (got '<value>')"."""

    rule: str
    expected: str
    phrase: str


@dataclass(frozen=True)
class FieldCheck:
    """Every expectation on one field of one form, evaluated in one vectorised pass."""

    form: str
    field: FormField
    expectations: tuple[Expectation, ...]
    conventions: RawConventions
    allowed: tuple[str, ...] = ()  # the codelist's codes, or the folders allowed in the folder column

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(e.rule for e in self.expectations)

    def expectation(self, rule: str) -> Expectation:
        for e in self.expectations:
            if e.rule == rule:
                return e
        raise KeyError(f"`{self.form}.{self.field.name}` has no rule '{rule}' (got rules {self.rules})")

    def codes(self, values: pd.Series) -> np.ndarray:
        """Per value, the index in :attr:`expectations` of the first rule broken; -1 where all pass."""
        codes = np.full(len(values), -1, dtype=np.int8)
        facts = _Facts(values, self)
        for position, exp in enumerate(self.expectations):
            todo = codes < 0
            if not todo.any():
                break
            codes[todo & facts.broken(exp.rule)] = position
        return codes

    def passes(self, values: pd.Series) -> pd.Series:
        """True where the value breaks none of the field's rules (aligned with ``values``)."""
        return pd.Series(self.codes(values) < 0, index=values.index)

    def rules_broken(self, values: pd.Series) -> np.ndarray:
        """The rule id each value breaks first (``""`` where it breaks none)."""
        codes = self.codes(values)
        names = np.array([*self.rules, ""], dtype=object)
        return names[np.where(codes < 0, len(self.rules), codes)]


class _Facts:
    """What the rules of one field need to know about a column, each computed once and only if asked."""

    def __init__(self, values: pd.Series, check: FieldCheck) -> None:
        self.values = values
        self.check = check
        self.missing = is_missing(values)
        self.present = ~self.missing
        self._numeric: np.ndarray | None = None
        self._date_codes: np.ndarray | None = None

    @property
    def numeric(self) -> np.ndarray:
        if self._numeric is None:
            written = is_integer_text if self.check.field.type == "integer" else is_float_text
            self._numeric = self.present & written(self.values)
        return self._numeric

    @property
    def date_codes(self) -> np.ndarray:
        if self._date_codes is None:
            problems = compute_date_problems(self.values, conventions=self.check.conventions, allow_partial=False)
            codes = problems.cat.codes.to_numpy()
            if self.check.field.partial_dates:
                codes = np.where(codes == _PARTIAL_CODE, -1, codes)
            self._date_codes = codes
        return self._date_codes

    def broken(self, rule: str) -> np.ndarray:
        field, values, present = self.check.field, self.values, self.present
        if rule == "RAW-REQUIRED":
            return self.missing
        if rule in ("RAW-TYPE-INTEGER", "RAW-TYPE-FLOAT"):
            return present & ~self.numeric
        if rule == "RAW-RANGE":
            return is_out_of_range(values, numeric=self.numeric, minimum=field.min, maximum=field.max)
        if rule in ("RAW-CODELIST", "RAW-VISIT-UNKNOWN"):
            return present & ~is_in_set(values, self.check.allowed)
        if rule == "RAW-DATE-INVALID":
            return (self.date_codes >= 0) & (self.date_codes != _PARTIAL_CODE)
        if rule == "RAW-DATE-PARTIAL-NOT-ALLOWED":
            return self.date_codes == _PARTIAL_CODE
        if rule == "RAW-TIME-INVALID":
            return present & ~parse_edc_times(values, conventions=self.check.conventions)["valid"].to_numpy()
        if rule == "RAW-LENGTH":
            return present & is_too_long(values, int(field.max_length or 0))
        raise ValueError(f"`rule` must be a value rule of FieldCheck (got '{rule}')")


def list_values(values: tuple[str, ...] | list[str], limit: int = 10) -> str:
    """``'a', 'b', 'c'``; past ``limit`` values, ``… and N more``."""
    shown = ", ".join(f"'{v}'" for v in values[:limit])
    extra = len(values) - limit
    return f"{shown}, … and {extra} more" if extra > 0 else shown


def _number(value: float) -> str:
    """Whole bounds in plain digits (``1000000``, never ``1e+06``); others as short as exact."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _range_phrase(field: FormField) -> str:
    unit = f" {field.unit}" if field.unit else ""
    if field.min is not None and field.max is not None:
        return f"from {_number(field.min)} to {_number(field.max)}{unit}"
    if field.min is not None:
        return f"at least {_number(field.min)}{unit}"
    return f"at most {_number(field.max)}{unit}"  # type: ignore[arg-type]


def _date_layouts(conventions: RawConventions, partial: bool) -> str:
    layout = conventions.date_format
    if not partial:
        return layout
    day_unknown = layout.replace("DD", conventions.unknown_day)
    month = "MON" if "MON" in layout else "MM"
    both_unknown = day_unknown.replace(month, conventions.unknown_month)
    return f"{layout}, {day_unknown} or {both_unknown}"


def build_field_check(form: Form, field: FormField, *, study: Study) -> FieldCheck:
    """The :class:`FieldCheck` the spec implies for ``field`` of ``form``; rules in precedence order."""
    conventions = study.raw
    expectations: list[Expectation] = []
    allowed: tuple[str, ...] = ()
    if field.required and field.visits is None:
        expectations.append(Expectation("RAW-REQUIRED", "a value", "entered, the field is required"))
    if field.type == "integer":
        expectations.append(Expectation("RAW-TYPE-INTEGER", "a whole number", "a whole number"))
    elif field.type == "float":
        expectations.append(Expectation("RAW-TYPE-FLOAT", "a number", "a number"))
    if field.type in ("integer", "float") and (field.min is not None or field.max is not None):
        limits = _range_phrase(field)
        kind = "a whole number" if field.type == "integer" else "a number"
        expectations.append(Expectation("RAW-RANGE", limits, f"{kind} {limits}"))
    if field.type == "coded" and field.codelist is not None:
        codelist = study.codelist(field.codelist)
        allowed = codelist.codes
        listed = f"{list_values(allowed)} (codelist {codelist.id})"
        expectations.append(Expectation("RAW-CODELIST", f"one of {listed}", f"one of {listed}"))
    if field.type == "date":
        layouts = _date_layouts(conventions, field.partial_dates)
        expectations.append(
            Expectation("RAW-DATE-INVALID", f"a real date {layouts}", f"a real calendar date written {layouts}")
        )
        if not field.partial_dates:
            complete = conventions.date_format
            expectations.append(
                Expectation(
                    "RAW-DATE-PARTIAL-NOT-ALLOWED",
                    f"a complete date {complete}",
                    f"a complete date {complete}, partial dates are not allowed here",
                )
            )
    if field.type == "time":
        layout = conventions.time_format
        expectations.append(
            Expectation(
                "RAW-TIME-INVALID", f"a time {layout} (00:00-23:59)", f"a time of day {layout} from 00:00 to 23:59"
            )
        )
    if field.max_length is not None and field.type in ("text", "coded"):
        limit = f"at most {field.max_length} characters"
        expectations.append(Expectation("RAW-LENGTH", limit, f"{limit} long"))
    if field.name == conventions.folder:
        allowed = form.visits or study.folders
        whose = f"scheduled for {form.id}" if form.visits else "of the study schedule"
        listed = list_values(allowed)
        expectations.append(Expectation("RAW-VISIT-UNKNOWN", f"one of {listed}", f"a folder {whose}: {listed}"))
    return FieldCheck(
        form=form.id, field=field, expectations=tuple(expectations), conventions=conventions, allowed=allowed
    )
