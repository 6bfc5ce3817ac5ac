"""The verb registry: every name a spec's ``steps[].verb`` may use.

A verb is a function ``verb(dataset, *, ...) -> DataFrame`` registered with :func:`verb` under its own
name, so the spec and the code use one name (``derive_vars_merged`` in YAML is ``derive_vars_merged`` here).
The modules holding verbs are listed in ``_MODULES``; the catalogue is in ``docs/adam/README.md``.
The spec loader calls :func:`assert_verb_args` on every step, so a misspelt verb or argument is a spec
error before any data is read.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from typing import Any, Callable, Mapping

import pandas as pd

__all__ = ["verb", "verbs", "assert_verb_args", "ENGINE_ARGS"]

Verb = Callable[..., pd.DataFrame]

_MODULES = (
    "cdisc_pipe.adam.verbs_merge",
    "cdisc_pipe.adam.verbs_dates",
    "cdisc_pipe.adam.verbs_bds",
    "cdisc_pipe.adam.verbs_basic",
    "cdisc_pipe.adam.verbs_subject",
    "cdisc_pipe.adam.verbs_occds",
    "cdisc_pipe.adam.verbs_rand36",
    "cdisc_pipe.adam.verbs_tte",
    "cdisc_pipe.adam.verbs_liver",
    "cdisc_pipe.adam.verbs_records",
)

#: Keyword arguments the engine supplies itself; a spec never writes them.
ENGINE_ARGS = ("study", "sources")

_VERBS: dict[str, Verb] = {}
_loaded = False


def verb(func: Verb) -> Verb:
    """Register ``func`` as a verb under its ``__name__`` (a second verb of the same name is a bug)."""
    if func.__name__ in _VERBS and _VERBS[func.__name__] is not func:
        raise ImportError(f"two ADaM verbs are registered under the name '{func.__name__}'")
    _VERBS[func.__name__] = func
    return func


def verbs() -> Mapping[str, Verb]:
    """Every registered verb by name (importing the verb modules on first use)."""
    global _loaded
    if not _loaded:
        for module in _MODULES:
            importlib.import_module(module)
        _loaded = True
    return dict(_VERBS)


def assert_verb_args(name: str, args: Mapping[str, Any], *, where: str) -> list[str]:
    """Problems with a step's verb name or arguments (empty when all is well)."""
    registry = verbs()
    func = registry.get(name)
    if func is None:
        close = difflib.get_close_matches(name, registry, n=1)
        hint = f"; closest match: '{close[0]}'" if close else ""
        return [f"{where}.verb: must be one of the registered verbs (got '{name}'){hint}"]
    params = inspect.signature(func).parameters
    accepted = {n for n, p in params.items() if p.kind is p.KEYWORD_ONLY and n not in ENGINE_ARGS}
    required = {n for n in accepted if params[n].default is inspect.Parameter.empty}
    problems = [f"{where}: verb '{name}' must have argument '{n}' (got none)" for n in sorted(required - set(args))]
    problems += [
        f"{where}: verb '{name}' takes arguments {sorted(accepted)} (got unknown '{n}')"
        for n in sorted(set(args) - accepted)
    ]
    return problems
