"""Load ``specs/<study>/adam/*.yaml``: one ADaM dataset per file, checked like the rest of the spec.

Besides the JSON Schema (``adam-dataset.schema.json``) each dataset is checked for references: every verb
is registered and given only the arguments it takes (and all it requires); datasets named by ``source``,
``dataset_*`` arguments and ``dataset_name`` entries are SDTM domains of the study or ADaM datasets of the
spec; keys and sort order name output variables; codelists exist; no two datasets read each other before
their final steps. Every problem is reported at once.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Iterable, Mapping

from cdisc_pipe.errors import SpecError
from cdisc_pipe.spec.adam_model import AdamDataset, AdamSource, AdamStep, AdamVariable
from cdisc_pipe.spec.model import Study
from cdisc_pipe.spec.problems import must_name, raise_if, read_yaml, schema_problems, unique

__all__ = ["load_adam_spec", "build_order"]


def load_adam_spec(study: Study, sdtm_names: Iterable[str] | None = None) -> dict[str, AdamDataset]:
    """Every dataset in ``<study root>/adam/`` keyed by name, in build order (each after the datasets its
    steps read). ``sdtm_names`` are the SDTM datasets a source may name (default: the study's SDTM spec
    domains and their SUPP-- datasets)."""
    folder = study.root / "adam"
    if not folder.is_dir():
        raise SpecError(f"adam/: the ADaM spec folder must exist in {study.root} (got nothing at '{folder}')")
    if sdtm_names is None:
        from cdisc_pipe.spec.sdtm_load import load_sdtm_spec

        domains = load_sdtm_spec(study)
        sdtm_names = set(domains) | {f"SUPP{d.name}" for d in domains.values() if d.supp_variables}
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    documents = {f"adam/{path.name}": read_yaml(path) for path in files}
    problems = [p for name, doc in documents.items()
                for p in schema_problems(name, doc, "adam-dataset")]
    raise_if(problems, folder)
    datasets = [_build(name, doc) for name, doc in documents.items()]
    names = [d.name for d in datasets]
    problems = list(unique("dataset", "adam", names))
    known = set(sdtm_names) | set(names)
    problems += [p for d in datasets for p in _dataset_problems(d, study, known)]
    raise_if(problems, folder)
    by_name = {d.name: d for d in datasets}
    order, cycle = build_order(by_name)
    if cycle:
        raise_if([f"adam: datasets must not read each other in their steps (got a cycle among {cycle}); "
                  f"move the read into 'final_steps'"], folder)
    return {name: by_name[name] for name in order}


def build_order(datasets: Mapping[str, AdamDataset]) -> tuple[list[str], list[str]]:
    """(names in an order where each dataset follows the ADaM datasets its steps read, names in a cycle)."""
    pending = {name: {r for r in d.references() if r in datasets and r != name} for name, d in datasets.items()}
    order: list[str] = []
    while pending:
        ready = sorted(name for name, needs in pending.items() if not needs - set(order))
        if not ready:
            return order, sorted(pending)
        order.extend(ready)
        for name in ready:
            del pending[name]
    return order, []


def _step(raw: Mapping[str, Any]) -> AdamStep:
    return AdamStep(verb=raw["verb"], args=MappingProxyType(dict(raw.get("args") or {})), note=raw.get("note"))


def _build(file: str, doc: dict[str, Any]) -> AdamDataset:
    source = doc["source"]
    return AdamDataset(
        name=doc["dataset"], label=doc["label"], adam_class=doc["class"], structure=doc["structure"],
        keys=tuple(doc["keys"]), order=tuple(doc.get("order", ())),
        source=AdamSource(dataset=source["dataset"], filter=source.get("filter"), seq=source.get("seq")),
        steps=tuple(_step(s) for s in doc["steps"]),
        final_steps=tuple(_step(s) for s in doc.get("final_steps") or ()),
        variables=tuple(
            AdamVariable(name=v["name"], label=v["label"], type=v["type"], origin=v["origin"],
                         source=v.get("source"), method=v.get("method"), format=v.get("format"),
                         codelist=v.get("codelist"))
            for v in doc["variables"]
        ),
        file=file,
    )


def _dataset_problems(dataset: AdamDataset, study: Study, known: set[str]) -> Iterable[str]:
    from cdisc_pipe.adam.registry import assert_verb_args

    where = dataset.file
    names = [v.name for v in dataset.variables]
    yield from (f"{where}: {p}" for p in unique("variable", "variables", names))
    for key in dataset.keys:
        yield from must_name(f"{where}: keys", "a variable of the dataset", key, names)
    for key in dataset.order:
        yield from must_name(f"{where}: order", "a variable of the dataset", key.partition(" ")[0], names)
    yield from must_name(f"{where}: source.dataset", "an SDTM domain or ADaM dataset", dataset.source.dataset, known)
    for kind, steps in (("steps", dataset.steps), ("final_steps", dataset.final_steps)):
        for i, step in enumerate(steps):
            swhere = f"{where}: {kind}[{i}] ({step.verb})"
            yield from assert_verb_args(step.verb, step.args, where=swhere)
    for reference in sorted((dataset.references() | dataset.references(final=True)) - {dataset.source.dataset}):
        yield from must_name(f"{where}: steps", "an SDTM domain or ADaM dataset", reference, known)
    for i, variable in enumerate(dataset.variables):
        if variable.codelist:
            yield from must_name(f"{where}: variables[{i}] ({variable.name}).codelist", "a codelist",
                                 variable.codelist, study.codelists)
