"""Read and write CDISC ODM 1.3.2 ClinicalData as a raw export.

Mapping between a form's frame and ODM (the OIDs are this package's convention, see ``docs/readers.md``):

==========================================  ===============================================================
ODM                                         frame
==========================================  ===============================================================
``SubjectData/@SubjectKey``                 the spec's subject column (``SUBJECT``)
``SubjectData/SiteRef/@LocationOID``        the site column (``SITENUMBER``)
``StudyEventData/@StudyEventOID``           the folder column (``FOLDER``), the folder itself as the OID
``ItemGroupData/@ItemGroupOID``             the form: ``"IG." + form id`` (``IG.DM``)
``ItemGroupData/@ItemGroupRepeatKey``       the record column (``RECORDPOSITION``)
``ItemData/@ItemOID``, ``@Value``           a column: ``"IT." + form id + "." + field`` (``IT.DM.SEX``)
==========================================  ===============================================================

A system column (subject, site, folder, record) is in a form's frame when the form's spec lists it.
Reading: an ``ItemOID`` without the ``IT.<form>.`` prefix is read as the name after ``IT.`` (or the whole
OID), so files from other EDCs (``IT.AGE``) are read too. A missing ``ItemData``, ``Value=""`` and
``IsNull="Yes"`` are all missing values. Typed ``ItemDataString``/``ItemDataInteger``/... carry the value as
text content and are read the same way. Elements and attributes of other namespaces (vendor extensions)
are ignored. ``TransactionType`` is ignored: a file is read as a snapshot. ``ROW`` is the ordinal of the
record among the form's records in document order. A form is present when the file defines its
``ItemGroupDef`` or holds at least one of its records; its columns are the ``ItemRef`` s of the
``ItemGroupDef`` (in order) and then any other items found in the data (in order of first appearance).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.errors import InputError
from cdisc_pipe.raw.assemble import assemble_form
from cdisc_pipe.raw.model import RawExport, RawForm
from cdisc_pipe.raw.odm_write import ODM_NS, form_oid, item_group_oid, item_oid, write_odm
from cdisc_pipe.raw.safexml import NAME_SEPARATOR, parse_xml
from cdisc_pipe.spec.model import Form, Study

__all__ = ["ODM_NS", "form_oid", "item_group_oid", "item_oid", "read_odm", "write_odm"]

_P = ODM_NS + NAME_SEPARATOR
_ODM = _P + "ODM"
_ITEM_DATA = _P + "ItemData"
_ITEM_GROUP_DATA = _P + "ItemGroupData"
_STUDY_EVENT_DATA = _P + "StudyEventData"
_SUBJECT_DATA = _P + "SubjectData"
_SITE_REF = _P + "SiteRef"
_ITEM_GROUP_DEF = _P + "ItemGroupDef"
_ITEM_REF = _P + "ItemRef"


def read_odm(path: Path, study: Study) -> RawExport:
    """Read the ClinicalData of the ODM 1.3 file at ``path`` into one :class:`RawForm` per form of ``study``.

    The file is parsed by :func:`cdisc_pipe.raw.safexml.parse_xml`: a DTD, an entity declaration or an
    external reference makes it an :class:`InputError` before any data is read. Forms with neither an
    ``ItemGroupDef`` nor records in the file are listed in ``missing_forms``.
    """
    path = Path(path)
    handler = _ClinicalData(study, file=path.name)
    parse_xml(path, handler)
    forms: dict[str, RawForm] = {}
    missing: list[str] = []
    for form in study.forms:
        records = handler.records[form.id]
        if records.defined or records.n:
            forms[form.id] = records.to_raw_form(study, file=path.name)
        else:
            missing.append(form.id)
    return RawExport(source=path, format="odm", forms=forms, missing_forms=tuple(missing))


class _FormRecords:
    """One form's records, gathered column by column while the file streams past."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.n = 0
        self.defined = False
        self.subject: list[str | None] = []
        self.site: list[str | None] = []
        self.folder: list[str | None] = []
        self.repeat: list[str | None] = []
        self.declared: list[str] = []
        self.items: dict[str, tuple[list[int], list[str | None]]] = {}
        self._prefix = item_oid(form.id, "")
        self._names: dict[str, str] = {}

    def column(self, oid: str) -> str:
        """The column an ``ItemOID`` feeds (``IT.DM.SEX`` -> ``SEX``; ``IT.AGE`` -> ``AGE``)."""
        name = self._names.get(oid)
        if name is None:
            if oid.startswith(self._prefix):
                name = oid[len(self._prefix):]
            else:
                name = oid[3:] if oid.startswith("IT.") else oid
            self._names[oid] = name
        return name

    def add(self, row: int, oid: str, value: str | None) -> None:
        entry = self.items.get(oid)
        if entry is None:
            entry = self.items[oid] = ([], [])
        entry[0].append(row)
        entry[1].append(value)

    def to_raw_form(self, study: Study, *, file: str) -> RawForm:
        """Build the frame in one go: system columns, declared items, then items found only in the data."""
        raw = study.raw
        fields = set(self.form.field_names)
        system = {
            raw.subject: self.subject, raw.site: self.site, raw.folder: self.folder, raw.record: self.repeat
        }
        columns: dict[str, pa.Array] = {
            name: _strings(values) for name, values in system.items() if name in fields
        }
        by_name: dict[str, list[str]] = {}
        for oid in self.items:
            by_name.setdefault(self.column(oid), []).append(oid)
        order = list(dict.fromkeys([*self.declared, *by_name]))
        for name in order:
            if name in columns:
                raise InputError(
                    f"`{file}` item '{name}' of {item_group_oid(self.form.id)} must not repeat the "
                    f"system column '{name}' carried by the ODM structure (got it as ItemData too)"
                )
            columns[name] = self._scatter(name, by_name.get(name, []), file=file)
        return assemble_form(self.form, pa.table(columns) if columns else pa.table({}), file=file)

    def _scatter(self, name: str, oids: list[str], *, file: str) -> pa.Array:
        """One column of ``n`` values from the (record, value) pairs of its ItemOIDs; missing elsewhere."""
        parts = [np.asarray(self.items[oid][0], dtype=np.int64) for oid in oids]
        rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        values = [value for oid in oids for value in self.items[oid][1]]
        if len(rows) == self.n and (self.n == 0 or (rows[0] == 0 and np.all(np.diff(rows) == 1))):
            return _strings(values)  # every record has the item once (the usual case): no scatter
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        repeated = np.flatnonzero(sorted_rows[1:] == sorted_rows[:-1])
        if repeated.size:
            raise InputError(
                f"`{file}` ItemGroupData {item_group_oid(self.form.id)} must hold item '{name}' at most "
                f"once per record (got it more than once in record {int(sorted_rows[repeated[0]]) + 1})"
            )
        out = np.full(self.n, None, dtype=object)
        out[rows] = np.asarray(values, dtype=object)
        return _strings(out)


def _strings(values: list[str | None] | np.ndarray) -> pa.Array:
    """Arrow strings with the empty value missing (the ODM reading of ``Value=""``)."""
    array = pa.array(values, type=pa.string(), from_pandas=True)
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


class _ClinicalData:
    """Streaming handler: routes each ItemGroupData of a claimed form to that form's :class:`_FormRecords`."""

    def __init__(self, study: Study, *, file: str) -> None:
        self.file = file
        self.records = {form.id: _FormRecords(form) for form in study.forms}
        self.claimed = {item_group_oid(form.id): self.records[form.id] for form in study.forms}
        self.started = False
        self.subject: str | None = None
        self.site: str | None = None
        self.folder: str | None = None
        self.current: _FormRecords | None = None
        self.row = -1
        self.defining: _FormRecords | None = None
        self.typed: tuple[str, str, str | None] | None = None  # (element, ItemOID, IsNull) of ItemData<Type>
        self.chunks: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        current = self.current
        if current is not None:  # inside a claimed ItemGroupData: the hot path, kept flat
            if name == _ITEM_DATA:
                oid = attrs.get("ItemOID") or self._no_oid()
                entry = current.items.get(oid)
                if entry is None:
                    entry = current.items[oid] = ([], [])
                entry[0].append(self.row)
                entry[1].append(None if attrs.get("IsNull") == "Yes" else attrs.get("Value"))
            elif name.startswith(_ITEM_DATA):
                self.typed = (name, attrs.get("ItemOID") or self._no_oid(), attrs.get("IsNull"))
                self.chunks = []
            return
        if not self.started:
            self._assert_root(name)
            self.started = True
        if name == _ITEM_GROUP_DATA:
            records = self.claimed.get(attrs.get("ItemGroupOID"))
            if records is not None:
                self.current = records
                self.row = records.n
                records.n += 1
                records.subject.append(self.subject)
                records.site.append(self.site)
                records.folder.append(self.folder)
                records.repeat.append(attrs.get("ItemGroupRepeatKey"))
        elif name == _STUDY_EVENT_DATA:
            self.folder = attrs.get("StudyEventOID")
        elif name == _SUBJECT_DATA:
            self.subject = attrs.get("SubjectKey")
            self.site = None
            self.folder = None
        elif name == _SITE_REF:
            self.site = attrs.get("LocationOID")
        elif name == _ITEM_REF:
            if self.defining is not None:
                self.defining.declared.append(self.defining.column(attrs.get("ItemOID") or self._no_oid()))
        elif name == _ITEM_GROUP_DEF:
            self.defining = self.claimed.get(attrs.get("OID"))
            if self.defining is not None:
                self.defining.defined = True

    def end(self, name: str) -> None:
        if name == _ITEM_GROUP_DATA:
            self.current = None
        elif self.typed is not None and name == self.typed[0]:
            _, oid, is_null = self.typed
            value = None if is_null == "Yes" else "".join(self.chunks)
            if self.current is not None:
                self.current.add(self.row, oid, value)
            self.typed = None
        elif name == _ITEM_GROUP_DEF:
            self.defining = None

    def text(self, data: str) -> None:
        if self.typed is not None:
            self.chunks.append(data)

    def _no_oid(self) -> str:
        raise InputError(f"`{self.file}` ItemData and ItemRef elements must have an ItemOID (got none)")

    def _assert_root(self, name: str) -> None:
        if name != _ODM:
            shown = name.replace(NAME_SEPARATOR, "} ") if NAME_SEPARATOR in name else name
            raise InputError(
                f"`{self.file}` root element must be ODM in namespace {ODM_NS} (got {shown})"
            )
