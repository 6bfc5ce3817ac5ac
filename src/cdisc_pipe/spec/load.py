"""Load a study spec folder into a :class:`~cdisc_pipe.spec.model.Study`.

Loading happens in two passes, each reporting every problem it finds at once:

1. **shape** — each YAML file is checked against its JSON Schema (``cdisc_pipe/schema/*.schema.json``);
2. **references** — names that point elsewhere (codelists, visit folders, keys, anchors, epochs, elements)
   must resolve.

Any problem raises :class:`~cdisc_pipe.errors.SpecError` whose message lists each one as
``<file>: <key path>: <what> must be <expectation> (got <value>)`` with the closest valid name where one
exists, e.g. ``forms.yaml: forms[3].fields[2].codelist: 'SEXX' must name a codelist (got 'SEXX');
closest match: 'SEX'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from cdisc_pipe.errors import SpecError
from cdisc_pipe.spec.problems import closest, must_name, raise_if, read_yaml, schema_problems, unique
from cdisc_pipe.spec.model import (
    Anchors,
    Arm,
    Codelist,
    Criterion,
    Element,
    Epoch,
    Form,
    FormField,
    RawConventions,
    Study,
    Term,
    TrialSummaryParameter,
    Visit,
)

__all__ = ["load_spec", "SPEC_FILES"]

#: The files a spec folder must hold, each checked against the schema of the same stem.
SPEC_FILES = ("study.yaml", "forms.yaml", "codelists.yaml")


def load_spec(path: str | Path) -> Study:
    """Read and validate the spec in folder ``path``; raise SpecError listing every problem found."""
    root = Path(path)
    if not root.is_dir():
        raise SpecError(f"spec folder must be an existing directory (got '{root}')")
    documents = {name: read_yaml(root / name) for name in SPEC_FILES}
    problems = [p for name, doc in documents.items() for p in schema_problems(name, doc)]
    raise_if(problems, root)
    study = _build(root, documents)
    raise_if(list(_reference_problems(study)), root)
    return study


def _build(root: Path, documents: dict[str, Any]) -> Study:
    study_doc, forms_doc, cl_doc = (documents[n] for n in SPEC_FILES)
    meta = study_doc["study"]
    anchors = study_doc["anchors"]
    codelists = {
        c["id"]: Codelist(
            id=c["id"],
            name=c["name"],
            nci=c.get("nci"),
            extensible=c.get("extensible", False),
            data_type=c.get("data_type", "text"),
            terms=tuple(Term(**t) for t in c["terms"]),
        )
        for c in cl_doc["codelists"]
    }
    return Study(
        studyid=meta["studyid"],
        title=" ".join(meta["title"].split()),
        sponsor=meta["sponsor"],
        protocol=meta["protocol"],
        registry_id=meta["registry_id"],
        data_cutoff=meta.get("data_cutoff"),
        submission_timestamp=meta.get("submission_timestamp"),
        screen_fail_arm=meta.get("screen_fail_arm", "SCRNFAIL"),
        root=root.resolve(),
        raw=RawConventions(**study_doc.get("raw", {})),
        anchors=Anchors(
            screening_form=anchors["screening"]["form"],
            consent=(anchors["consent"]["form"], anchors["consent"]["field"]),
            enrolment=(anchors["enrolment"]["form"], anchors["enrolment"]["field"]),
        ),
        arms=tuple(Arm(**{**a, "elements": tuple(a.get("elements", ()))}) for a in study_doc["arms"]),
        elements=tuple(
            Element(**{k: v for k, v in e.items() if k != "start"},
                    start_from=(e.get("start") or {}).get("from"),
                    start_days=(e.get("start") or {}).get("days", 0),
                    start_after_visit=(e.get("start") or {}).get("after_visit"))
            for e in study_doc["elements"]
        ),
        epochs=tuple(Epoch(**e) for e in study_doc["epochs"]),
        visits=tuple(Visit(**{**v, "window": tuple(v["window"])}) for v in study_doc["visits"]),
        criteria=tuple(Criterion(**c) for c in study_doc["criteria"]),
        trial_summary=tuple(
            TrialSummaryParameter(code=t["code"], name=t["name"], values=tuple(t["values"]),
                                  value_code=t.get("value_code"), ref=t.get("ref"))
            for t in study_doc["trial_summary"]
        ),
        forms=tuple(_build_form(f) for f in forms_doc["forms"]),
        codelists=codelists,
        ct_version=cl_doc.get("ct_version"),
    )


def _build_form(doc: dict[str, Any]) -> Form:
    fields = tuple(
        FormField(**{**f, "visits": tuple(f["visits"]) if f.get("visits") else None}) for f in doc["fields"]
    )
    return Form(
        id=doc["id"],
        name=doc["name"],
        file=doc["file"],
        keys=tuple(doc["keys"]),
        fields=fields,
        visits=tuple(doc.get("visits", ())),
        date_field=doc.get("date_field"),
        enrolled_only=doc.get("enrolled_only", False),
        max_records_per_subject=doc.get("max_records_per_subject"),
    )


def _reference_problems(study: Study) -> Iterable[str]:
    """Cross-references inside the spec: every name used must be defined, every definition unique."""
    folders = study.folders
    form_ids = [f.id for f in study.forms]
    yield from (f"forms.yaml: {p}" for p in unique("form id", "forms", form_ids))
    yield from (f"forms.yaml: {p}" for p in unique("file", "forms", [f.file for f in study.forms]))
    yield from (f"study.yaml: {p}" for p in unique("folder", "visits", list(folders)))
    yield from (f"study.yaml: {p}" for p in unique("armcd", "arms", [a.armcd for a in study.arms]))
    yield from (f"study.yaml: {p}" for p in unique("arm code", "arms", [a.code for a in study.arms]))
    for cl_id, codelist in study.codelists.items():
        yield from (f"codelists.yaml: {p}" for p in unique("code", f"codelists[{cl_id}].terms", list(codelist.codes)))
    epochs = [e.name for e in study.epochs]
    for i, visit in enumerate(study.visits):
        yield from must_name(f"study.yaml: visits[{i}].epoch", "an epoch", visit.epoch, epochs)
    for i, element in enumerate(study.elements):
        yield from must_name(f"study.yaml: elements[{i}].epoch", "an epoch", element.epoch, epochs)
        if element.start_after_visit is not None:
            yield from must_name(f"study.yaml: elements[{i}].start.after_visit", "a visit folder",
                                 element.start_after_visit, folders)
    etcds = [e.etcd for e in study.elements]
    for i, arm in enumerate(study.arms):
        for j, etcd in enumerate(arm.elements):
            yield from must_name(f"study.yaml: arms[{i}].elements[{j}]", "an element", etcd, etcds)
    for i, form in enumerate(study.forms):
        yield from _form_problems(i, form, study, folders)
    yield from _anchor_problems(study)


def _form_problems(i: int, form: Form, study: Study, folders: tuple[str, ...]) -> Iterable[str]:
    where = f"forms.yaml: forms[{i}] ({form.id})"
    names = list(form.field_names)
    yield from (f"{where}: {p}" for p in unique("field name", "fields", names))
    for key in form.keys:
        yield from must_name(f"{where}.keys", "a field of the form", key, names)
    if form.date_field is not None:
        yield from must_name(f"{where}.date_field", "a field of the form", form.date_field, names)
        if form.date_field in names and form.field(form.date_field).type != "date":
            yield f"{where}.date_field: '{form.date_field}' must be a date field (got a non-date field)"
    for folder in form.visits:
        yield from must_name(f"{where}.visits", "a visit folder", folder, folders)
    raw = study.raw
    if form.visits and raw.folder not in names:
        yield f"{where}: a form with visits must have the folder field '{raw.folder}' (got none)"
    for name in (raw.subject,):
        if name not in names:
            yield f"{where}: every form must have the subject field '{name}' (got none)"
    for j, field in enumerate(form.fields):
        fwhere = f"{where}.fields[{j}] ({field.name})"
        if field.type == "coded" and not field.codelist:
            yield f"{fwhere}.codelist: a coded field must name a codelist (got none)"
        if field.codelist:
            yield from must_name(f"{fwhere}.codelist", "a codelist", field.codelist, study.codelists)
        if field.min is not None and field.max is not None and field.min > field.max:
            yield f"{fwhere}: min must be <= max (got min={field.min}, max={field.max})"
        if field.partial_dates and field.type != "date":
            yield f"{fwhere}.partial_dates: only date fields may allow partial dates (got type '{field.type}')"
        for folder in field.visits or ():
            yield from must_name(f"{fwhere}.visits", "a visit of the form", folder, form.visits)


def _anchor_problems(study: Study) -> Iterable[str]:
    forms = {f.id: f for f in study.forms}
    anchors = study.anchors
    yield from must_name("study.yaml: anchors.screening.form", "a form", anchors.screening_form, forms)
    for key, (form_id, field) in (("consent", anchors.consent), ("enrolment", anchors.enrolment)):
        yield from must_name(f"study.yaml: anchors.{key}.form", "a form", form_id, forms)
        if form_id in forms:
            yield from must_name(
                f"study.yaml: anchors.{key}.field", f"a field of form {form_id}", field, forms[form_id].field_names
            )
    enrol_form, enrol_field = anchors.enrolment
    if enrol_form in forms and enrol_field in forms[enrol_form].field_names:
        codelist = forms[enrol_form].field(enrol_field).codelist
        if codelist in study.codelists:
            arm_codes = sorted(a.code for a in study.arms)
            cl_codes = sorted(study.codelists[codelist].codes)
            if arm_codes != cl_codes:
                yield (
                    f"study.yaml: arms[].code must equal the codes of codelist {codelist} used by "
                    f"{enrol_form}.{enrol_field} (got arms {arm_codes}, codelist {cl_codes})"
                )
