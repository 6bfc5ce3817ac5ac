"""Run the ADaM spec: build each dataset from its source and steps, then apply its variable metadata.

For each dataset, in the order :func:`~cdisc_pipe.spec.adam_load.load_adam_spec` gives:

1. the start frame: ``source.dataset`` (an SDTM domain or an ADaM dataset built before), filtered by
   ``source.filter``; with ``source.seq``, SRCDOM (the source's name) and SRCSEQ (its --SEQ) are added, so
   every record points back to the SDTM record it came from;
2. the ``steps``, in order, each a registered verb called with the spec's arguments. Arguments annotated
   as DataFrames are resolved: a name becomes that dataset, a list of mappings a literal table. Verbs whose
   signature has ``study`` or ``sources`` get the study and the mapping of every dataset available.

When every dataset is built, the ``final_steps`` of each run (ADSL merges its baseline liver scores from
ADLIVER there), then :func:`apply_variables` keeps the spec's variables, in order, with their types.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verbs
from cdisc_pipe.errors import AdamError, Report
from cdisc_pipe.spec.adam_model import AdamDataset, AdamStep
from cdisc_pipe.spec.model import Study

__all__ = ["AdamResult", "build_adam", "start_frame", "run_step", "apply_variables"]


@dataclass(frozen=True)
class AdamResult:
    """The finished datasets (by name, in build order), the spec they came from and the checks' report."""

    datasets: dict[str, pd.DataFrame]
    spec: dict[str, AdamDataset]
    report: Report


def start_frame(dataset: AdamDataset, sources: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The records a dataset starts from, with SRCDOM/SRCSEQ when the spec names the --SEQ."""
    source = dataset.source
    if source.dataset not in sources:
        raise AdamError(f"{dataset.name}: source dataset '{source.dataset}' must be available "
                        f"(got {sorted(sources)})")
    frame = sources[source.dataset]
    frame = frame.loc[filter_mask(frame, source.filter, arg=f"{dataset.name}.source.filter")]
    if source.seq is not None:
        if source.seq not in frame.columns:
            raise AdamError(f"{dataset.name}: source.seq must be a variable of {source.dataset} (got '{source.seq}')")
        frame["SRCDOM"] = pd.Series(source.dataset, index=frame.index, dtype="string")
        frame["SRCSEQ"] = frame[source.seq].astype("float64")
    return frame.reset_index(drop=True)


def _resolve(value: Any, annotation: str, sources: Mapping[str, pd.DataFrame], where: str) -> Any:
    if "DataFrame" not in annotation:
        return value
    if isinstance(value, str):
        if value not in sources:
            raise AdamError(f"{where}: must name an available dataset (got '{value}'; available {sorted(sources)})")
        return sources[value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, Mapping) for v in value):
        return pd.DataFrame([dict(v) for v in value])
    return value


def run_step(frame: pd.DataFrame, step: AdamStep, *, sources: Mapping[str, pd.DataFrame], study: Study,
             where: str) -> pd.DataFrame:
    """Apply one spec step to ``frame``; an AdamError from the verb is re-raised naming the step."""
    func = verbs()[step.verb]
    params = inspect.signature(func).parameters
    kwargs = {name: _resolve(value, str(params[name].annotation), sources, f"{where}.args.{name}")
              for name, value in step.args.items()}
    if "study" in params:
        kwargs["study"] = study
    if "sources" in params:
        kwargs["sources"] = sources
    try:
        result = func(frame, **kwargs)
    except AdamError as err:
        raise AdamError(f"{where} ({step.verb}): {err}") from err
    if not isinstance(result, pd.DataFrame):
        raise AdamError(f"{where} ({step.verb}): a verb must return a DataFrame (got {type(result).__name__})")
    return result


def apply_variables(frame: pd.DataFrame, dataset: AdamDataset) -> pd.DataFrame:
    """The spec's variables, in spec order, typed (Char: string; Num: float64; dates/datetimes:
    datetime64[s]), sorted by the spec's ``order``. A variable the steps did not create is an error."""
    missing = [v.name for v in dataset.variables if v.name not in frame.columns]
    if missing:
        raise AdamError(f"{dataset.name}: the steps must create every variable of the spec (missing {missing})")
    columns: dict[str, pd.Series] = {}
    for variable in dataset.variables:
        column = frame[variable.name]
        if variable.type == "Char":
            columns[variable.name] = column.astype("string")
        elif variable.is_date or variable.is_datetime:
            if not pd.api.types.is_datetime64_any_dtype(column):
                raise AdamError(f"{dataset.name}.{variable.name} must be a date (format {variable.format}) "
                                f"(got dtype {column.dtype})")
            column = column.astype("datetime64[s]")
            if variable.is_date and (column.dropna() != column.dropna().dt.normalize()).any():
                raise AdamError(f"{dataset.name}.{variable.name} must hold dates without a time of day "
                                f"(format {variable.format})")
            columns[variable.name] = column
        else:
            if not (pd.api.types.is_numeric_dtype(column) or column.isna().all()):
                raise AdamError(f"{dataset.name}.{variable.name} must be numeric (got dtype {column.dtype})")
            columns[variable.name] = column.astype("float64")
    out = pd.DataFrame(columns)
    if dataset.order:
        from cdisc_pipe.adam.verbs_merge import sort_records

        out = sort_records(out, [], list(dataset.order))
    return out.reset_index(drop=True)


def build_adam(sdtm: Mapping[str, pd.DataFrame], study: Study,
               spec: Mapping[str, AdamDataset] | None = None) -> AdamResult:
    """Every ADaM dataset of the study spec, built from the SDTM ``sdtm`` (domain name → frame)."""
    from cdisc_pipe.adam.checks import validate_adam
    from cdisc_pipe.spec.adam_load import load_adam_spec

    spec = dict(spec) if spec is not None else load_adam_spec(study, sdtm_names=sdtm.keys())
    sources: dict[str, pd.DataFrame] = dict(sdtm)
    for name, dataset in spec.items():
        frame = start_frame(dataset, sources)
        for i, step in enumerate(dataset.steps):
            frame = run_step(frame, step, sources=sources, study=study, where=f"{dataset.file}: steps[{i}]")
        sources[name] = frame
    for name, dataset in spec.items():
        frame = sources[name]
        for i, step in enumerate(dataset.final_steps):
            frame = run_step(frame, step, sources=sources, study=study, where=f"{dataset.file}: final_steps[{i}]")
        sources[name] = frame
    datasets = {name: apply_variables(sources[name], dataset) for name, dataset in spec.items()}
    return AdamResult(datasets=datasets, spec=spec, report=validate_adam(datasets, spec, sdtm))
