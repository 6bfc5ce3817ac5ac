"""Time-to-event parameters (admiral's ``derive_param_tte``) for ADTTE.

A parameter is defined by *event sources* and *censoring sources*, each a mapping written in the spec::

    {dataset_name: DS,                      # a dataset of the engine's ``sources`` (SDTM domain or ADaM)
     filter: "DSDECOD == 'DEATH'",          # pandas query selecting the candidate records (optional)
     date: DSSTDTC,                         # date, datetime or ISO 8601 text column (text: complete dates only)
     seq: DSSEQ,                            # column copied to SRCSEQ (optional; missing SRCSEQ without it)
     order: [DSSEQ],                        # tie-break within the source after the date ("VAR desc" allowed)
     censor: 0,                             # CNSR value (default 0 for events, 1 for censorings)
     set_values_to: {EVNTDESC: DEATH, ...}} # constants set on the record (EVNTDESC, CNSDTDSC, ...)

SRCDOM defaults to ``dataset_name`` and SRCVAR to ``date``; ``set_values_to`` may override both.

The rules are admiral's (``derive_param_tte`` and its ``filter_date_sources``), per subject:

1. **Event**: among the records of all event sources meeting their filters and having a date, the one with
   the earliest date; a tie between sources goes to the source listed first, a tie within a source to the
   first record in ``order`` (then input order).
2. **Censoring**: among the records of all censoring sources, the one with the *latest* date; a tie between
   sources goes to the source listed last, a tie within a source to the last record in ``order``.
3. If the subject has an event, the event record is taken — whatever its date relative to the censoring
   date (an event after the last censoring date is still an event). Otherwise the censoring record.
4. Only subjects of ``dataset`` (the population: ADSL records) that have an event or a censoring record
   get a record; a subject with neither gets none (admiral's inner join with ``dataset_adsl``).
5. STARTDT is ``start_date`` of the subject (with STARTDTF from ``<start>DTF`` when that exists); ADT is
   the later of the selected date and STARTDT (admiral: an event or censoring before the origin is moved
   to the origin, so the time is never negative).

A record whose date is missing (or, for ISO text, partial) is not a candidate at all. Admiral's censoring
selection takes the last record per source *before* dropping missing dates, so there a missing censoring
date can hide an earlier complete one of the same source; here missing dates are dropped first.

AVAL is not set here: as in admiral's ADTTE template it is a separate step,
``derive_vars_duration(new_var: AVAL, start_date: STARTDT, end_date: ADT)`` = ADT − STARTDT + 1 days.

The only Python loops run over parameters and sources (a handful), never over records or subjects.
"""

from __future__ import annotations

import difflib
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_unique_keys
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.adam.verbs_dates import compute_dt
from cdisc_pipe.adam.verbs_merge import sort_records
from cdisc_pipe.errors import AdamError

__all__ = ["derive_param_tte", "compute_tte_date", "select_tte_records"]

_SOURCE_KEYS = ("dataset_name", "filter", "date", "seq", "order", "censor", "set_values_to")
_PARAMETER_KEYS = ("set_values_to", "event_sources", "censor_sources")
_PROVENANCE = ("SRCDOM", "SRCVAR", "SRCSEQ")


def compute_tte_date(values: pd.Series) -> pd.Series:
    """Calendar dates (datetime64[s], midnight) of a date/datetime column, or of ISO 8601 text where the
    date is complete (a partial date gives NaT: no imputation). Pure."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize().astype("datetime64[s]")
    if values.isna().all():
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        date, _ = compute_dt(values, highest_imputation="n")
        return date
    raise AdamError(f"a source 'date' must be a date, datetime or ISO 8601 text variable (got dtype {values.dtype})")


def _check_keys(definition: Mapping[str, Any], allowed: Sequence[str], required: Sequence[str], where: str) -> None:
    if not isinstance(definition, Mapping):
        raise AdamError(f"'{where}' must be a mapping (got {type(definition).__name__})")
    for key in definition:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; closest match: '{close[0]}'" if close else ""
            raise AdamError(f"'{where}' must have keys among {list(allowed)} (got unknown '{key}'){hint}")
    missing = [key for key in required if definition.get(key) in (None, "")]
    if missing:
        raise AdamError(f"'{where}' must give {missing} (got keys {list(definition)})")


def _candidates(definitions: Sequence[Mapping[str, Any]], sources: Mapping[str, pd.DataFrame], *,
                subject_keys: list[str], default_censor: int, where: str) -> pd.DataFrame:
    """One row per dated candidate record of every source, with _NR (source number) and _RANK (position
    within the source after sorting on ``order``)."""
    frames = []
    for nr, definition in enumerate(definitions):
        here = f"{where}[{nr}]"
        _check_keys(definition, _SOURCE_KEYS, ("dataset_name", "date"), here)
        name = definition["dataset_name"]
        if name not in sources:
            raise AdamError(f"'{here}.dataset_name' must name an available dataset (got '{name}'; "
                            f"available {sorted(sources)})")
        source = sources[name]
        date, seq, order = definition["date"], definition.get("seq"), list(definition.get("order") or ())
        assert_columns(source, [*subject_keys, date, seq, *(o.partition(" ")[0] for o in order)],
                       arg=f"{here} ({name})")
        source = source.loc[filter_mask(source, definition.get("filter"), arg=f"{here}.filter")]
        source = sort_records(source, [], order)
        values = {"SRCDOM": name, "SRCVAR": date, **dict(definition.get("set_values_to") or {})}
        reserved = sorted(set(values) & {*subject_keys, "ADT", "CNSR", "SRCSEQ", "STARTDT", "STARTDTF"})
        if reserved:
            raise AdamError(f"'{here}.set_values_to' must not set {reserved} (derived by the verb)")
        censor = definition.get("censor", default_censor)
        if isinstance(censor, bool) or not isinstance(censor, (int, float)) or censor != int(censor):
            raise AdamError(f"'{here}.censor' must be a whole number (got {censor!r})")
        frame = pd.DataFrame({key: source[key].to_numpy() for key in subject_keys})
        try:
            frame["ADT"] = compute_tte_date(source[date]).to_numpy()
        except AdamError as err:
            raise AdamError(f"'{here}.date' ({name}.{date}): {err}") from err
        frame["CNSR"] = float(censor)
        frame["SRCSEQ"] = _seq_values(source, seq, where=f"{here}.seq") if seq is not None else np.nan
        for key, value in values.items():
            frame[key] = value
        frame["_NR"] = nr
        frame["_RANK"] = np.arange(len(frame))
        frames.append(frame)
    out = _stack(frames, [*subject_keys, "ADT", "CNSR", *_PROVENANCE, "_NR", "_RANK"])
    return out.loc[out["ADT"].notna()]


def _seq_values(source: pd.DataFrame, seq: str, *, where: str) -> np.ndarray:
    numbers = pd.to_numeric(source[seq], errors="coerce")
    bad = numbers.isna() & source[seq].notna()
    if bad.any():
        raise AdamError(f"'{where}' must name a numeric --SEQ variable (got {seq} = "
                        f"{source.loc[bad, seq].head(3).tolist()})")
    return numbers.to_numpy(dtype="float64")


def _stack(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """The non-empty ``frames`` stacked (empty ones would blur the dtypes); an empty frame of ``columns``
    (ADT a date) when there is none."""
    kept = [frame for frame in frames if len(frame)]
    if kept:
        return pd.concat(kept, ignore_index=True)
    empty = pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    empty["ADT"] = empty["ADT"].astype("datetime64[s]")
    return empty


def select_tte_records(events: pd.DataFrame, censorings: pd.DataFrame, *,
                       subject_keys: Sequence[str]) -> pd.DataFrame:
    """Per subject: the earliest event if any, else the latest censoring (rules 1-3 of the module).
    Both frames need the subject keys, ADT, _NR (source number) and _RANK (position within the source)."""
    keys = list(subject_keys)
    order = [*keys, "ADT", "_NR", "_RANK"]
    first_event = events.sort_values(order, kind="stable").drop_duplicates(keys, keep="first")
    last_censor = censorings.sort_values(order, kind="stable").drop_duplicates(keys, keep="last")
    both = _stack([first_event, last_censor], list(events.columns))
    return both.drop_duplicates(keys, keep="first").drop(columns=["_NR", "_RANK"])


@verb
def derive_param_tte(
    dataset: pd.DataFrame,
    *,
    sources: Mapping[str, pd.DataFrame],
    parameters: Sequence[Mapping[str, Any]],
    start_date: str = "TRTSDT",
    subject_keys: Sequence[str] = ("STUDYID", "USUBJID"),
) -> pd.DataFrame:
    """Time-to-event records: one per subject of ``dataset`` and parameter (see the module for the rules).

    ``dataset`` is the population, one record per subject with ``start_date`` (the spec's start frame:
    ADSL filtered to the analysis set). ``parameters`` lists the parameters, each a mapping
    ``{set_values_to: {PARAMCD: OS, PARAM: ...}, event_sources: [...], censor_sources: [...]}`` (admiral:
    one ``derive_param_tte`` call per parameter, as ``call_derivation`` does in its ADTTE template).
    ``sources`` is given by the engine: every dataset available by name (the sources' ``dataset_name``).

    Returns the new records only: the subject keys, the parameter's ``set_values_to`` variables, STARTDT
    (STARTDTF), ADT, CNSR, SRCDOM, SRCVAR, SRCSEQ and each source's ``set_values_to`` variables (missing
    where the selected source does not set them), sorted by subject and parameter order.
    """
    keys = list(subject_keys)
    assert_columns(dataset, [*keys, start_date], arg="dataset")
    assert_unique_keys(dataset, keys, arg="dataset")
    if isinstance(parameters, Mapping) or not len(parameters):
        raise AdamError(f"'parameters' must be a non-empty list of parameter mappings (got {parameters!r})")
    flag_var = start_date[:-2] + "DTF" if start_date.endswith("DT") else None
    population = pd.DataFrame({key: dataset[key] for key in keys})
    population["STARTDT"] = compute_tte_date(dataset[start_date])
    if flag_var in dataset.columns:
        population["STARTDTF"] = dataset[flag_var].astype("string")
    records, seen = [], set()
    for number, parameter in enumerate(parameters):
        where = f"parameters[{number}]"
        _check_keys(parameter, _PARAMETER_KEYS, ("set_values_to", "censor_sources"), where)
        values = dict(parameter["set_values_to"])
        paramcd = values.get("PARAMCD")
        if not paramcd or paramcd in seen:
            raise AdamError(f"'{where}.set_values_to' must set a PARAMCD not used before (got {paramcd!r})")
        seen.add(paramcd)
        events = _candidates(parameter.get("event_sources") or (), sources, subject_keys=keys, default_censor=0,
                             where=f"{where}.event_sources")
        censorings = _candidates(parameter["censor_sources"], sources, subject_keys=keys, default_censor=1,
                                 where=f"{where}.censor_sources")
        chosen = select_tte_records(events, censorings, subject_keys=keys)
        new = population.merge(chosen, on=keys, how="inner", validate="one_to_one")
        later_start = new["STARTDT"].notna() & (new["STARTDT"] > new["ADT"])
        new["ADT"] = new["ADT"].where(~later_start, new["STARTDT"])
        for name, value in values.items():
            new[name] = value
        new["_PARAM"] = number
        records.append(new)
    kept = [frame for frame in records if len(frame)] or records[:1]
    out = pd.concat(kept, ignore_index=True).sort_values([*keys, "_PARAM"], kind="stable")
    first = [*keys, *dict.fromkeys(k for p in parameters for k in p["set_values_to"])]
    rest = [c for c in out.columns if c not in first and c != "_PARAM"]
    out = out[first + rest].reset_index(drop=True)
    for name in out.columns:
        if out[name].dtype == object or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].astype("string")
    out["ADT"] = out["ADT"].astype("datetime64[s]")
    out["STARTDT"] = out["STARTDT"].astype("datetime64[s]")
    return out
