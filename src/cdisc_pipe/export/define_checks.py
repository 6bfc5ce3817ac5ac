"""Checks of a define.xml, each returning a Report of Findings with a stable DEFINE-* rule id.

They read the XML itself (not the context it was rendered from), so they check what a reviewer receives,
and work on any Define-XML 2.1 file:

* :func:`validate_define_schema` — valid against the official Define-XML 2.1 XSD (DEFINE-SCHEMA);
* :func:`validate_define_oids` — every OID referenced is defined, every definition is used, none twice
  (DEFINE-OID-UNDEFINED, DEFINE-OID-UNUSED, DEFINE-OID-DUPLICATE);
* :func:`validate_define_content` — Derived items have a method, codelists match their items' data type,
  sponsor terms of CDISC codelists are marked extended (DEFINE-METHOD-MISSING, DEFINE-CODELIST-TYPE,
  DEFINE-CT-EXTENDED-UNMARKED);
* :func:`validate_define_data` (in :mod:`define_data_checks`) — define matches the datasets.

:func:`validate_define` runs them all.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

from defusedxml import ElementTree

from cdisc_pipe.errors import Report, Severity
from cdisc_pipe.export.define_data_checks import NS, finding, parse_define, validate_define_data

__all__ = ["define_schema_path", "validate_define", "validate_define_schema", "validate_define_oids",
           "validate_define_content", "validate_define_data"]

ODM, DEF = NS["odm"], NS["def"]

#: (defining element, its id attribute) per OID kind, and (referencing element or None for any, attribute, kind).
_DEFINITIONS = {
    "ItemGroupDef": (f"{{{ODM}}}ItemGroupDef", "OID"),
    "ItemDef": (f"{{{ODM}}}ItemDef", "OID"),
    "CodeList": (f"{{{ODM}}}CodeList", "OID"),
    "MethodDef": (f"{{{ODM}}}MethodDef", "OID"),
    "def:CommentDef": (f"{{{DEF}}}CommentDef", "OID"),
    "def:ValueListDef": (f"{{{DEF}}}ValueListDef", "OID"),
    "def:WhereClauseDef": (f"{{{DEF}}}WhereClauseDef", "OID"),
    "def:leaf": (f"{{{DEF}}}leaf", "ID"),
    "def:Standard": (f"{{{DEF}}}Standard", "OID"),
}
_REFERENCES = (
    (f"{{{ODM}}}ItemRef", "ItemOID", "ItemDef"),
    (f"{{{ODM}}}ItemRef", "MethodOID", "MethodDef"),
    (f"{{{ODM}}}CodeListRef", "CodeListOID", "CodeList"),
    (f"{{{DEF}}}ValueListRef", "ValueListOID", "def:ValueListDef"),
    (f"{{{DEF}}}WhereClauseRef", "WhereClauseOID", "def:WhereClauseDef"),
    (f"{{{ODM}}}RangeCheck", f"{{{DEF}}}ItemOID", "ItemDef"),
    (None, f"{{{DEF}}}CommentOID", "def:CommentDef"),
    (f"{{{DEF}}}DocumentRef", "leafID", "def:leaf"),
    (f"{{{ODM}}}ItemGroupDef", f"{{{DEF}}}ArchiveLocationID", "def:leaf"),
    (None, f"{{{DEF}}}StandardOID", "def:Standard"),
)
#: References that do not count as a use (a where clause naming an item does not put it in a dataset).
_NOT_A_USE = {(f"{{{ODM}}}RangeCheck", f"{{{DEF}}}ItemOID")}


def define_schema_path() -> Path | None:
    """The Define-XML 2.1 XSD: odmlib's copy when odmlib is installed, else the CDISC 2.1.10 package in
    ``../shared/reference`` beside the checkout; None when neither is there."""
    try:
        packaged = Path(str(resources.files("odmlib") / "schemas" / "define" / "2.1" / "define2-1-0.xsd"))
    except ModuleNotFoundError:
        packaged = None
    if packaged is not None and packaged.is_file():
        return packaged
    from cdisc_pipe.errors import SpecError
    from cdisc_pipe.paths import project_root

    try:
        root = project_root()
    except SpecError:  # installed without a checkout: no ../shared either
        return None
    shared = (root.parent / "shared" / "reference" / "schemas" / "define-xml-2.1" / "schema" / "cdisc-define-2.1"
              / "define2-1-0.xsd")
    return shared if shared.is_file() else None


@functools.lru_cache(maxsize=4)
def _schema(path: str):
    import xmlschema

    return xmlschema.XMLSchema(path)


def validate_define_schema(define_xml: str | bytes, *, schema: Path | None = None) -> Report:
    """Schema errors of ``define_xml`` (DEFINE-SCHEMA, one finding per error); a DEFINE-SCHEMA-UNAVAILABLE
    warning when no schema can be found (install odmlib)."""
    path = schema or define_schema_path()
    if path is None:
        return Report([finding("DEFINE-SCHEMA-UNAVAILABLE", "define.xml was not checked against the Define-XML 2.1 "
                               "schema: odmlib must be installed (or ../shared/reference present) (got neither)",
                               severity=Severity.WARNING)])
    root = parse_define(define_xml)
    report = Report()
    for error in _schema(str(path)).iter_errors(root):
        report.add(finding("DEFINE-SCHEMA", f"define.xml must be valid against {Path(path).name} "
                           f"(got: {error.reason} at {error.path})", value=_short(error.obj)))
    return report


def _short(obj) -> str | None:
    if obj is None:
        return None
    if hasattr(obj, "tag"):
        return f"<{str(obj.tag).split('}')[-1]} {' '.join(f'{k}={v!r}' for k, v in list(obj.attrib.items())[:3])}>"
    return str(obj)[:200]


def _definitions(root) -> dict[str, dict[str, int]]:
    """kind -> OID -> how many times it is defined."""
    out: dict[str, dict[str, int]] = {}
    for kind, (tag, attr) in _DEFINITIONS.items():
        counts: dict[str, int] = {}
        for element in root.iter(tag):
            oid = element.get(attr)
            if oid is not None:
                counts[oid] = counts.get(oid, 0) + 1
        out[kind] = counts
    return out


def _references(root) -> Iterable[tuple[str, str, str, str, bool]]:
    """(kind, OID, referencing element, attribute, counts as a use) for every reference in the file."""
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        for ref_tag, attr, kind in _REFERENCES:
            if ref_tag is not None and tag != ref_tag:
                continue
            oid = element.get(attr)
            if oid is not None:
                local = tag.split("}")[-1]
                yield kind, oid, local, attr.split("}")[-1], (ref_tag, attr) not in _NOT_A_USE


def validate_define_oids(define_xml: str | bytes) -> Report:
    """Every OID referenced is defined (error), every definition is referenced (warning), no OID is defined
    twice (error)."""
    root = parse_define(define_xml)
    defined = _definitions(root)
    report = Report()
    used: dict[str, set[str]] = {kind: set() for kind in defined}
    for kind, oid, tag, attr, is_use in _references(root):
        if is_use:
            used[kind].add(oid)
        if oid not in defined[kind]:
            report.add(finding("DEFINE-OID-UNDEFINED", f"{tag}/@{attr} must name a defined {kind} (got '{oid}', "
                               f"which no {kind} defines)", value=oid, expected=kind))
    for kind, counts in defined.items():
        for oid, count in counts.items():
            if count > 1:
                report.add(finding("DEFINE-OID-DUPLICATE", f"{kind} OID '{oid}' must be defined once "
                                   f"(got {count} definitions)", value=oid))
            if oid not in used[kind] and kind != "ItemGroupDef":  # datasets are top-level in a define
                report.add(finding("DEFINE-OID-UNUSED", f"{kind} '{oid}' must be referenced somewhere (got no "
                                   f"reference to it)", value=oid, severity=Severity.WARNING))
    return report


def _text(element, path: str) -> str | None:
    found = element.find(path, NS)
    return None if found is None else (found.text or "")


def validate_define_content(define_xml: str | bytes) -> Report:
    """Derived items without a method (warning), codelists whose DataType differs from an item using them
    (error), sponsor terms of a CDISC codelist not marked ``def:ExtendedValue="Yes"`` (warning)."""
    root = parse_define(define_xml)
    mdv = root.find("odm:Study/odm:MetaDataVersion", NS)
    report = Report()
    if mdv is None:
        return Report([finding("DEFINE-SCHEMA", "define.xml must hold ODM/Study/MetaDataVersion (got none)")])
    methods: dict[str, bool] = {}
    for ref in mdv.iter(f"{{{ODM}}}ItemRef"):
        methods[ref.get("ItemOID")] = methods.get(ref.get("ItemOID"), False) or ref.get("MethodOID") is not None
    codelists = {c.get("OID"): c for c in mdv.findall("odm:CodeList", NS)}
    for item in mdv.findall("odm:ItemDef", NS):
        oid, name = item.get("OID"), item.get("Name")
        origin = item.find("def:Origin", NS)
        if origin is not None and origin.get("Type") == "Derived" and not methods.get(oid, False):
            report.add(finding("DEFINE-METHOD-MISSING", f"{oid}: a Derived item must have a MethodOID on its ItemRef "
                               f"(got none; add a 'method' text to the spec)", variable=name,
                               severity=Severity.WARNING))
        ref = item.find("odm:CodeListRef", NS)
        codelist = codelists.get(ref.get("CodeListOID")) if ref is not None else None
        if codelist is not None and codelist.get("DataType") != item.get("DataType"):
            report.add(finding("DEFINE-CODELIST-TYPE", f"{oid}: codelist {codelist.get('OID')} must have the item's "
                               f"DataType {item.get('DataType')} (got {codelist.get('DataType')})", variable=name,
                               value=codelist.get("DataType"), expected=item.get("DataType")))
    for codelist in codelists.values():
        if not any(a.get("Context") == "nci:ExtCodeID" for a in codelist.findall("odm:Alias", NS)):
            continue
        for term in [*codelist.findall("odm:CodeListItem", NS), *codelist.findall("odm:EnumeratedItem", NS)]:
            has_code = any(a.get("Context") == "nci:ExtCodeID" for a in term.findall("odm:Alias", NS))
            if not has_code and term.get(f"{{{DEF}}}ExtendedValue") != "Yes":
                report.add(finding("DEFINE-CT-EXTENDED-UNMARKED", f"{codelist.get('OID')}: term "
                                   f"'{term.get('CodedValue')}' has no NCI code, so it must be marked "
                                   f"def:ExtendedValue=\"Yes\" (got no mark)", value=term.get("CodedValue"),
                                   severity=Severity.WARNING))
    return report


def validate_define(define_xml: str | bytes, *, datasets: Mapping | None = None,
                    schema: Path | None = None) -> Report:
    """Every check: schema, OIDs, content and, when ``datasets`` (name -> (frame, DatasetMetadata)) are
    given, define-vs-data."""
    try:
        parse_define(define_xml)
    except ElementTree.ParseError as err:
        return Report([finding("DEFINE-SCHEMA", f"define.xml must be well-formed XML (got: {err})")])
    report = validate_define_schema(define_xml, schema=schema)
    report = report.merge(validate_define_oids(define_xml)).merge(validate_define_content(define_xml))
    if datasets is not None:
        report = report.merge(validate_define_data(define_xml, datasets))
    return report

