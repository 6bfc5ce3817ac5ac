"""Load ``specs/<study>/sdtm/*.yaml``: one SDTM domain per file, checked like the rest of the spec.

Besides the JSON Schema (``sdtm-domain.schema.json``) each domain is checked for references: every algorithm
is registered and has the arguments it needs; raw fields named by ``field``/``date``/``time`` arguments exist
in the source form; codelists exist; keys and sort order name variables of the domain; melted tests and
``where`` filters name fields of the form (a test may name its own form). A ``stack`` domain is checked part
by part, each part's variable overrides against that part's form.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from cdisc_pipe.errors import SpecError
from cdisc_pipe.spec.model import Form, Study
from cdisc_pipe.spec.problems import must_name, raise_if, read_yaml, schema_problems, unique
from cdisc_pipe.spec.sdtm_model import Domain, Part, SdtmVariable, Source

__all__ = ["load_sdtm_spec"]

#: Algorithm arguments that name a raw field of the domain's source form.
FIELD_ARGS = ("field", "date", "time", "code_field")


def load_sdtm_spec(study: Study) -> dict[str, Domain]:
    """Every domain in ``<study root>/sdtm/``, keyed by domain name, in file-name order."""
    folder = study.root / "sdtm"
    if not folder.is_dir():
        raise SpecError(f"sdtm/: the SDTM spec folder must exist in {study.root} (got nothing at '{folder}')")
    files = sorted(folder.glob("*.yaml"))
    documents = {f"sdtm/{path.name}": read_yaml(path) for path in files}
    problems = [p for name, doc in documents.items() for p in schema_problems(name, doc, "sdtm-domain")]
    raise_if(problems, folder)
    domains = [_build(name, doc) for name, doc in documents.items()]
    problems = list(unique("domain", "sdtm", [d.name for d in domains]))
    problems += [p for d in domains for p in _domain_problems(d, study)]
    raise_if(problems, folder)
    return {d.name: d for d in domains}


def _build(file: str, doc: dict[str, Any]) -> Domain:
    source = doc["source"]
    variables = tuple(
        SdtmVariable(
            name=v["name"], label=v["label"], type=v["type"], algorithm=v["algorithm"],
            args=MappingProxyType(dict(v.get("args") or {})), role=v.get("role"), core=v.get("core", "Perm"),
            origin=v.get("origin", "Derived"), codelist=v.get("codelist"), supp=v.get("supp", False),
            method=v.get("method"),
        )
        for v in doc["variables"]
    )
    parts = tuple(
        Part(source=_source({"kind": "form", **part}),
             variables=MappingProxyType({name: MappingProxyType(dict(o)) for name, o in
                                         (part.get("variables") or {}).items()}))
        for part in source.get("parts", ())
    )
    return Domain(
        name=doc["domain"], label=doc["label"], domain_class=doc["class"], structure=doc["structure"],
        keys=tuple(doc["keys"]), order=tuple(doc.get("order", ())), variables=variables, file=file,
        source=replace(_source(source), parts=parts),
    )


def _source(source: Mapping[str, Any]) -> Source:
    return Source(
        kind=source["kind"], form=source.get("form"),
        where=MappingProxyType(dict(source.get("where") or {})),
        tests=tuple(MappingProxyType(dict(t)) for t in source.get("tests", ())),
        drop_missing=source.get("drop_missing", True),
    )


def _field_problems(variable: SdtmVariable, where: str, form: Form | None, study: Study) -> Iterable[str]:
    """Raw fields named by the algorithm's arguments must exist: in the form named by a ``form`` argument,
    in each ``sources`` entry's form, or else in the domain's source form."""
    forms = {f.id: f for f in study.forms}
    targets: list[tuple[str, Mapping[str, Any]]] = []
    if variable.arg("form") is not None:
        yield from must_name(f"{where}.args.form", "a form", variable.arg("form"), forms)
        if variable.arg("form") in forms:
            targets.append((f"{where}.args", variable.args))
    elif form is not None:
        targets.append((f"{where}.args", variable.args))
    for i, source in enumerate(variable.arg("sources") or ()):
        swhere = f"{where}.args.sources[{i}]"
        if not isinstance(source, Mapping) or "form" not in source:
            yield f"{swhere}: must be a mapping with a 'form' key (got {source!r})"
            continue
        yield from must_name(f"{swhere}.form", "a form", source["form"], forms)
        if source["form"] in forms:
            targets.append((swhere, source))
    for twhere, args in targets:
        owner = forms[args["form"]] if "form" in args else form
        for arg in FIELD_ARGS:
            value = args.get(arg)
            if value is None:
                continue
            yield from must_name(f"{twhere}.{arg}", f"a field of form {owner.id}", value, owner.field_names)
            if value in owner.field_names and owner.field(value).identifier:
                yield (f"{twhere}.{arg}: '{owner.id}.{value}' is a direct identifier and must never reach SDTM "
                       f"(got it as the source of {variable.name})")


def _identifier_problems(domain: Domain, study: Study, *, where: str, source_where: str) -> Iterable[str]:
    """No melted test and no raw-field argument may name a direct identifier of the forms the domain reads."""
    form_ids = {f.id for f in study.forms}
    read = {domain.source.form, *(t.get("form") for t in domain.source.tests)} & form_ids
    identifiers = {f.name: form_id for form_id in read for f in study.form(form_id).fields if f.identifier}
    for i, test in enumerate(domain.source.tests):
        if test["field"] in identifiers:
            yield (f"{source_where}.tests[{i}].field: '{identifiers[test['field']]}.{test['field']}' is a direct "
                   f"identifier and must never reach SDTM (got it as a melted test)")
    for i, variable in enumerate(domain.variables):
        for arg in (*FIELD_ARGS, "variable"):
            value = variable.arg(arg)
            if isinstance(value, str) and value in identifiers:
                yield (f"{where}: variables[{i}] ({variable.name}).args.{arg}: '{identifiers[value]}.{value}' is a "
                       f"direct identifier and must never reach SDTM (got it as the source of {variable.name})")


def _domain_problems(domain: Domain, study: Study) -> Iterable[str]:
    where = f"{domain.file}"
    names = [v.name for v in domain.variables]
    yield from (f"{where}: {p}" for p in unique("variable", "variables", names))
    for key in domain.keys:
        yield from must_name(f"{where}: keys", "a variable of the domain", key, names)
    for key in domain.order:
        yield from must_name(f"{where}: order", "a variable of the domain", key, names)
    for i, variable in enumerate(domain.variables):
        if variable.codelist:
            yield from must_name(f"{where}: variables[{i}] ({variable.name}).codelist", "a codelist",
                                 variable.codelist, study.codelists)
    if domain.source.kind != "stack":
        if domain.source.parts:
            yield f"{where}: source.parts must only be given with kind 'stack' (got kind '{domain.source.kind}')"
        yield from _source_problems(domain, study, where=where, source_where=f"{where}: source")
        return
    for i, (part, part_domain) in enumerate(zip(domain.source.parts, domain.part_domains())):
        pwhere = f"{where}: source.parts[{i}]"
        for name in part.variables:
            yield from must_name(f"{pwhere}.variables", "a variable of the domain", name, names)
        yield from _source_problems(part_domain, study, where=f"{pwhere} ({part.source.form})", source_where=pwhere)


def _source_problems(domain: Domain, study: Study, *, where: str, source_where: str) -> Iterable[str]:
    """The source form(s), melted tests, ``where`` filters, algorithms and raw fields of a ``form``/``melt``/
    ``builder`` domain, or of one part of a ``stack`` domain."""
    from cdisc_pipe.sdtm.registry import assert_algorithm_args

    form = None
    form_ids = [f.id for f in study.forms]
    if domain.source.kind in ("form", "melt"):
        per_test = domain.source.kind == "melt" and bool(domain.source.tests) and all(
            "form" in t for t in domain.source.tests)
        if domain.source.form is None and not per_test:
            yield f"{source_where}.form must name the source form of a '{domain.source.kind}' source (got none)"
        elif domain.source.form is not None:
            yield from must_name(f"{source_where}.form", "a form", domain.source.form, form_ids)
            if domain.source.form in form_ids:
                form = study.form(domain.source.form)
    for i, test in enumerate(domain.source.tests):
        owner = form
        if "form" in test:
            yield from must_name(f"{source_where}.tests[{i}].form", "a form", test["form"], form_ids)
            owner = study.form(test["form"]) if test["form"] in form_ids else None
        if owner:
            yield from must_name(f"{source_where}.tests[{i}].field", f"a field of form {owner.id}", test["field"],
                                 owner.field_names)
    for column in domain.source.where:
        if form:
            yield from must_name(f"{source_where}.where", f"a field of form {form.id}", column, form.field_names)
    yield from _identifier_problems(domain, study, where=where, source_where=source_where)
    for i, variable in enumerate(domain.variables):
        vwhere = f"{where}: variables[{i}] ({variable.name})"
        yield from assert_algorithm_args(variable, where=vwhere)
        yield from _field_problems(variable, vwhere, form if domain.source.kind in ("form", "melt") else None, study)
        if variable.arg("codelist"):
            yield from must_name(f"{vwhere}.args.codelist", "a codelist", variable.arg("codelist"), study.codelists)
