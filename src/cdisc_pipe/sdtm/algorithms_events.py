"""Mapping algorithms of the events and interventions domains (AE, CE, MH, CM, EX), registered by
:mod:`cdisc_pipe.sdtm.registry` under the names the spec uses.

* ``dictionary`` codes a verbatim term with a study dictionary (``specs/<study>/dictionaries/<name>.yaml``):
  AEDECOD and AEBODSYS from AETERM, CEDECOD from CETERM. A verbatim the dictionary does not know is a finding
  (SDTM-DICT-UNCODED), never a guess.
* ``assign_ct_map`` recodes a coded raw field through its codelist and then through a sponsor ``map`` of
  submission values: AEREL from the trial's four-level relationship scale, --ENRTPT from the CRF's
  "Ongoing" box.
* ``result_ct`` does the same for the melted result of a ``melt`` source, each test through its own field's
  codelist: CEOCCUR and CESEV from the pre-specified symptoms.
* ``hardcode_when`` sets a constant on the records where another variable has a value: --ENTPT beside
  --ENRTPT.

A ``map`` must name every submission value of the codelist it recodes; a map that leaves one out is a spec
error (raised when the domain is mapped, whatever the data), so a new code on the CRF cannot fall through.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import pandas as pd

from cdisc_pipe.errors import Finding, Severity, SpecError
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.sdtm.algorithms import FILE, Algorithm, map_assign_ct, text_column
from cdisc_pipe.spec.problems import read_yaml
from cdisc_pipe.spec.sdtm_model import SdtmVariable

if TYPE_CHECKING:
    from cdisc_pipe.sdtm.context import MapContext

__all__ = [
    "EVENTS_ALGORITHMS",
    "TermDictionary",
    "read_term_dictionary",
    "compute_normalised_term",
    "DICTIONARY_FOLDER",
]

#: Folder of the study spec holding the study dictionaries.
DICTIONARY_FOLDER = "dictionaries"

#: Keys of a dictionary term that are not codable attributes.
_TERM_KEYS = ("verbatims",)


@dataclass(frozen=True)
class TermDictionary:
    """A small study dictionary: verbatim terms (normalised by :func:`compute_normalised_term`) to coded
    attributes (``decod``, ``bodsys``...). ``name`` and ``version`` go to define.xml's external codelist."""

    name: str
    version: str
    attributes: tuple[str, ...]
    codes: Mapping[str, Mapping[str, str]]

    def attribute_map(self, attribute: str) -> dict[str, str]:
        """Normalised verbatim -> value of ``attribute``."""
        if attribute not in self.attributes:
            raise SpecError(f"dictionary '{self.name}': `attribute` must be one of {list(self.attributes)} "
                            f"(got '{attribute}')")
        return {verbatim: entry[attribute] for verbatim, entry in self.codes.items()}


def compute_normalised_term(terms: pd.Series) -> pd.Series:
    """Verbatims as the dictionary matches them: trimmed, inner white space collapsed, case folded."""
    text = terms.astype("string")
    return text.str.strip().str.replace(r"\s+", " ", regex=True).str.casefold()


def read_term_dictionary(path: Path) -> TermDictionary:
    """Read and check a study dictionary file; every problem is reported at once as a SpecError."""
    document = read_yaml(path)
    where = f"{DICTIONARY_FOLDER}/{path.name}"
    if not isinstance(document, Mapping):
        raise SpecError(f"{where}: the file must hold a mapping with name, version and terms (got {document!r})")
    problems = [f"{where}: key '{key}' must be a non-empty string (got {document.get(key)!r})"
                for key in ("name", "version") if not isinstance(document.get(key), str) or not document.get(key)]
    terms = document.get("terms")
    if not isinstance(terms, list) or not terms:
        problems.append(f"{where}: terms must be a non-empty list (got {terms!r})")
        terms = []
    attributes = tuple(k for k in terms[0] if k not in _TERM_KEYS) if terms and isinstance(terms[0], Mapping) else ()
    codes: dict[str, dict[str, str]] = {}
    owner: dict[str, int] = {}
    for index, term in enumerate(terms):
        problems += list(_term_problems(f"{where}: terms[{index}]", term, attributes))
        if problems:
            continue
        for verbatim, key in zip(term["verbatims"], compute_normalised_term(pd.Series(term["verbatims"]))):
            if key in owner:
                problems.append(f"{where}: terms[{index}].verbatims: '{verbatim}' must belong to one term only "
                                f"(got it in terms[{owner[key]}] too)")
            owner[key] = index
            codes[key] = {a: term[a] for a in attributes}
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise SpecError(f"dictionary '{path}' is invalid ({len(problems)} problem(s)):\n  {shown}{more}")
    frozen = {k: MappingProxyType(v) for k, v in codes.items()}
    return TermDictionary(name=document["name"], version=document["version"], attributes=attributes,
                          codes=MappingProxyType(frozen))


def _term_problems(where: str, term: Any, attributes: tuple[str, ...]) -> Iterable[str]:
    if not isinstance(term, Mapping):
        yield f"{where}: must be a mapping of {list(attributes)} and verbatims (got {term!r})"
        return
    keys = set(attributes) | set(_TERM_KEYS)
    if set(term) != keys:
        yield f"{where}: keys must be exactly {sorted(keys)} (got {sorted(term)})"
        return
    for attribute in attributes:
        if not isinstance(term[attribute], str) or not term[attribute].strip():
            yield f"{where}.{attribute}: must be a non-empty string (got {term[attribute]!r})"
    verbatims = term["verbatims"]
    if not isinstance(verbatims, list) or not verbatims or not all(isinstance(v, str) and v.strip() for v in verbatims):
        yield f"{where}.verbatims: must be a non-empty list of non-empty strings (got {verbatims!r})"


def _report(context: "MapContext", dataset: pd.DataFrame, mask: pd.Series, *, variable: SdtmVariable, rule: str,
            values: pd.Series, expected: str, message: str) -> None:
    """One finding per record of ``mask``; ``message`` is formatted with ``{value}``."""
    rows = dataset.loc[mask]
    subject = context.study.raw.subject
    none = pd.Series(None, index=rows.index, dtype="object")
    for file, row, who, value in zip(rows.get(FILE, none), rows.get(ROW, none), rows.get(subject, none),
                                     values.loc[mask]):
        context.findings.append(Finding(
            stage="sdtm", rule=rule, severity=Severity.ERROR, dataset=context.domain.name, file=file,
            row=None if pd.isna(row) else int(row), variable=variable.name,
            subject=None if pd.isna(who) else who, value=None if pd.isna(value) else str(value),
            expected=expected, message=message.format(value=value),
        ))


def _derived(dataset: pd.DataFrame, name: str, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """A variable derived earlier in the domain's spec order (the spec names it in an argument)."""
    names = [v.name for v in context.domain.variables]
    if name not in names[:names.index(variable.name)]:
        raise SpecError(f"{context.domain.file}: `{context.domain.name}.{variable.name}` must name a variable "
                        f"listed before it (got '{name}')")
    return dataset[name]


def map_dictionary(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """--DECOD, --BODSYS: the ``attribute`` of the verbatim in variable ``term`` (e.g. AETERM) as the study
    dictionary ``dictionary`` codes it. Matching ignores case and surrounding or repeated white space. A
    verbatim the dictionary does not know is null and a finding (SDTM-DICT-UNCODED)."""
    name = variable.arg("dictionary")
    dictionary = read_term_dictionary(context.study.root / DICTIONARY_FOLDER / f"{name}.yaml")
    terms = text_column(_derived(dataset, variable.arg("term"), variable, context))
    # a study has few distinct verbatims: normalise and look up each once, then spread back (-1 = missing)
    positions, distinct = pd.factorize(terms)
    lookup = dictionary.attribute_map(variable.arg("attribute"))
    per_term = compute_normalised_term(pd.Series(distinct, dtype="string")).map(lookup).astype("string").array
    coded = pd.Series(per_term.take(positions, allow_fill=True), index=dataset.index, dtype="string")
    uncoded = terms.notna() & coded.isna()
    if uncoded.any():
        where = f"{context.domain.name}.{variable.arg('term')}"
        _report(context, dataset, uncoded, variable=variable, rule="SDTM-DICT-UNCODED", values=terms,
                expected=f"a verbatim of dictionary {dictionary.name} {dictionary.version}",
                message=(f"`{context.domain.name}.{variable.name}` must be coded from dictionary '{name}' "
                         f"(got uncoded verbatim '{{value}}' in {where})"))
    return coded


def _apply_map(values: pd.Series, variable: SdtmVariable, context: "MapContext", codelists: Iterable[str]) -> pd.Series:
    """Submission values through the variable's ``map`` (when given); null targets give null."""
    mapping = variable.arg("map")
    if mapping is None:
        return values
    needed = [t.submission for c in codelists for t in context.study.codelist(c).terms]
    missing = sorted({s for s in needed if s not in mapping})
    if missing:
        raise SpecError(f"{context.domain.file}: `{context.domain.name}.{variable.name}` args.map must name "
                        f"every submission value of codelist(s) {sorted(set(codelists))} (missing {missing})")
    return values.map(dict(mapping)).astype("string")


def map_assign_ct_map(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The raw coded ``field`` recoded to its codelist's submission value (as ``assign_ct``, with the same
    SDTM-CT-UNMAPPED finding for an unknown code), then through ``map``: e.g. AEREL = RELATED for the
    trial's ABSOLUTELY/POSSIBLY RELEVANT; AEENRTPT = ONGOING for an "Ongoing" box answered Y."""
    decoded = map_assign_ct(dataset, variable=variable, context=context)
    codelist = variable.arg("codelist") or context.field_codelist(variable.arg("field"))
    return _apply_map(decoded, variable, context, [codelist])


def map_result_ct(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The melted result of a coded CRF field, recoded through that field's codelist and then ``map``
    (e.g. CEOCCUR: ascites ABSENT -> N, MILD -> Y; CESEV). Only the tests of ``fields`` get a value when
    it is given; the others are null. An unknown code is null and a finding (SDTM-CT-UNMAPPED)."""
    out = pd.Series(pd.NA, index=dataset.index, dtype="string")
    if "_VALUE_" not in dataset.columns:
        return out
    codes = text_column(dataset["_VALUE_"])
    fields = text_column(dataset["_FIELD_"])
    names = list(variable.arg("fields") or fields.dropna().unique())
    known = {t["field"] for t in context.domain.source.tests}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SpecError(f"{context.domain.file}: `{context.domain.name}.{variable.name}` args.fields must name "
                        f"fields of the source's tests {sorted(known)} (got {unknown})")
    codelists = [context.field_codelist(n) for n in names]
    for name, codelist in zip(names, codelists):
        mask = (fields == name).fillna(False)
        if not mask.any():
            continue
        decoded = codes[mask].map(context.study.codelist(codelist).decode_map()).astype("string")
        bad = codes[mask].notna() & decoded.isna()
        if bad.any():
            context.problem_unmapped(dataset.loc[mask].assign(**{name: codes[mask]}), variable, name, codelist, bad)
        out[mask] = decoded
    return _apply_map(out, variable, context, codelists)


def map_hardcode_when(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """``value`` on the records where the variable named by ``when`` has a value, else null: e.g. AEENTPT =
    "END OF STUDY" where AEENRTPT is populated."""
    present = _derived(dataset, variable.arg("when"), variable, context).notna()
    return pd.Series(variable.arg("value"), index=dataset.index, dtype="string").where(present)


EVENTS_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("dictionary", map_dictionary, frozenset({"dictionary", "term", "attribute"})),
    Algorithm("assign_ct_map", map_assign_ct_map, frozenset({"field", "map"}), frozenset({"codelist"})),
    Algorithm("result_ct", map_result_ct, frozenset(), frozenset({"map", "fields"})),
    Algorithm("hardcode_when", map_hardcode_when, frozenset({"value", "when"})),
)
