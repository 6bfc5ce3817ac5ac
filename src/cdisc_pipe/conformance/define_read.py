"""Read what conformance checks need from any define.xml (Define-XML 1.0, 2.0 or 2.1).

Namespaces differ between the versions (ODM 1.2/1.3, def v1.0/v2.0/v2.1), so elements are matched by
local name. Read: per dataset (ItemGroupDef ``Name``) its label, class (2.1 ``def:Class/@Name``, 1.0/2.0
``@def:Class``), key variables (``ItemRef/@KeySequence``, or 1.0 ``@def:DomainKeys``), and per variable
the values of its codelist (enumerated or coded items; external dictionaries such as MedDRA are skipped,
their values cannot be listed). Coded values are read without surrounding blanks (the CDISC pilot's ADaM
define.xml ends each with a no-break space). Value-level codelists are not read yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from cdisc_pipe.errors import InputError

__all__ = ["DefineDataset", "DefineInfo", "read_define"]


@dataclass(frozen=True)
class DefineDataset:
    name: str
    label: str = ""
    cls: str = ""
    keys: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    codelists: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DefineInfo:
    path: Path
    version: str
    datasets: dict[str, DefineDataset]
    standards: tuple[str, ...] = ()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element, name: str) -> str:
    """An attribute by local name, whatever its namespace."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _text(element) -> str:
    for child in element.iter():
        if _local(child.tag) == "TranslatedText":
            return (child.text or "").strip()
    return ""


def read_define(path: Path) -> DefineInfo:
    """Parse ``path`` (defusedxml: no entities, no network). An unreadable file is an InputError."""
    try:
        root = ElementTree.parse(str(path)).getroot()
    except (ElementTree.ParseError, OSError) as err:
        raise InputError(f"define.xml '{path}' must be well-formed XML ({err})") from err
    version_nodes = [e for e in root.iter() if _local(e.tag) == "MetaDataVersion"]
    if not version_nodes:
        raise InputError(f"define.xml '{path}' must hold a MetaDataVersion (got none)")
    mdv = version_nodes[0]
    version = _attr(mdv, "DefineVersion")
    codelists = {}
    for cl in _children(mdv, "CodeList"):
        if _children(cl, "ExternalCodeList"):
            continue
        items = _children(cl, "CodeListItem") + _children(cl, "EnumeratedItem")
        # stripped: the CDISC pilot's ADaM define.xml ends every CodedValue with a no-break space
        codelists[_attr(cl, "OID")] = frozenset(_attr(i, "CodedValue").strip() for i in items)
    items = {}
    for item in _children(mdv, "ItemDef"):
        refs = _children(item, "CodeListRef")
        items[_attr(item, "OID")] = (_attr(item, "Name"), _attr(refs[0], "CodeListOID") if refs else "")
    datasets = {}
    for group in _children(mdv, "ItemGroupDef"):
        name = _attr(group, "Name").upper()
        cls_nodes = _children(group, "Class")
        cls = _attr(cls_nodes[0], "Name") if cls_nodes else _attr(group, "Class")
        refs = _children(group, "ItemRef")
        names, keyed, lists = [], [], {}
        for ref in refs:
            var, cl = items.get(_attr(ref, "ItemOID"), ("", ""))
            if not var:
                continue
            names.append(var)
            if _attr(ref, "KeySequence"):
                keyed.append((int(_attr(ref, "KeySequence")), var))
            if cl in codelists:
                lists[var] = codelists[cl]
        keys = tuple(v for _, v in sorted(keyed))
        if not keys and _attr(group, "DomainKeys"):
            keys = tuple(k.strip() for k in _attr(group, "DomainKeys").split(",") if k.strip())
        label = _attr(group, "Label") or _text(group)
        datasets[name] = DefineDataset(name, label, cls.upper(), keys, tuple(names), lists)
    standards = tuple(f"{_attr(s, 'Name')} {_attr(s, 'Version')}".strip()
                      for s in root.iter() if _local(s.tag) == "Standard")
    if not standards and _attr(mdv, "StandardName"):
        standards = (f"{_attr(mdv, 'StandardName')} {_attr(mdv, 'StandardVersion')}".strip(),)
    return DefineInfo(path=path, version=version, datasets=datasets, standards=standards)
