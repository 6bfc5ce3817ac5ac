"""``simulation-measurements.yaml`` read into frozen dataclasses and checked against the study.

Every problem is collected and reported at once as a :class:`~cdisc_pipe.errors.SpecError` whose lines
read ``simulation-measurements.yaml: <key>: `<what>` must be <expectation> (got <value>)``. The format is
documented in ``docs/simulator-measurements.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdisc_pipe.errors import SpecError
from cdisc_pipe.spec.model import Study

__all__ = ["FieldSpec", "MeasurementConfig", "MissingRule", "Pattern", "Template", "read_measurement_config"]

FILE = "simulation-measurements.yaml"
SYMPTOMS = ("ascites", "he", "legedema", "jaundice", "haemat", "poorapp")
_MAX_LISTED = 10


@dataclass(frozen=True)
class FieldSpec:
    """One measured value: where it lives, how its baseline and its changes are drawn, what bounds it."""

    name: str
    form: str
    decimals: int
    baseline: tuple[str, Any]           # ("band", None), ("normal", (mean, sd)), ("lognormal", ...), ...
    range: tuple[float, float]
    scale: float                        # Weibull scale of |change|
    shape: float
    p_up: float = 0.5
    jitter: float = 0.0
    ceiling: tuple[tuple[str, ...], float] | None = None
    floor: tuple[tuple[str, ...], float] | None = None
    detect: float | None = None         # zero-inflated fields: chance a value is above detection


@dataclass(frozen=True)
class Template:
    """One subject of the default design: its course, Child-Pugh bands and symptoms by visit."""

    course: str
    alb: str
    tbil: str
    symptoms: dict[str, str]
    sf36: bool


@dataclass(frozen=True)
class MissingRule:
    form: str
    arm: str
    armseq: tuple[int, ...] | None      # None: every subject of the arm
    folder: str
    fields: tuple[str, ...] | None      # None: the whole record is absent


@dataclass(frozen=True)
class Pattern:
    """Signed ranks of one (field, folder): arm -> one entry per ARMSEQ (None = no value, 0 = zero change)."""

    field: str
    folder: str
    pooled: bool
    ranks: dict[str, tuple[int | None, ...]]
    zero_at: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MeasurementConfig:
    alpha: float
    baseline: str
    screening: str
    followup: tuple[str, ...]
    arms: tuple[str, ...]
    guard_rounds: int
    bands: dict[str, dict[int, tuple[float, float]]]
    inr_max: float
    meld_max: float
    child_pugh_min: int
    coagulation: dict[str, float]
    fields: dict[str, FieldSpec]
    vitals: dict[str, Any]
    templates: dict[str, dict[int, Template]]
    missing: tuple[MissingRule, ...]
    patterns: dict[tuple[str, str], Pattern]
    sf36: dict[str, Any]
    screen_failure_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    score_targets: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def visits(self) -> tuple[str, ...]:
        """Analysis visits: baseline first, then the follow-up folders."""
        return (self.baseline, *self.followup)


def _pair(value: Any, where: str, problems: list[str]) -> tuple[float, float]:
    if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value)):
        problems.append(f"{where}: `value` must be a pair of numbers (got {value!r})")
        return (0.0, 1.0)
    return (float(value[0]), float(value[1]))


def _baseline(raw: Any, where: str, problems: list[str]) -> tuple[str, Any]:
    if raw == "band":
        return ("band", None)
    if isinstance(raw, dict) and len(raw) == 1:
        kind, value = next(iter(raw.items()))
        if kind in ("normal", "lognormal"):
            return (kind, _pair(value, f"{where}.{kind}", problems))
        if kind in ("ratio", "sum") and isinstance(value, list) and len(value) == 3:
            of = value[0] if isinstance(value[0], list) else [value[0]]
            return (kind, (tuple(of), float(value[1]), float(value[2])))
        if kind == "by_sex" and isinstance(value, dict):
            return (kind, {str(k): _pair(v, f"{where}.by_sex.{k}", problems) for k, v in value.items()})
    problems.append(f"{where}: `baseline` must be band, normal, lognormal, ratio, sum or by_sex (got {raw!r})")
    return ("normal", (0.0, 1.0))


def _bound(raw: Any, where: str, problems: list[str]) -> tuple[tuple[str, ...], float] | None:
    if raw is None:
        return None
    if isinstance(raw, dict) and isinstance(raw.get("of"), list) and isinstance(raw.get("factor"), (int, float)):
        return (tuple(raw["of"]), float(raw["factor"]))
    problems.append(f"{where}: `bound` must be {{of: [fields], factor: number}} (got {raw!r})")
    return None


def _fields(doc: dict, study: Study, problems: list[str]) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    for name, raw in (doc.get("fields") or {}).items():
        where = f"fields.{name}"
        form_id = raw.get("form")
        try:
            study.form(form_id).field(name)
        except KeyError:
            problems.append(f"{where}: `form` must name a form of the study holding field {name} (got {form_id!r})")
        scale, shape = _pair(raw.get("change"), f"{where}.change", problems)
        for ref in [*(raw.get("ceiling") or {}).get("of", []), *(raw.get("floor") or {}).get("of", [])]:
            if ref not in out:
                problems.append(f"{where}: `of` must name fields listed before {name} (got {ref!r})")
        out[name] = FieldSpec(
            name=name, form=str(form_id), decimals=int(raw.get("decimals", 0)),
            baseline=_baseline(raw.get("baseline"), where, problems),
            range=_pair(raw.get("range"), f"{where}.range", problems), scale=scale, shape=shape,
            p_up=float(raw.get("p_up", 0.5)), jitter=float(raw.get("jitter", 0.0)),
            ceiling=_bound(raw.get("ceiling"), f"{where}.ceiling", problems),
            floor=_bound(raw.get("floor"), f"{where}.floor", problems),
            detect=None if raw.get("detect") is None else float(raw["detect"]),
        )
    return out


def _templates(doc: dict, n_visits: int, problems: list[str]) -> dict[str, dict[int, Template]]:
    out: dict[str, dict[int, Template]] = {}
    for arm, entries in (doc.get("templates") or {}).items():
        out[arm] = {}
        for seq, raw in entries.items():
            where = f"templates.{arm}.{seq}"
            strings = {key: str(raw.get(key, "0" * n_visits)) for key in ("alb", "tbil", *SYMPTOMS)}
            for key, text in strings.items():
                if len(text) != n_visits or any(c not in "0123." for c in text):
                    problems.append(f"{where}.{key}: `{key}` must be {n_visits} characters of 0-3 or '.' (got {text!r})")
            for key in ("alb", "tbil"):
                if strings[key][0] not in "123":
                    problems.append(f"{where}.{key}: baseline band must be 1, 2 or 3 (got {strings[key][0]!r})")
            out[arm][int(seq)] = Template(
                course=str(raw.get("course")), alb=strings["alb"], tbil=strings["tbil"],
                symptoms={key: strings[key] for key in SYMPTOMS}, sf36=bool(raw.get("sf36", False)),
            )
    return out


def _patterns(doc: dict, config_arms: tuple[str, ...], fields: dict, visits: tuple[str, ...],
              problems: list[str]) -> dict[tuple[str, str], Pattern]:
    out = {}
    for name, by_folder in (doc.get("patterns") or {}).items():
        for folder, raw in by_folder.items():
            where = f"patterns.{name}.{folder}"
            if name not in fields or folder not in visits[1:]:
                problems.append(f"{where}: pattern must name a field and a follow-up folder (got {name}, {folder})")
                continue
            ranks = {}
            for arm in config_arms:
                if arm in raw:
                    values = raw[arm]
                    if not isinstance(values, list) or not all(v is None or isinstance(v, int) for v in values):
                        problems.append(f"{where}.{arm}: ranks must be a list of whole numbers or null (got {values!r})")
                        continue
                    ranks[arm] = tuple(values)
            pooled = bool(raw.get("pooled", False))
            for arm, values in ranks.items():
                present = sorted(abs(v) for v in values if v)
                size = sum(1 for vs in ranks.values() for v in vs if v) if pooled else len(present)
                if len(set(present)) != len(present) or (present and present[-1] > size):
                    problems.append(f"{where}.{arm}: ranks must be distinct and at most {size} (got {list(values)})")
            zero_at = frozenset(arm for arm, flag in (raw.get("zero_at") or {}).items() if flag)
            out[(name, folder)] = Pattern(name, folder, pooled, ranks, zero_at)
    return out


def _missing(doc: dict, study: Study, problems: list[str]) -> tuple[MissingRule, ...]:
    out = []
    for i, raw in enumerate(doc.get("missing") or []):
        where = f"missing[{i}]"
        fields = raw.get("fields")
        try:
            form = study.form(raw.get("form"))
        except KeyError:
            problems.append(f"{where}: `form` must be a form of the study (got {raw.get('form')!r})")
            continue
        if fields != "all" and not (isinstance(fields, list) and set(fields) <= set(form.field_names)):
            problems.append(f"{where}: `fields` must be 'all' or fields of {form.id} (got {fields!r})")
            continue
        armseq = raw.get("armseq")
        out.append(MissingRule(form.id, str(raw.get("arm")), None if armseq is None else tuple(int(a) for a in armseq),
                               str(raw.get("folder")), None if fields == "all" else tuple(fields)))
    return tuple(out)


def read_measurement_config(doc: dict, study: Study) -> MeasurementConfig:
    """Build and check the measurement calibration ``doc`` (the parsed YAML) against ``study``."""
    if not isinstance(doc, dict):
        raise SpecError(f"{FILE}: `config` must be a mapping (got {type(doc).__name__})")
    problems: list[str] = []
    visits = (str(doc.get("baseline")), *[str(f) for f in doc.get("followup") or []])
    for folder in (*visits, str(doc.get("screening"))):
        if folder not in study.folders:
            problems.append(f"{FILE}: visit `{folder}` must be a folder of study.yaml (got none such)")
    arms = tuple(doc.get("arms") or ())
    known_arms = {a.armcd for a in study.arms}
    if not arms or not set(arms) <= known_arms:
        problems.append(f"{FILE}: `arms` must be arms of study.yaml {sorted(known_arms)} (got {list(arms)})")
    fields = _fields(doc, study, problems)
    bands = {name: {int(k): _pair(v, f"bands.{name}.{k}", problems) for k, v in raw.items()}
             for name, raw in (doc.get("bands") or {}).items()}
    for name in ("ALB", "TBIL"):
        if name not in bands or sorted(bands[name]) != [1, 2, 3]:
            problems.append(f"{FILE}: `bands.{name}` must give points 1, 2 and 3 (got {sorted(bands.get(name, {}))})")
    templates = _templates(doc, len(visits), problems)
    patterns = _patterns(doc, arms, fields, visits, problems)
    for (name, folder), pattern in patterns.items():
        for arm, values in pattern.ranks.items():
            if len(values) != len(templates.get(arm, {})):
                problems.append(f"patterns.{name}.{folder}.{arm}: ranks must give one entry per template "
                                f"({len(templates.get(arm, {}))}) (got {len(values)})")
    missing = _missing(doc, study, problems)
    if problems:
        listed = problems[:_MAX_LISTED]
        more = f"\n  ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        raise SpecError(f"{FILE}: the measurement calibration is invalid:\n  " + "\n  ".join(listed) + more)
    return MeasurementConfig(
        alpha=float(doc.get("alpha", 0.05)), baseline=visits[0], screening=str(doc.get("screening")),
        followup=visits[1:], arms=arms, guard_rounds=int(doc.get("guard_rounds", 400)), bands=bands,
        inr_max=float(doc.get("inr_max", 1.65)), meld_max=float(doc.get("meld_max", 15.0)),
        child_pugh_min=int(doc.get("child_pugh_min", 7)),
        coagulation={k: float(v) for k, v in (doc.get("coagulation") or {}).items()},
        fields=fields, vitals=dict(doc.get("vitals") or {}), templates=templates, missing=missing,
        patterns=patterns, sf36=dict(doc.get("sf36") or {}),
        screen_failure_values=dict(doc.get("screen_failure_values") or {}),
        score_targets={name: {folder: tuple(arms_) for folder, arms_ in by_folder.items()}
                       for name, by_folder in (doc.get("score_targets") or {}).items()},
    )
