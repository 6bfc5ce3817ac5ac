"""The define.xml context for one model (SDTM or ADaM), built from the spec and the datasets as written.

What goes where (docs/define-xml.md has the full table):

* datasets (ItemGroupDef): name, label, structure, class (SUPP-- are RELATIONSHIP; an ADaM BDS holding CNSR
  is sub-class TIME-TO-EVENT, an OCCDS built from AE is ADVERSE EVENT), keys from the written metadata,
  Repeating "No" when the keys are the subject alone or there is no USUBJID, reference data when there is
  no USUBJID, the .xpt as def:leaf;
* variables (ItemDef): the written label, type and length (:mod:`cdisc_pipe.export.define_values` turns
  them into Define-XML data types), the spec's codelist and origin; the spec's ``method`` text becomes a
  MethodDef for Derived variables and a CommentDef otherwise;
* codelists referenced by some item, with NCI codes, and sponsor terms of extensible CDISC lists marked
  ``def:ExtendedValue="Yes"``;
* value-level metadata (:mod:`cdisc_pipe.export.define_vlm`).

Nothing here reads the clock or the disk: the timestamp and the documents are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Mapping, Sequence

import pandas as pd

from cdisc_pipe.errors import Finding, Severity
from cdisc_pipe.export import define_vlm as vlm
from cdisc_pipe.export.define_model import (
    CodeList, Comment, DefineContext, ItemDef, ItemGroup, ItemRef, Leaf, Method, Origin, Standard, Term,
    ValueList, WhereClause,
)
from cdisc_pipe.export.define_values import iso_data_type, is_iso_variable, significant_digits
from cdisc_pipe.export.oids import cl_oid, ig_oid, it_oid, leaf_oid, mdv_oid, mt_oid, study_oid

if TYPE_CHECKING:
    from cdisc_pipe.export.metadata import VariableMetadata
    from cdisc_pipe.export.prepare import ExportDataset
    from cdisc_pipe.spec import Study

__all__ = ["Document", "build_define_context", "DEFINE_VERSION", "IMPLEMENTATION_GUIDES", "STYLESHEET"]

DEFINE_VERSION = "2.1.0"
STYLESHEET = "define2-1.xsl"
#: model -> (def:Standard Name, Version, ItemGroupDef Purpose)
IMPLEMENTATION_GUIDES = {"SDTM": ("SDTMIG", "3.4", "Tabulation"), "ADAM": ("ADaMIG", "1.3", "Analysis")}

#: SUPP-- variables (SDTMIG 3.4 section 8.4.1): role, mandatory, origin.
_SUPP = {
    "STUDYID": ("Identifier", True, "Protocol"), "RDOMAIN": ("Identifier", True, "Assigned"),
    "USUBJID": ("Identifier", True, "Assigned"), "IDVAR": ("Identifier", False, "Assigned"),
    "IDVARVAL": ("Identifier", False, "Assigned"), "QNAM": ("Topic", True, "Assigned"),
    "QLABEL": ("Synonym Qualifier", True, "Assigned"), "QVAL": ("Result Qualifier", True, "Assigned"),
    "QORIG": ("Record Qualifier", True, "Assigned"), "QEVAL": ("Record Qualifier", False, "Assigned"),
}
_SUPP_STRUCTURE = "One record per IDVAR, IDVARVAL, and QNAM value per subject"
#: ADaM verbs that impute, and the variables a step of theirs imputes (MethodDef Type "Imputation"):
#: a date allowed to impute missing parts, a datetime (a missing time is always imputed).
_IMPUTING_VERBS = {
    "derive_vars_dt": lambda args: [f"{args['new_vars_prefix']}DT"] if args.get("highest_imputation", "n") != "n"
    else [],
    "derive_vars_dtm": lambda args: [f"{args['new_vars_prefix']}DTM"],
}
_SOURCE = {"Collected": "Investigator", "Derived": "Sponsor", "Assigned": "Sponsor", "Protocol": "Sponsor"}


@dataclass(frozen=True)
class Document:
    """A document the define points at: ``kind`` "crf" (def:AnnotatedCRF) or "supplemental"
    (def:SupplementalDoc, e.g. the reviewer's guide); ``href`` relative to define.xml."""

    kind: str
    href: str
    title: str

    @property
    def leaf_id(self) -> str:
        stem = "".join(c if c.isalnum() else "_" for c in self.href.rsplit("/", 1)[-1].rsplit(".", 1)[0])
        return f"LF.{stem.upper()}"


@dataclass(frozen=True)
class _VarSpec:
    """What the spec says about one written variable (uniform over SDTM, SUPP-- and ADaM)."""

    origin: str
    mandatory: bool
    role: str | None = None
    codelist: str | None = None
    method: str | None = None
    predecessor: str | None = None
    format: str | None = None
    imputed: bool = False


def _finding(rule: str, message: str, *, dataset: str | None = None, variable: str | None = None,
             value: str | None = None, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(stage="export", rule=rule, severity=severity, message=message, dataset=dataset,
                   variable=variable, value=value)


class _Collector:
    """Definitions gathered while walking the datasets, each kept once, in first-use order."""

    def __init__(self, study: "Study", crf: Document | None) -> None:
        self.study, self.crf = study, crf
        self.items: dict[str, ItemDef] = {}
        self.methods: dict[str, Method] = {}
        self.comments: dict[str, Comment] = {}
        self.codelists: list[str] = []
        self.value_lists: list[ValueList] = []
        self.where_clauses: dict[str, WhereClause] = {}
        self.findings: list[Finding] = []

    def origin(self, spec: _VarSpec) -> Origin:
        if spec.origin == "Predecessor":
            return Origin("Predecessor", description=spec.predecessor or spec.method)
        document = self.crf.leaf_id if self.crf is not None and spec.origin == "Collected" else None
        return Origin(spec.origin, _SOURCE.get(spec.origin), document=document)

    def codelist(self, codelist: str | None) -> str | None:
        if codelist is None:
            return None
        if codelist not in self.codelists:
            self.codelists.append(codelist)
        return cl_oid(codelist)

    def method_or_comment(self, dataset: str, variable: str, spec: _VarSpec, *,
                          key: str | None = None) -> tuple[str | None, str | None]:
        """(MethodOID, CommentOID) for the spec's ``method`` text: a method for Derived, else a comment;
        a Predecessor's text is its origin description, not a comment."""
        text = spec.method
        if not text or spec.origin == "Predecessor":
            return None, None
        name = variable if key is None else f"{variable}.{key}"
        if spec.origin == "Derived":
            oid = mt_oid(dataset, name)
            kind = "Imputation" if spec.imputed else "Computation"
            self.methods.setdefault(oid, Method(oid, f"Algorithm for {dataset}.{name}", kind, text))
            return oid, None
        oid = f"COM.{dataset}.{name}"
        self.comments.setdefault(oid, Comment(oid, text))
        return None, oid

    def dataset_comment(self, dataset: str, text: str | None) -> str | None:
        if not text:
            return None
        oid = f"COM.{dataset}"
        self.comments.setdefault(oid, Comment(oid, text))
        return oid


def _data_type(meta: "VariableMetadata", column: pd.Series) -> tuple[str, int | None, int | None, str | None]:
    """(DataType, Length, SignificantDigits, DisplayFormat) of a written variable."""
    if meta.type == "Char":
        if is_iso_variable(meta.name):
            data_type = iso_data_type(column)
            if data_type != "text":
                return data_type, None, None, None
        return "text", meta.length, None, None
    if meta.data_type in ("date", "datetime"):  # ADaM SAS dates: numbers shown with their format
        return "integer", meta.length, None, meta.format
    if meta.data_type == "integer":
        return "integer", meta.length, None, meta.format
    return "float", meta.length, significant_digits(column), meta.format


def _sdtm_specs(dataset: "ExportDataset") -> dict[str, _VarSpec]:
    if dataset.spec is None:  # SUPP--
        return {name: _VarSpec(origin=o, mandatory=m, role=r) for name, (r, m, o) in _SUPP.items()}
    return {v.name: _VarSpec(origin=v.origin, mandatory=v.core == "Req", role=v.role, codelist=v.codelist,
                             method=v.method)
            for v in dataset.spec.main_variables}


def _adam_specs(dataset: "ExportDataset") -> dict[str, _VarSpec]:
    keys = {v.name for v in dataset.metadata.variables if v.key_sequence is not None}
    steps = (*dataset.spec.steps, *dataset.spec.final_steps)
    imputed = {name for step in steps if step.verb in _IMPUTING_VERBS for name in _IMPUTING_VERBS[step.verb](step.args)}
    return {v.name: _VarSpec(origin=v.origin, mandatory=v.name in keys, codelist=v.codelist, method=v.method,
                             predecessor=v.source, format=v.format, imputed=v.name in imputed)
            for v in dataset.spec.variables}


def _group_facts(dataset: "ExportDataset") -> dict:
    """Class, sub-class, structure, domain and the dataset comment of one dataset."""
    spec, names = dataset.spec, set(dataset.metadata.names)
    if dataset.model == "SDTM" and spec is None:
        parent = dataset.name[4:]
        qnams = ", ".join(vlm.first_values(dataset.frame, "QNAM"))
        return {"class_name": "RELATIONSHIP", "subclass": None, "structure": _SUPP_STRUCTURE, "domain": parent,
                "comment": f"Supplemental qualifiers of {parent}: {qnams}" if qnams else None}
    if dataset.model == "SDTM":
        source = spec.source
        forms = [p.source.form for p in source.parts] if source.kind == "stack" else [source.form]
        forms += [t["form"] for t in vlm.melt_tests(spec) if "form" in t]
        forms = list(dict.fromkeys(f for f in forms if f))
        comment = f"Source: CRF form{'s' if len(forms) > 1 else ''} {', '.join(forms)}" if forms else None
        return {"class_name": spec.domain_class, "subclass": None, "structure": spec.structure,
                "domain": spec.name, "comment": comment}
    subclass = None
    if spec.adam_class == "BASIC DATA STRUCTURE" and "CNSR" in names:
        subclass = "TIME-TO-EVENT"
    elif spec.adam_class == "OCCURRENCE DATA STRUCTURE" and spec.source.dataset == "AE":
        subclass = "ADVERSE EVENT"
    where = f" where {spec.source.filter}" if spec.source.filter else ""
    return {"class_name": spec.adam_class, "subclass": subclass, "structure": spec.structure, "domain": None,
            "comment": f"Source: {spec.source.dataset} records{where}"}


def _value_levels(dataset: "ExportDataset", specs: dict[str, _VarSpec], collect: _Collector,
                  datasets: Mapping[str, "ExportDataset"]) -> dict[str, vlm.ValueLevel]:
    """Variable name -> its value-level metadata (see :mod:`define_vlm` for which variables get one)."""
    name, frame, meta = dataset.name, dataset.frame, dataset.metadata
    names = set(meta.names)
    plans: list[tuple[str, str, list[vlm.Slice]]] = []

    def parent_slice(variable: str, value: str, label: str | None, **extra) -> vlm.Slice:
        spec = specs[variable]
        method, comment = collect.method_or_comment(name, variable, spec)
        return vlm.Slice(value, label, collect.origin(spec), method_oid=method, comment_oid=comment, **extra)

    if dataset.model == "SDTM" and dataset.spec is None and {"QNAM", "QVAL"} <= names:
        parent = datasets.get(name[4:])
        supp = {v.name: v for v in parent.spec.supp_variables} if parent is not None and parent.spec else {}
        slices = []
        for qnam in vlm.first_values(frame, "QNAM"):
            variable = supp.get(qnam)
            if variable is None:
                slices.append(vlm.Slice(qnam, None, None, mandatory=True))
                continue
            spec = _VarSpec(origin=variable.origin, mandatory=True, codelist=variable.codelist,
                            method=variable.method)
            method, comment = collect.method_or_comment(name, "QVAL", spec, key=qnam)
            slices.append(vlm.Slice(qnam, variable.label, collect.origin(spec), collect.codelist(variable.codelist),
                                    method, comment, mandatory=True, iso=is_iso_variable(qnam)))
        plans.append(("QVAL", "QNAM", slices))
    elif dataset.model == "SDTM" and dataset.spec is not None:
        testcd = f"{name}TESTCD"
        tests = vlm.melt_tests(dataset.spec)
        if tests and testcd in names:
            by_code: dict[str, Mapping] = {}
            for test in tests:
                by_code.setdefault(str(test["TESTCD"]), test)
            for suffix, unit in (("ORRES", "ORRESU"), ("STRESN", "STRESU")):
                variable = f"{name}{suffix}"
                if variable not in names:
                    continue
                slices = []
                for code, test in by_code.items():
                    label = str(test.get("TEST") or code) + (f" ({test[unit]})" if test.get(unit) else "")
                    codelist = _test_codelist(collect.study, dataset.spec, test) if suffix == "STRESN" else None
                    slices.append(parent_slice(variable, code, label, codelist_oid=collect.codelist(codelist)))
                plans.append((variable, testcd, slices))
    elif dataset.model == "ADAM" and "PARAMCD" in names:
        params = vlm.first_values(frame, "PARAMCD", "PARAM" if "PARAM" in names else None)
        for variable in ("AVAL", "AVALC"):
            if variable in names and variable in specs:
                plans.append((variable, "PARAMCD", [parent_slice(variable, code, label or None)
                                                    for code, label in params.items()]))
    out = {}
    for variable, by, slices in plans:
        level = vlm.build_value_level(name, variable=variable, by=by, frame=frame, slices=slices,
                                      numeric=meta.variable(variable).type == "Num")
        if level is not None:
            out[variable] = level
    return out


def _test_codelist(study: "Study", domain, test: Mapping) -> str | None:
    """The codelist of the CRF field a melted test reads, when its values are numeric codes (a
    questionnaire item's response scale): it then describes ``--STRESN``."""
    form_id = test.get("form") or domain.source.form
    if form_id is None:
        return None
    try:
        field = study.form(form_id).field(test["field"])
    except KeyError:
        return None
    if field.codelist and study.codelists[field.codelist].data_type == "integer":
        return field.codelist
    return None


def _item_group(dataset: "ExportDataset", datasets: Mapping[str, "ExportDataset"], collect: _Collector,
                standard_oid: str) -> ItemGroup:
    name, frame, meta = dataset.name, dataset.frame, dataset.metadata
    specs = _sdtm_specs(dataset) if dataset.model == "SDTM" else _adam_specs(dataset)
    levels = _value_levels(dataset, specs, collect, datasets)
    refs = []
    for order, var in enumerate(meta.variables, start=1):
        spec = specs.get(var.name) or _VarSpec(origin="Derived", mandatory=False)
        method, comment = collect.method_or_comment(name, var.name, spec)
        data_type, length, digits, display = _data_type(var, frame[var.name])
        level = levels.get(var.name)
        item = ItemDef(oid=it_oid(name, var.name), name=var.name, data_type=data_type, label=var.label,
                       length=length, significant_digits=digits, display_format=display,
                       codelist_oid=collect.codelist(spec.codelist), origin=collect.origin(spec),
                       comment_oid=comment, value_list_oid=level.value_list.oid if level else None)
        collect.items[item.oid] = item
        refs.append(ItemRef(item.oid, order, spec.mandatory, var.key_sequence,
                            spec.role if dataset.model == "SDTM" else None, method))
    for level in levels.values():
        collect.value_lists.append(level.value_list)
        collect.items.update({i.oid: i for i in level.items})
        collect.where_clauses.update({w.oid: w for w in level.where_clauses})
    facts = _group_facts(dataset)
    keys = [v.name for v in sorted((v for v in meta.variables if v.key_sequence), key=lambda v: v.key_sequence)]
    subject_level = "USUBJID" not in meta.names or keys in (["USUBJID"], ["STUDYID", "USUBJID"])
    return ItemGroup(oid=ig_oid(name), name=name, label=meta.label, structure=facts["structure"],
                     class_name=facts["class_name"], subclass=facts["subclass"],
                     purpose=IMPLEMENTATION_GUIDES[dataset.model][2], repeating=not subject_level,
                     reference_data="USUBJID" not in meta.names, standard_oid=standard_oid,
                     leaf=Leaf(leaf_oid(name), f"{name.lower()}.xpt", f"{name.lower()}.xpt"),
                     refs=tuple(refs), domain=facts["domain"],
                     comment_oid=collect.dataset_comment(name, facts["comment"]))


def _codelists(collect: _Collector, ct_oid: str | None) -> tuple[CodeList, ...]:
    out = []
    for codelist_id in sorted(collect.codelists):
        codelist = collect.study.codelists[codelist_id]
        terms, seen = [], set()
        for term in codelist.terms:
            if term.submission in seen:
                continue
            seen.add(term.submission)
            sponsor_term = codelist.nci is not None and term.nci is None
            if sponsor_term and not codelist.extensible:
                collect.findings.append(_finding(
                    "DEFINE-CT-NONEXTENSIBLE",
                    f"codelist '{codelist_id}' ({codelist.nci}) is not extensible, so term '{term.submission}' must "
                    f"carry an NCI code (got none)", value=term.submission))
            terms.append(Term(term.submission, len(terms) + 1, term.decode, term.nci,
                              extended=sponsor_term and codelist.extensible))
        out.append(CodeList(cl_oid(codelist_id), codelist.name, codelist.data_type, tuple(terms),
                            decoded=any(t.decode for t in codelist.terms), nci=codelist.nci,
                            standard_oid=ct_oid if codelist.nci else None))
    return tuple(out)


def _drop_unused(collect: _Collector, groups: tuple[ItemGroup, ...]) -> None:
    """Forget the codelists, methods and comments registered for value-level entries that had no data."""
    refs = [r for g in groups for r in g.refs] + [r for v in collect.value_lists for r in v.refs]
    codelists = {i.codelist_oid for i in collect.items.values()}
    methods = {r.method_oid for r in refs}
    comments = {i.comment_oid for i in collect.items.values()} | {g.comment_oid for g in groups}
    collect.codelists = [c for c in collect.codelists if cl_oid(c) in codelists]
    collect.methods = {oid: m for oid, m in collect.methods.items() if oid in methods}
    collect.comments = {oid: c for oid, c in collect.comments.items() if oid in comments}


def _ig_version(study: "Study", model: str) -> str:
    name, version, _ = IMPLEMENTATION_GUIDES[model]
    if model == "SDTM":
        declared = [p.values[0] for p in study.trial_summary if p.code == "SDTIGVER" and p.values]
        return declared[0] if declared else version
    return version


def build_define_context(datasets: Mapping[str, "ExportDataset"], *, model: str, study: "Study",
                         timestamp: datetime, documents: Sequence[Document] = (),
                         source_system: tuple[str, str] = ("cdisc_pipe", "")) -> DefineContext:
    """The define.xml of ``model`` ("SDTM" or "ADAM") for ``datasets`` (those of other models are ignored),
    created at ``timestamp``, pointing at ``documents`` (aCRF, reviewer's guide) when there are any."""
    if model not in IMPLEMENTATION_GUIDES:
        raise ValueError(f"model must be one of {sorted(IMPLEMENTATION_GUIDES)} (got {model!r})")
    chosen = {n: d for n, d in datasets.items() if d.model == model}
    crf = next((d for d in documents if d.kind == "crf"), None)
    collect = _Collector(study, crf)
    ig_name, _, _ = IMPLEMENTATION_GUIDES[model]
    ig_version = _ig_version(study, model)
    ig = Standard(f"STD.{ig_name}.{ig_version}", ig_name, "IG", ig_version)
    groups = tuple(_item_group(d, chosen, collect, ig.oid) for d in chosen.values())
    _drop_unused(collect, groups)
    standards = [ig]
    ct_oid = None
    if any(study.codelists[c].nci for c in collect.codelists):
        if study.ct_version:
            ct_oid = f"STD.CT.SDTM.{study.ct_version}"
            standards.append(Standard(ct_oid, "CDISC/NCI", "CT", study.ct_version, publishing_set="SDTM"))
        else:
            collect.findings.append(_finding("DEFINE-CT-VERSION", "codelists.yaml: ct_version must name the CDISC "
                                             "CT release the NCI codes come from (got none)"))
    codelists = _codelists(collect, ct_oid)
    stamp = timestamp.isoformat(timespec="seconds")
    leaves = tuple(Leaf(d.leaf_id, d.href, d.title) for d in documents)
    return DefineContext(
        file_oid=f"DEFINE.{study.studyid}.{model}.{timestamp.strftime('%Y%m%dT%H%M%S')}", created=stamp,
        originator=study.sponsor, source_system=source_system[0], source_system_version=source_system[1],
        stylesheet=STYLESHEET, study_oid=study_oid(study.studyid), study_name=study.studyid,
        study_description=study.title, protocol_name=study.protocol, mdv_oid=mdv_oid(study.studyid, model),
        mdv_name=f"Study {study.studyid}, {'SDTM' if model == 'SDTM' else 'ADaM'} Data Definitions",
        define_version=DEFINE_VERSION, standards=tuple(standards),
        annotated_crf=tuple(d.leaf_id for d in documents if d.kind == "crf"),
        supplemental_docs=tuple(d.leaf_id for d in documents if d.kind == "supplemental"),
        value_lists=tuple(collect.value_lists), where_clauses=tuple(collect.where_clauses.values()),
        item_groups=groups, items=tuple(collect.items.values()), codelists=codelists,
        methods=tuple(collect.methods.values()), comments=tuple(collect.comments.values()), leaves=leaves,
        findings=tuple(collect.findings),
    )
