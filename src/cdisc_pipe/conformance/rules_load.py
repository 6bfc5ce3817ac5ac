"""Load conformance rules from YAML and check them before anything runs.

Each file of ``conformance/rules/`` is validated against ``schema/conformance-rule.schema.json``; then every
check node is checked against the op vocabulary: the op exists, its arguments are ones it takes (with the
closest match named), the ones it needs are there, and dataset ops are not nested in ``all``/``any``/``not``.
Rule ids must be unique across files. Any problem raises :class:`~cdisc_pipe.errors.SpecError` listing all
of them: a broken rule set is a programming error, not a data problem.
"""

from __future__ import annotations

import inspect
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from cdisc_pipe.conformance.model import CheckSeverity, Rule, Scope
from cdisc_pipe.conformance.ops import OPS
from cdisc_pipe.spec.problems import closest, raise_if, read_yaml, schema_problems

__all__ = ["load_rules", "rules_dir", "rule_files"]

#: Arguments whose values come from a fixed list, per op.
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("value_compare", "operator"): ("eq", "ne", "lt", "le", "gt", "ge"),
    ("value_compare", "type"): ("number", "text", "date"),
    ("iso8601", "kind"): ("datetime", "date", "duration"),
    ("values_in_codelist", "source"): ("define",),
    ("variable_metadata", "attribute"): ("name", "label", "length"),
    ("variable_metadata", "type"): ("Char", "Num"),
    ("dataset_metadata", "attribute"): ("name", "label"),
    ("consistent_with", "derivation"): ("study_day",),
    ("one_to_one", "direction"): ("both", "left"),
    ("consistent_with", "when_missing"): ("skip", "fail"),
}


def rules_dir() -> Path:
    """The folder of the rules shipped with the package."""
    return Path(str(resources.files("cdisc_pipe.conformance") / "rules"))


def rule_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or rules_dir()).glob("*.yaml"))


def load_rules(paths: Iterable[Path] | None = None) -> tuple[Rule, ...]:
    """Every rule of ``paths`` (default: the shipped rule files), validated, in file then rule order."""
    files = list(paths) if paths is not None else rule_files()
    problems: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        document = read_yaml(path)
        found = schema_problems(path.name, document, stem="conformance-rule")
        problems += found
        if found:
            continue
        for index, raw in enumerate(document["rules"]):
            where = f"{path.name}: rules[{index}] ({raw['id']})"
            if raw["id"] in seen:
                problems.append(f"{where}: id must be unique (got '{raw['id']}' also in {seen[raw['id']]})")
            seen[raw["id"]] = path.name
            for key in ("check", "where"):
                if key in raw:
                    problems += _node_problems(raw[key], f"{where}.{key}", top=key == "check")
            rules.append(_rule(raw, path.name))
    raise_if(problems, files[0].parent if files else Path("."))
    return tuple(rules)


def _rule(raw: Mapping[str, Any], source: str) -> Rule:
    scope = raw["scope"]
    return Rule(
        id=raw["id"], title=raw["title"], standard=raw["standard"], section=str(raw["section"]),
        severity=CheckSeverity(raw["severity"]), message=raw["message"],
        scope=Scope(standards=tuple(scope["standards"]), classes=tuple(scope.get("classes", ())),
                    exclude_classes=tuple(scope.get("exclude_classes", ())),
                    domains=tuple(scope.get("domains", ())), exclude_domains=tuple(scope.get("exclude_domains", ())),
                    level=scope.get("level", "dataset")),
        check=raw["check"], core=tuple(raw.get("core", ())), authorities=tuple(raw.get("authorities", ())),
        where=raw.get("where"), for_each=raw.get("for_each"),
        report=tuple(raw["report"]) if "report" in raw else None, source=source,
    )


def _node_problems(node: Mapping[str, Any], where: str, *, top: bool) -> list[str]:
    for key in ("all", "any"):
        if key in node:
            return [p for i, child in enumerate(node[key])
                    for p in _node_problems(child, f"{where}.{key}[{i}]", top=False)]
    if "not" in node:
        return _node_problems(node["not"], f"{where}.not", top=False)
    name = node["op"]
    if name not in OPS:
        return [f"{where}: op must be one of {sorted(OPS)} (got '{name}'){closest(name, OPS)}"]
    spec = OPS[name]
    problems: list[str] = []
    if spec.kind == "dataset" and not top:
        problems.append(f"{where}: dataset op '{name}' must be the whole check (got it inside all/any/not/if)")
    args = {k: v for k, v in node.items() if k != "op"}
    params = inspect.signature(spec.func).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        allowed, needed = list(spec.nested), list(spec.nested)
    else:
        allowed = [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY]
        needed = [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
    for key in args:
        if key not in allowed:
            problems.append(f"{where}: argument '{key}' must be one that op '{name}' takes {allowed} "
                            f"(got '{key}'){closest(key, allowed)}")
    for (op_name, key), options in _CHOICES.items():
        if op_name == name and key in args and args[key] not in options:
            problems.append(f"{where}: argument '{key}' must be one of {list(options)} (got {args[key]!r})"
                            f"{closest(args[key], options)}")
    for key in needed:
        if key not in args:
            problems.append(f"{where}: op '{name}' needs argument '{key}' (got {sorted(args)})")
    for key in spec.nested:
        if isinstance(args.get(key), Mapping):
            problems += _node_problems(args[key], f"{where}.{key}", top=False)
    if "where" in args and isinstance(args["where"], Mapping):
        problems += _node_problems(args["where"], f"{where}.where", top=False)
    return problems
