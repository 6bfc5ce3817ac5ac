"""Write raw CRF frames as a CDISC ODM 1.3.2 snapshot: the inverse of :func:`cdisc_pipe.raw.odm.read_odm`.

The document holds a minimal ``Study`` (``GlobalVariables`` and one ``MetaDataVersion`` with the
``StudyEventDef``/``FormDef``/``ItemGroupDef``/``ItemDef`` the data refers to) and one ``ClinicalData``.
It validates against the ODM 1.3.2 XSD. The bytes depend only on the frames, the study and ``created``.

Layout of ``ClinicalData``: one ``SubjectData`` per run of records of one subject (and site), one
``StudyEventData`` per run of one folder inside it, one ``FormData`` per form inside that, and the form's
records as ``ItemGroupData`` in frame order. Runs are taken greedily across forms so that every form's
records come back from :func:`~cdisc_pipe.raw.odm.read_odm` in exactly the frame's order (same ``ROW``);
frames sorted by subject and visit give one ``SubjectData`` per subject and one ``StudyEventData`` per
visit. Records of forms without a folder column (log forms: AE, CM, MH) go in the event
:data:`COMMON_EVENT`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.raw.model import ROW
from cdisc_pipe.spec.model import Form, Study

__all__ = [
    "ODM_NS",
    "COMMON_EVENT",
    "DEFAULT_CREATED",
    "METADATA_VERSION_OID",
    "form_oid",
    "item_group_oid",
    "item_oid",
    "write_odm",
]

#: The ODM 1.3 namespace (shared by 1.3.0, 1.3.1 and 1.3.2).
ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
#: ``StudyEventOID`` of the records of forms that have no folder column (log forms).
COMMON_EVENT = "COMMON"
#: ``CreationDateTime`` when neither ``created`` nor ``SOURCE_DATE_EPOCH`` is given: the Unix epoch.
DEFAULT_CREATED = datetime(1970, 1, 1, tzinfo=timezone.utc)
METADATA_VERSION_OID = "MDV.RAW"

_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
            ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;"))
_NOT_XML = "[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|\\x00"  # characters XML 1.0 cannot carry at all
_IND = {depth: "\n" + "  " * depth for depth in range(8)}
_DATA_TYPES = {"integer": "integer", "float": "float"}  # everything else is text as entered


def form_oid(form_id: str) -> str:
    """``FormOID`` of a form: ``F.<form id>``."""
    return f"F.{form_id}"


def item_group_oid(form_id: str) -> str:
    """``ItemGroupOID`` of a form: ``IG.<form id>`` (the reader recognises a form by it)."""
    return f"IG.{form_id}"


def item_oid(form_id: str, name: str) -> str:
    """``ItemOID`` of a column: ``IT.<form id>.<column>``."""
    return f"IT.{form_id}.{name}"


def write_odm(
    frames: Mapping[str, pd.DataFrame], study: Study, path: Path, *, created: datetime | None = None
) -> None:
    """Write ``frames`` (form id -> frame of strings) as an ODM 1.3.2 file at ``path``.

    Every column of a frame becomes an item, except the study's system columns (subject, site, folder,
    record position), which become the ODM structure, and :data:`~cdisc_pipe.raw.model.ROW`, which is
    dropped (the reader numbers records again). Missing values and ``""`` are written as no ``ItemData``.
    ``created`` is the ``CreationDateTime``; when ``None`` it is ``SOURCE_DATE_EPOCH`` if that is set,
    else :data:`DEFAULT_CREATED`, so the bytes never depend on the clock. Forms are written in the
    study's order whatever the order of ``frames``. The file is written whole or not at all.
    """
    known = {form.id for form in study.forms}
    unknown = sorted(set(frames) - known)
    if unknown:
        raise ValueError(f"`frames` keys must be form ids of study '{study.studyid}' (got {unknown})")
    blocks = [_FormBlock.build(form, frames[form.id], study) for form in study.forms if form.id in frames]
    parts = _header(study, _creation_time(created)) + _metadata(study, blocks) + _clinical_data(study, blocks)
    parts.append("\n</ODM>\n")
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes("".join(parts).encode("utf-8"))
    partial.replace(path)


@dataclass(frozen=True)
class _FormBlock:
    """One form's records, rendered: ``records[i]`` is the ``ItemGroupData`` of the frame's i-th row."""

    form: Form
    items: tuple[str, ...]
    subject: np.ndarray
    site: np.ndarray | None
    folder: np.ndarray | None
    records: list[str]
    subject_end: np.ndarray  # index after the run of (subject, site) each record is in
    folder_end: np.ndarray  # index after the run of (subject, site, folder) each record is in

    @property
    def n(self) -> int:
        return len(self.records)

    def folder_at(self, i: int) -> str:
        return COMMON_EVENT if self.folder is None else self.folder[i]

    @classmethod
    def build(cls, form: Form, frame: pd.DataFrame, study: Study) -> _FormBlock:
        raw = study.raw
        fields = set(form.field_names)
        names = [name for name in frame.columns if name != ROW]
        if len(set(names)) != len(names):
            raise ValueError(f"`frames['{form.id}']` column names must be unique (got {names})")
        for required in (raw.subject, *([raw.folder] if raw.folder in fields else [])):
            if required not in names:
                raise ValueError(f"`frames['{form.id}']` must have column '{required}' (got {names})")
        columns = {name: _text(frame[name], form=form.id, column=name) for name in names}
        system = {raw.subject} | ({raw.site, raw.folder, raw.record} & fields)
        items = tuple(name for name in names if name not in system)

        def keys(name: str, *, required: bool) -> np.ndarray | None:
            if name not in fields or name not in columns:
                return None
            return _keys(columns[name], form=form.id, column=name, required=required)

        subject = _keys(columns[raw.subject], form=form.id, column=raw.subject, required=True)
        site = keys(raw.site, required=False)
        folder = keys(raw.folder, required=True)
        repeat = columns.get(raw.record) if raw.record in fields else None
        records = _records(form, items, columns, repeat, n=len(frame))
        subject_keys = [subject] if site is None else [subject, site]
        subject_end = _run_ends(*subject_keys)
        folder_end = subject_end if folder is None else _run_ends(*subject_keys, folder)
        return cls(form, items, subject, site, folder, records, subject_end, folder_end)


def _text(series: pd.Series, *, form: str, column: str) -> pa.Array:
    """The column as Arrow strings, ``""`` missing; refuses non-text and characters XML cannot carry."""
    if series.isna().all():
        return pa.nulls(len(series), pa.string())
    try:
        array = pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise TypeError(
            f"`frames['{form}']['{column}']` must hold strings (got dtype {series.dtype})"
        ) from err
    array = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)
    bad = pc.fill_null(pc.match_substring_regex(array, _NOT_XML), False).to_numpy(zero_copy_only=False)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"`frames['{form}']['{column}']` must hold only characters XML 1.0 allows "
            f"(got {array[row].as_py()!r} in row {row + 1})"
        )
    return array


def _escape(array: pa.Array) -> pa.Array:
    """XML-escape every value (vectorised); the inverse of what the parser does to attribute values."""
    for old, new in _ESCAPES:
        array = pc.replace_substring(array, old, new)
    return array


def _keys(array: pa.Array, *, form: str, column: str, required: bool = False) -> np.ndarray:
    values = np.asarray(array.to_pylist(), dtype=object)
    if required and array.null_count:
        row = int(np.flatnonzero(pd.isna(values))[0])
        raise ValueError(
            f"`frames['{form}']['{column}']` must have a value in every row (got none in row {row + 1})"
        )
    return values


def _records(
    form: Form, items: tuple[str, ...], columns: dict[str, pa.Array], repeat: pa.Array | None, *, n: int
) -> list[str]:
    """Render every row as one ``ItemGroupData`` element (vectorised over rows)."""
    pieces = [
        pc.fill_null(
            pc.binary_join_element_wise(
                f'{_IND[6]}<ItemData ItemOID="{_attr(item_oid(form.id, name))}" Value="',
                _escape(columns[name]), '"/>', "",
            ),
            "",
        )
        for name in items
    ]
    body = pc.binary_join_element_wise(*pieces, "") if pieces else pa.array([""] * n, pa.string())
    key = pa.array([""] * n, pa.string())
    if repeat is not None:
        key = pc.binary_join_element_wise(' ItemGroupRepeatKey="', _escape(repeat), '"', "")
        key = pc.fill_null(key, "")
    tag = f'{_IND[5]}<ItemGroupData ItemGroupOID="{_attr(item_group_oid(form.id))}"'
    head = pc.binary_join_element_wise(tag, key, "")
    full = pc.binary_join_element_wise(head, ">", body, f"{_IND[5]}</ItemGroupData>", "")
    empty = pc.binary_join_element_wise(head, "/>", "")
    return pc.if_else(pc.equal(body, ""), empty, full).to_pylist()


def _run_ends(*keys: np.ndarray) -> np.ndarray:
    """For each position, the index just after the run of equal keys it belongs to."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(n - 1, dtype=bool)
    for key in keys:
        change |= np.asarray(key[1:] != key[:-1], dtype=bool)
    starts = np.concatenate([[0], np.flatnonzero(change) + 1])
    ends = np.append(starts[1:], n)
    return np.repeat(ends, ends - starts)


def _clinical_data(study: Study, blocks: list[_FormBlock]) -> list[str]:
    """``ClinicalData``: greedy runs so that each form's records keep the frame's order (module docstring)."""
    out = [
        f'{_IND[1]}<ClinicalData StudyOID="{_attr(study.studyid)}" '
        f'MetaDataVersionOID="{METADATA_VERSION_OID}">'
    ]
    ptr = [0] * len(blocks)
    while True:
        waiting = [i for i, block in enumerate(blocks) if ptr[i] < block.n]
        if not waiting:
            break
        subject = blocks[waiting[0]].subject[ptr[waiting[0]]]
        same = [i for i in waiting if blocks[i].subject[ptr[i]] == subject]
        site = next((blocks[i].site[ptr[i]] for i in same if blocks[i].site is not None), None)
        runs = {
            i: [ptr[i], int(blocks[i].subject_end[ptr[i]])]
            for i in same
            if blocks[i].site is None or blocks[i].site[ptr[i]] == site
        }
        out.append(f'{_IND[2]}<SubjectData SubjectKey="{_attr(subject)}">')
        if site is not None:
            out.append(f'{_IND[3]}<SiteRef LocationOID="{_attr(site)}"/>')
        for i, (_, end) in runs.items():
            ptr[i] = end
        while runs:
            folder = blocks[min(runs)].folder_at(runs[min(runs)][0])
            out.append(f'{_IND[3]}<StudyEventData StudyEventOID="{_attr(folder)}">')
            for i in sorted(runs):
                start, end = runs[i]
                block = blocks[i]
                if block.folder_at(start) != folder:
                    continue
                stop = min(int(block.folder_end[start]), end)
                out.append(f'{_IND[4]}<FormData FormOID="{_attr(form_oid(block.form.id))}">')
                out.extend(block.records[start:stop])
                out.append(f"{_IND[4]}</FormData>")
                if stop == end:
                    del runs[i]
                else:
                    runs[i][0] = stop
            out.append(f"{_IND[3]}</StudyEventData>")
        out.append(f"{_IND[2]}</SubjectData>")
    out.append(f"{_IND[1]}</ClinicalData>")
    return out


def _header(study: Study, created: datetime) -> list[str]:
    stamp = created.isoformat(timespec="seconds")
    file_oid = f"{study.studyid}.RAW.{created.strftime('%Y%m%dT%H%M%S')}"
    return [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<ODM xmlns="{ODM_NS}" ODMVersion="1.3.2" FileType="Snapshot" FileOID="{_attr(file_oid)}" '
        f'CreationDateTime="{stamp}" SourceSystem="cdisc_pipe">',
        f'{_IND[1]}<Study OID="{_attr(study.studyid)}">',
        f"{_IND[2]}<GlobalVariables>",
        f"{_IND[3]}<StudyName>{_attr(study.studyid)}</StudyName>",
        f"{_IND[3]}<StudyDescription>{_attr(study.title)}</StudyDescription>",
        f"{_IND[3]}<ProtocolName>{_attr(study.protocol)}</ProtocolName>",
        f"{_IND[2]}</GlobalVariables>",
    ]


def _metadata(study: Study, blocks: list[_FormBlock]) -> list[str]:
    """The ``MetaDataVersion`` defining every event, form, item group and item the data uses."""
    events = _events(study, blocks)
    visits = {visit.folder: visit for visit in study.visits}
    name = _attr(f"{study.studyid} raw CRF export")
    out = [f'{_IND[2]}<MetaDataVersion OID="{METADATA_VERSION_OID}" Name="{name}">', f"{_IND[3]}<Protocol>"]
    out += [
        f'{_IND[4]}<StudyEventRef StudyEventOID="{_attr(oid)}" OrderNumber="{k}" Mandatory="No"/>'
        for k, oid in enumerate(events, start=1)
    ]
    out.append(f"{_IND[3]}</Protocol>")
    for oid, form_ids in events.items():
        visit = visits.get(oid)
        label, kind = (visit.visit, "Scheduled") if visit else (oid, "Unscheduled")
        if oid == COMMON_EVENT and visit is None:
            label, kind = "Log forms (not tied to a visit)", "Common"
        out.append(
            f'{_IND[3]}<StudyEventDef OID="{_attr(oid)}" Name="{_attr(label)}" Repeating="No" Type="{kind}">'
        )
        out += [
            f'{_IND[4]}<FormRef FormOID="{_attr(form_oid(form_id))}" OrderNumber="{k}" Mandatory="No"/>'
            for k, form_id in enumerate(form_ids, start=1)
        ]
        out.append(f"{_IND[3]}</StudyEventDef>")
    for block in blocks:
        out += _form_def(block, repeating=study.raw.record in block.form.field_names)
    for block in blocks:
        out += _item_group_def(block, repeating=study.raw.record in block.form.field_names)
    for block in blocks:
        out += _item_defs(block)
    out += [f"{_IND[2]}</MetaDataVersion>", f"{_IND[1]}</Study>"]
    return out


def _form_def(block: _FormBlock, *, repeating: bool) -> list[str]:
    form = block.form
    flag = "Yes" if repeating else "No"
    return [
        f'{_IND[3]}<FormDef OID="{_attr(form_oid(form.id))}" Name="{_attr(form.name)}" Repeating="{flag}">',
        f'{_IND[4]}<ItemGroupRef ItemGroupOID="{_attr(item_group_oid(form.id))}" Mandatory="Yes"/>',
        f"{_IND[3]}</FormDef>",
    ]


def _item_group_def(block: _FormBlock, *, repeating: bool) -> list[str]:
    form = block.form
    flag = "Yes" if repeating else "No"
    out = [
        f'{_IND[3]}<ItemGroupDef OID="{_attr(item_group_oid(form.id))}" Name="{_attr(form.name)}" '
        f'Repeating="{flag}">'
    ]
    for k, name in enumerate(block.items, start=1):
        mandatory = "Yes" if name in form.field_names and form.field(name).required else "No"
        out.append(
            f'{_IND[4]}<ItemRef ItemOID="{_attr(item_oid(form.id, name))}" OrderNumber="{k}" '
            f'Mandatory="{mandatory}"/>'
        )
    out.append(f"{_IND[3]}</ItemGroupDef>")
    return out


def _item_defs(block: _FormBlock) -> list[str]:
    """One ``ItemDef`` per item; spec fields carry their label as the ``Question``."""
    out = []
    form = block.form
    for name in block.items:
        spec = form.field(name) if name in form.field_names else None
        data_type = _DATA_TYPES.get(spec.type, "text") if spec else "text"
        oid = _attr(item_oid(form.id, name))
        head = f'{_IND[3]}<ItemDef OID="{oid}" Name="{_attr(name)}" DataType="{data_type}"'
        if spec is None:
            out.append(head + "/>")
            continue
        out += [
            head + ">",
            f"{_IND[4]}<Question>",
            f'{_IND[5]}<TranslatedText xml:lang="en">{_attr(spec.label)}</TranslatedText>',
            f"{_IND[4]}</Question>",
            f"{_IND[3]}</ItemDef>",
        ]
    return out


def _events(study: Study, blocks: list[_FormBlock]) -> dict[str, list[str]]:
    """Event OID -> form ids, scheduled visits first (in schedule order), then other folders as met."""
    seen: dict[str, list[str]] = {}
    for block in blocks:
        folders = [COMMON_EVENT] if block.folder is None else [*block.form.visits, *block.folder]
        for folder in dict.fromkeys(folders):
            seen.setdefault(folder, [])
            if block.form.id not in seen[folder]:
                seen[folder].append(block.form.id)
    scheduled = [visit.folder for visit in study.visits if visit.folder in seen]
    others = [oid for oid in seen if oid not in set(scheduled)]
    return {oid: seen[oid] for oid in [*scheduled, *others]}


def _creation_time(created: datetime | None) -> datetime:
    if created is not None:
        return created
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return DEFAULT_CREATED
    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (ValueError, OverflowError) as err:
        raise ValueError(
            f"`SOURCE_DATE_EPOCH` must be whole seconds since 1970 (got {epoch!r})"
        ) from err


def _attr(text: str) -> str:
    """``text`` escaped for an XML attribute value or element content."""
    for old, new in _ESCAPES:
        text = text.replace(old, new)
    return text
