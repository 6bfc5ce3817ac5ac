"""Checking spec files: YAML reading, JSON Schema problems described for people, closest-match hints.

Shared by every spec loader so that all spec messages have one shape:
``<file>: <key path>: <what> must be <expectation> (got <value>)[; closest match: '<name>']``.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from cdisc_pipe.errors import SpecError

__all__ = ["read_yaml", "schema_problems", "closest", "raise_if", "unique", "must_name", "MAX_LISTED"]

MAX_LISTED = 10

#: libyaml's safe loader when PyYAML was built with it (same results, several times faster), else PyYAML's.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise SpecError(f"{path.name}: spec file must exist in {path.parent} (got nothing at '{path}')")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LOADER)
    except yaml.YAMLError as err:
        raise SpecError(f"{path.name}: file must be valid YAML ({err})") from err
    except UnicodeDecodeError as err:
        raise SpecError(f"{path.name}: file must be UTF-8 encoded ({err})") from err


@lru_cache(maxsize=None)
def _schema(stem: str) -> dict[str, Any]:
    text = resources.files("cdisc_pipe.schema").joinpath(f"{stem}.schema.json").read_text("utf-8")
    return json.loads(text)


def schema_problems(file_name: str, document: Any, stem: str | None = None) -> list[str]:
    schema = _schema(stem or Path(file_name).stem)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{file_name}: {_describe(error)}" for error in errors]


def _key_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    where = _key_path(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        hints = "; ".join(f"'{u}'{closest(u, allowed)}" for u in unknown)
        return f"{where}: keys must be among {allowed} (got unknown {hints})"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"{where}: key '{missing}' must be present (got a mapping without it)"
    if error.validator == "enum":
        options = list(error.validator_value)
        return f"{where}: must be one of {options} (got {error.instance!r}){closest(error.instance, options)}"
    if error.validator == "type":
        return f"{where}: must be of type {error.validator_value} (got {error.instance!r})"
    if error.validator == "pattern":
        return f"{where}: must match {error.validator_value} (got {error.instance!r})"
    return f"{where}: {error.message}"


def closest(value: Any, options: Iterable[str]) -> str:
    matches = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.5)
    return f"; closest match: '{matches[0]}'" if matches else ""


def raise_if(problems: list[str], root: Path) -> None:
    if not problems:
        return
    shown = problems[:MAX_LISTED]
    more = len(problems) - len(shown)
    lines = "\n  ".join(shown)
    tail = f"\n  ... and {more} more" if more else ""
    raise SpecError(f"spec '{root}' is invalid ({len(problems)} problem(s)):\n  {lines}{tail}")


def unique(kind: str, where: str, names: list[str]) -> Iterable[str]:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            yield f"{where}[{index}]: {kind} must be unique (got '{name}' twice)"
        seen.add(name)


def must_name(where: str, kind: str, value: str, options: Iterable[str]) -> Iterable[str]:
    options = list(options)
    if value not in options:
        yield f"{where}: '{value}' must name {kind} (got '{value}'){closest(value, options)}"
