"""The define.xml context: what the jinja2 template renders, as frozen dataclasses.

One record type per Define-XML 2.1 element the template writes; every text in them comes from the spec or
the data and is escaped by the template (jinja2 autoescape), never here. Built by
:func:`cdisc_pipe.export.define_context.build_define_context`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdisc_pipe.errors import Finding

__all__ = ["Standard", "Leaf", "Origin", "ItemRef", "ItemDef", "ItemGroup", "Term", "CodeList", "RangeCheck",
           "WhereClause", "ValueList", "Method", "Comment", "DefineContext"]


@dataclass(frozen=True)
class Standard:
    """A def:Standard: an implementation guide (``type`` IG) or a CT package (``type`` CT)."""

    oid: str
    name: str
    type: str
    version: str
    publishing_set: str | None = None
    status: str = "Final"


@dataclass(frozen=True)
class Leaf:
    """A def:leaf: a file the define points at (a dataset's .xpt, an aCRF or reviewer's guide PDF)."""

    id: str
    href: str
    title: str


@dataclass(frozen=True)
class Origin:
    """def:Origin: ``type`` Collected/Derived/Assigned/Protocol/Predecessor/Not Available; ``source``
    Investigator/Sponsor/Subject/Vendor where Define-XML 2.1 asks for one; ``description`` the predecessor
    (``DM.AGE``); ``document`` the leaf id of the aCRF for collected items when there is one."""

    type: str
    source: str | None = None
    description: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class ItemRef:
    item_oid: str
    order: int
    mandatory: bool
    key_sequence: int | None = None
    role: str | None = None
    method_oid: str | None = None
    where_clause_oid: str | None = None


@dataclass(frozen=True)
class ItemDef:
    """An ItemDef (a variable, or a value-level item when ``where`` is set)."""

    oid: str
    name: str
    data_type: str
    label: str | None
    length: int | None = None
    significant_digits: int | None = None
    display_format: str | None = None
    codelist_oid: str | None = None
    origin: Origin | None = None
    comment_oid: str | None = None
    value_list_oid: str | None = None


@dataclass(frozen=True)
class ItemGroup:
    """An ItemGroupDef (one dataset)."""

    oid: str
    name: str
    label: str
    structure: str
    class_name: str
    purpose: str
    repeating: bool
    reference_data: bool
    standard_oid: str
    leaf: Leaf
    refs: tuple[ItemRef, ...]
    domain: str | None = None
    subclass: str | None = None
    comment_oid: str | None = None


@dataclass(frozen=True)
class Term:
    coded_value: str
    order: int
    decode: str | None = None
    nci: str | None = None
    extended: bool = False


@dataclass(frozen=True)
class CodeList:
    """A CodeList; ``decoded`` chooses CodeListItem (with Decode) over EnumeratedItem."""

    oid: str
    name: str
    data_type: str
    terms: tuple[Term, ...]
    decoded: bool
    nci: str | None = None
    standard_oid: str | None = None


@dataclass(frozen=True)
class RangeCheck:
    comparator: str
    item_oid: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class WhereClause:
    oid: str
    checks: tuple[RangeCheck, ...]


@dataclass(frozen=True)
class ValueList:
    oid: str
    refs: tuple[ItemRef, ...]


@dataclass(frozen=True)
class Method:
    oid: str
    name: str
    type: str
    text: str


@dataclass(frozen=True)
class Comment:
    oid: str
    text: str


@dataclass(frozen=True)
class DefineContext:
    """Everything one define.xml holds, in document order. ``findings``: problems met while building it
    (a sponsor term in a non-extensible CDISC codelist...), reported by the export stage."""

    file_oid: str
    created: str
    originator: str
    source_system: str
    source_system_version: str
    stylesheet: str | None
    study_oid: str
    study_name: str
    study_description: str
    protocol_name: str
    mdv_oid: str
    mdv_name: str
    define_version: str
    standards: tuple[Standard, ...]
    annotated_crf: tuple[str, ...]
    supplemental_docs: tuple[str, ...]
    value_lists: tuple[ValueList, ...]
    where_clauses: tuple[WhereClause, ...]
    item_groups: tuple[ItemGroup, ...]
    items: tuple[ItemDef, ...]
    codelists: tuple[CodeList, ...]
    methods: tuple[Method, ...]
    comments: tuple[Comment, ...]
    leaves: tuple[Leaf, ...]
    findings: tuple[Finding, ...] = field(default=(), compare=False)
