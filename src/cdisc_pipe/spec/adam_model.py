"""The ADaM part of a study spec: one dataset per YAML file in ``specs/<study>/adam/``.

A dataset is written the way an admiral template is: a start frame (``source``), then an ordered list of
derivation ``steps``, each a registered verb with its arguments, then the ``variables`` that make up the
output, each with the define.xml metadata (label, type, format, codelist, origin, predecessor source or
derivation text). Derivations never set metadata; :func:`cdisc_pipe.adam.engine.apply_variables` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping

__all__ = ["AdamVariable", "AdamSource", "AdamStep", "AdamDataset", "ADAM_CLASSES"]

ADAM_CLASSES = (
    "SUBJECT LEVEL ANALYSIS DATASET",
    "BASIC DATA STRUCTURE",
    "OCCURRENCE DATA STRUCTURE",
    "ADAM OTHER",
)

Origin = Literal["Predecessor", "Derived", "Assigned"]


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class AdamVariable:
    """One output variable. ``source`` is ``DATASET.VARIABLE`` for a Predecessor; ``method`` is the
    derivation text (define.xml MethodDef) for Derived and Assigned variables."""

    name: str
    label: str
    type: Literal["Char", "Num"]
    origin: Origin
    source: str | None = None
    method: str | None = None
    format: str | None = None
    codelist: str | None = None

    @property
    def is_date(self) -> bool:
        return (self.type == "Num" and not self.is_datetime
                and (self.format or "").upper().startswith(("DATE", "E8601DA", "YYMMDD")))

    @property
    def is_datetime(self) -> bool:
        return self.type == "Num" and (self.format or "").upper().startswith(("DATETIME", "E8601DT"))


@dataclass(frozen=True)
class AdamSource:
    """The start frame: an SDTM domain or an ADaM dataset, filtered; ``seq`` names the --SEQ column whose
    value becomes SRCSEQ (with SRCDOM = ``dataset``)."""

    dataset: str
    filter: str | None = None
    seq: str | None = None


@dataclass(frozen=True)
class AdamStep:
    """One derivation: a registered verb and its arguments (``note`` is free text for readers)."""

    verb: str
    args: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    note: str | None = None


@dataclass(frozen=True)
class AdamDataset:
    name: str
    label: str
    adam_class: str
    structure: str
    keys: tuple[str, ...]
    order: tuple[str, ...]
    source: AdamSource
    steps: tuple[AdamStep, ...]
    final_steps: tuple[AdamStep, ...]
    variables: tuple[AdamVariable, ...]
    file: str = ""

    def variable(self, name: str) -> AdamVariable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"dataset '{self.name}' has no variable '{name}'")

    def references(self, *, final: bool = False) -> set[str]:
        """Names of the datasets this one reads: the source and, anywhere in its steps' arguments (nested
        lists and mappings included), every string ``dataset_*`` argument and every ``dataset_name`` entry
        (``final=True``: of its final steps, without the source)."""
        steps = self.final_steps if final else self.steps
        names = set() if final else {self.source.dataset}
        for step in steps:
            names |= _dataset_names(step.args)
        return names


def _dataset_names(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if (key.startswith("dataset_") or key == "dataset_name") and isinstance(item, str):
                found.add(item)
            else:
                found |= _dataset_names(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= _dataset_names(item)
    return found
