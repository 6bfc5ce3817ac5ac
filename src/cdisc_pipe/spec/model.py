"""The study spec as frozen dataclasses.

A spec is the whole of what is study-specific: identifiers, arms, trial elements and epochs, the visit
schedule, trial summary parameters, eligibility criteria, the CRF forms with their fields, and the study's
controlled terminology. The engine reads nothing study-specific from anywhere else.

The on-disk format (YAML files in ``specs/<study>/``) is documented in ``docs/spec-format.md`` and checked
against the JSON Schema in ``cdisc_pipe/schema/`` by :func:`cdisc_pipe.spec.load_spec`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "FieldType",
    "Term",
    "Codelist",
    "FormField",
    "Form",
    "Arm",
    "Element",
    "Epoch",
    "Visit",
    "Criterion",
    "TrialSummaryParameter",
    "RawConventions",
    "Anchors",
    "Study",
]

FieldType = Literal["text", "integer", "float", "date", "time", "coded"]


@dataclass(frozen=True)
class Term:
    """One term of a codelist.

    ``code`` is the value as the EDC stores it in the raw export (e.g. ``"1"``); ``submission`` is the CDISC
    submission value it stands for (e.g. ``"M"``); ``nci`` the NCI concept code where CDISC has one.
    """

    code: str
    submission: str
    decode: str | None = None
    nci: str | None = None


@dataclass(frozen=True)
class Codelist:
    """A codelist used by the study: CDISC CT (with NCI codes) or sponsor-defined."""

    id: str
    name: str
    terms: tuple[Term, ...]
    nci: str | None = None
    extensible: bool = False
    data_type: Literal["text", "integer"] = "text"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def decode_map(self) -> dict[str, str]:
        """EDC code -> CDISC submission value."""
        return {t.code: t.submission for t in self.terms}


@dataclass(frozen=True)
class FormField:
    """One field (column) of a CRF form as the EDC exports it.

    ``identifier`` marks direct personal identifiers (names, initials, phone numbers): they are read and
    validated but never carried into SDTM.
    """

    name: str
    label: str
    type: FieldType
    required: bool = False
    codelist: str | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    partial_dates: bool = False
    identifier: bool = False
    visits: tuple[str, ...] | None = None  # collected only at these folders (None: wherever the form is)


@dataclass(frozen=True)
class Form:
    """A CRF form: one raw file, one row per record.

    ``keys`` identify a record uniquely (subject, folder, record position...). ``visits`` lists the folders
    the form is scheduled at; empty for log forms (AE, CM, MH) that are not tied to a visit.
    ``date_field`` is the field that dates the record, used by cross-form checks (nothing before consent).
    """

    id: str
    name: str
    file: str
    keys: tuple[str, ...]
    fields: tuple[FormField, ...]
    visits: tuple[str, ...] = ()
    date_field: str | None = None
    enrolled_only: bool = False
    max_records_per_subject: int | None = None

    def field(self, name: str) -> FormField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"form '{self.id}' has no field '{name}'")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class Arm:
    """A planned arm (dose group). ``code`` is what the EDC stores for it on the enrolment form."""

    armcd: str
    arm: str
    code: str
    dose: float
    dose_unit: str
    order: int
    elements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Element:
    """A trial element (TE): ETCD, ELEMENT, and the rules that start and end it.

    ``start_from``/``start_days``: the element starts ``start_days`` days after the subject's DM reference
    date ``start_from`` (e.g. RFXSTDTC + 15); SE is derived from it. It ends where the next element starts.
    ``start_after_visit``: never before the day after the subject's actual visit in this folder (so a visit
    done late inside its window stays in the element it closes).
    """

    etcd: str
    element: str
    start_rule: str
    end_rule: str
    epoch: str
    duration: str | None = None
    start_from: str | None = None
    start_days: int = 0
    start_after_visit: str | None = None


@dataclass(frozen=True)
class Epoch:
    name: str
    order: int


@dataclass(frozen=True)
class Visit:
    """A planned visit (TV) and its EDC folder.

    ``day`` is the planned study day (day 1 = first infusion); ``window`` the allowed days before and after.
    """

    folder: str
    visitnum: float
    visit: str
    day: int | None
    window: tuple[int, int]
    epoch: str
    kind: Literal["clinic", "contact"] = "clinic"


@dataclass(frozen=True)
class Criterion:
    """An inclusion or exclusion criterion (TI/IE)."""

    id: str
    category: Literal["INCLUSION", "EXCLUSION"]
    text: str


@dataclass(frozen=True)
class TrialSummaryParameter:
    """A TS parameter: TSPARMCD, TSPARM, its value(s), and for coded values TSVALCD and TSVCDREF."""

    code: str
    name: str
    values: tuple[str, ...]
    value_code: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class RawConventions:
    """How the EDC writes its export: the system columns every form carries and the date formats."""

    subject: str = "SUBJECT"
    site: str = "SITENUMBER"
    folder: str = "FOLDER"
    record: str = "RECORDPOSITION"
    encoding: str = "utf-8"
    delimiter: str = ","
    date_format: str = "DD MON YYYY"
    unknown_day: str = "UN"
    unknown_month: str = "UNK"
    time_format: str = "HH:MM"


@dataclass(frozen=True)
class Anchors:
    """Forms and fields the cross-form checks hang on.

    ``screening_form``: every subject in the export must have a record here (the screened population).
    ``consent``: (form, date field) of informed consent; nothing may be dated before it.
    ``enrolment``: (form, field) present for enrolled subjects only; the field holds the assigned arm's code.
    """

    screening_form: str
    consent: tuple[str, str]
    enrolment: tuple[str, str]


@dataclass(frozen=True)
class Study:
    """A whole study spec. ``root`` is the folder it was loaded from."""

    studyid: str
    title: str
    sponsor: str
    protocol: str
    registry_id: str
    root: Path
    raw: RawConventions
    anchors: Anchors
    arms: tuple[Arm, ...]
    elements: tuple[Element, ...]
    epochs: tuple[Epoch, ...]
    visits: tuple[Visit, ...]
    criteria: tuple[Criterion, ...]
    trial_summary: tuple[TrialSummaryParameter, ...]
    forms: tuple[Form, ...]
    codelists: dict[str, Codelist] = field(default_factory=dict)
    data_cutoff: str | None = None
    #: When the submission files were made (XPT headers, define.xml, Dataset-JSON): fixed in the spec so
    #: that re-runs give the same bytes; SOURCE_DATE_EPOCH overrides it.
    submission_timestamp: str | None = None
    screen_fail_arm: str = "SCRNFAIL"
    ct_version: str | None = None

    def form(self, form_id: str) -> Form:
        for f in self.forms:
            if f.id == form_id:
                return f
        raise KeyError(f"study '{self.studyid}' has no form '{form_id}'")

    def visit(self, folder: str) -> Visit:
        for v in self.visits:
            if v.folder == folder:
                return v
        raise KeyError(f"study '{self.studyid}' has no visit folder '{folder}'")

    def codelist(self, codelist_id: str) -> Codelist:
        return self.codelists[codelist_id]

    @property
    def folders(self) -> tuple[str, ...]:
        return tuple(v.folder for v in self.visits)
