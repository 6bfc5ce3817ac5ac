"""The SDTM part of a study spec: one domain per YAML file in ``specs/<study>/sdtm/``.

Each variable carries its define.xml metadata (label, type, role, core, codelist, origin) and the mapping
algorithm that fills it, named exactly as in :mod:`cdisc_pipe.sdtm.algorithms`, with that algorithm's
arguments. A variable marked ``supp`` goes to SUPP--, not to the parent domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal, Mapping

__all__ = ["SdtmVariable", "Source", "Part", "Domain"]

Core = Literal["Req", "Exp", "Perm"]
Origin = Literal["Collected", "Derived", "Assigned", "Protocol", "Predecessor", "Not Available"]


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class SdtmVariable:
    """One SDTM variable: metadata for define.xml and the algorithm that derives it."""

    name: str
    label: str
    type: Literal["Char", "Num"]
    algorithm: str
    args: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    role: str | None = None
    core: Core = "Perm"
    origin: Origin = "Derived"
    codelist: str | None = None
    supp: bool = False
    method: str | None = None  # derivation text shown in define.xml

    def arg(self, key: str, default: Any = None) -> Any:
        return self.args.get(key, default)


@dataclass(frozen=True)
class Part:
    """One form feeding a ``stack`` domain: its records (a ``form`` or ``melt`` source) and, per variable,
    the algorithm and arguments that replace the domain-level ones for these records (``variables``:
    name -> {algorithm, args})."""

    source: "Source"
    variables: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: _frozen(None))


@dataclass(frozen=True)
class Source:
    """Where a domain's records come from.

    ``kind``:
      * ``form`` — one record per record of ``form`` (filtered by ``where`` when given);
      * ``melt`` — one record per (record, field) of the ``tests`` table: findings collected wide on CRFs;
      * ``stack`` — the records of each of ``parts`` (each a ``form`` or ``melt`` source of its own), one
        after the other: a domain fed by several forms (DS from consent, enrolment and disposition);
      * ``builder`` — a dedicated ``build_<domain>`` function assembles records from several forms.
    """

    kind: Literal["form", "melt", "stack", "builder"]
    form: str | None = None
    where: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    tests: tuple[Mapping[str, Any], ...] = ()
    drop_missing: bool = True
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Domain:
    """An SDTM domain as the spec declares it."""

    name: str
    label: str
    domain_class: str
    structure: str
    keys: tuple[str, ...]
    order: tuple[str, ...]
    source: Source
    variables: tuple[SdtmVariable, ...]
    file: str = ""

    @property
    def main_variables(self) -> tuple[SdtmVariable, ...]:
        return tuple(v for v in self.variables if not v.supp)

    @property
    def supp_variables(self) -> tuple[SdtmVariable, ...]:
        return tuple(v for v in self.variables if v.supp)

    def part_domains(self) -> tuple["Domain", ...]:
        """A ``stack`` domain as one single-source domain per part, each with the part's variable
        overrides applied; a ``form``/``melt`` domain as itself."""
        if self.source.kind != "stack":
            return (self,)
        domains = []
        for part in self.source.parts:
            variables = tuple(
                replace(v, algorithm=part.variables[v.name]["algorithm"],
                        args=_frozen(part.variables[v.name].get("args")))
                if v.name in part.variables else v
                for v in self.variables
            )
            domains.append(replace(self, source=part.source, variables=variables))
        return tuple(domains)

    def variable(self, name: str) -> SdtmVariable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"domain '{self.name}' has no variable '{name}'")
