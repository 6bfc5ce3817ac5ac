"""Read ``simulation.yaml`` into a :class:`~cdisc_pipe.simulate.calibration.Calibration` and check it.

Every problem found is reported at once as a :class:`~cdisc_pipe.errors.SpecError` whose lines read
``simulation.yaml: <key path>: `<what>` must be <expectation> (got <value>)``. Besides the shape, the
references are checked against the study: arms, visit folders, criteria, courses, SAE keys, AE concepts
and every coded value (as a submission value of the codelist of the field that will hold it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from cdisc_pipe.errors import SpecError
from cdisc_pipe.simulate.calibration import (
    AdverseEventPlan,
    AeEvent,
    AeTerm,
    ArmPlan,
    Calibration,
    CalendarConstraint,
    Course,
    Death,
    Demographics,
    DerivedStatuses,
    DispositionRecord,
    HistoryItem,
    Medication,
    MedicationOption,
    ScreenFailure,
    SeriousEvent,
)
from cdisc_pipe.simulate.calibration_check import check_calibration
from cdisc_pipe.spec.model import Study

__all__ = ["CALIBRATION_FILE", "load_calibration"]

CALIBRATION_FILE = "simulation.yaml"
_MAX_LISTED = 10


def load_calibration(study: Study, path: Path | None = None) -> Calibration:
    """Read the calibration of ``study`` (``<study.root>/simulation.yaml`` unless ``path`` is given)."""
    path = Path(path) if path is not None else Path(study.root) / CALIBRATION_FILE
    if not path.is_file():
        raise SpecError(f"{CALIBRATION_FILE}: calibration file must exist beside the spec (got nothing at '{path}')")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise SpecError(f"{CALIBRATION_FILE}: file must be valid YAML ({err})") from err
    if not isinstance(doc, dict):
        raise SpecError(f"{CALIBRATION_FILE}: document must be a mapping (got {type(doc).__name__})")
    calibration = _build(doc)
    problems = check_calibration(calibration, study)
    if problems:
        listed = problems[:_MAX_LISTED]
        more = f"\n  ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        raise SpecError(
            f"calibration '{path}' is invalid ({len(problems)} problem(s)):\n  " + "\n  ".join(listed) + more
        )
    return calibration


def _section(path: str, build, *args):
    """Run ``build(*args)``; a missing key or a malformed value becomes a SpecError naming ``path``."""
    try:
        return build(*args)
    except KeyError as err:
        raise SpecError(
            f"{CALIBRATION_FILE}: {path}: key {err} must be given (got nothing); see docs/simulator.md"
        ) from err
    except (TypeError, ValueError, IndexError, AttributeError) as err:
        raise SpecError(
            f"{CALIBRATION_FILE}: {path}: value must follow docs/simulator.md (got {type(err).__name__}: {err})"
        ) from err


def _pair(value: Any, kind: type = int) -> tuple:
    low, high = value
    return kind(low), kind(high)


def _minutes(text: str) -> int:
    hours, minutes = str(text).split(":")
    return int(hours) * 60 + int(minutes)


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


def _record(doc: dict | None) -> DispositionRecord | None:
    if doc is None:
        return None
    return DispositionRecord(status=str(doc["status"]), on=str(doc["dated"]), term=str(doc.get("term", "")))


def _course(name: str, doc: dict) -> Course:
    death = doc.get("death")
    return Course(
        name=name,
        last_clinic=str(doc["last_clinic"]),
        long_term=bool(doc["long_term"]),
        d169=_record(doc["d169"]),
        eos=_record(doc.get("eos")),
        death=Death(int(death["day"]), str(death["cause"]), bool(death["related"])) if death else None,
        sae=doc.get("sae"),
        visit_days=tuple((str(k), int(v)) for k, v in (doc.get("visit_days") or {}).items()),
        alive_contact_day=int(doc["alive_contact_day"]) if "alive_contact_day" in doc else None,
    )


def _serious(key: str, doc: dict) -> SeriousEvent:
    end = doc["end_day"]
    return SeriousEvent(
        key=key,
        term=str(doc["term"]),
        start_day=int(doc["start_day"]),
        end_day=None if end == "death" else int(end),
        grade=int(doc["grade"]),
        criteria=tuple(str(c) for c in doc["criteria"]),
        relationship=str(doc["relationship"]),
        outcome=str(doc["outcome"]),
    )


def _adverse_events(doc: dict) -> AdverseEventPlan:
    terms = {
        concept: AeTerm(concept, str(t["category"]), bool(t.get("lab", False)), tuple(str(v) for v in t["verbatims"]))
        for concept, t in doc["terms"].items()
    }
    events = tuple(
        AeEvent(
            arm=str(arm),
            concept=str(row[0]),
            grade=int(row[1]),
            count=int(row[2]),
            relationship=str(row[3]) if len(row) > 3 else "ABSOLUTELY IRRELEVANT",
        )
        for arm, rows in doc["events"].items()
        for row in rows
    )
    durations = doc["duration_days"]
    return AdverseEventPlan(
        variant_rate=float(doc["variant_rate"]),
        partial_start_dates=int(doc["partial_start_dates"]),
        partial_end_dates=int(doc["partial_end_dates"]),
        lab_duration=_pair(durations["lab"]),
        other_duration=_pair(durations["other"]),
        related_onset_days=_pair(doc["related_onset_days"]),
        lab_folders=tuple(str(f) for f in doc["lab_folders"]),
        terms=terms,
        events=events,
    )


def _unknown(doc: dict) -> tuple[float, float]:
    unknown = doc.get("unknown") or {}
    return float(unknown.get("day", 0.0)), float(unknown.get("month", 0.0))


def _medication(doc: dict) -> Medication:
    day, month = _unknown(doc)
    options = tuple(
        MedicationOption(
            float(o["weight"]),
            str(o["treatment"]),
            str(o["category"]),
            float(o["dose"]),
            str(o["unit"]),
            str(o["frequency"]),
            str(o["route"]),
            str(o["indication"]),
        )
        for o in doc["options"]
    )
    return Medication(
        str(doc["name"]),
        float(doc["rate"]),
        doc.get("requires"),
        _pair(doc["years_before"], float),
        float(doc["ongoing"]),
        day,
        month,
        options,
    )


def _build(doc: dict) -> Calibration:
    return _section("(top level)", _build_sections, doc)


def _build_sections(doc: dict) -> Calibration:
    design, screening, contacts, demo = doc["design"], doc["screening"], doc["survival_contacts"], doc["demographics"]
    age = demo["age"]
    return Calibration(
        seed=int(doc["seed"]),
        site=str(design["site"]),
        enrolled=int(design["enrolled"]),
        screen_failure_count=int(design["screen_failures"]),
        infusion_volume=float(design["infusion_volume"]),
        infusion_folders=tuple(str(f) for f in design["infusion_folders"]),
        infusion_start=(_minutes(design["infusion_start"][0]), _minutes(design["infusion_start"][1])),
        infusion_minutes=_pair(design["infusion_minutes"]),
        consent_versions=tuple((_iso(v["from"]), str(v["version"])) for v in design["consent_versions"]),
        arms=tuple(
            ArmPlan(str(armcd), tuple(_iso(d) for d in plan["first_infusions"]), tuple(str(c) for c in plan["courses"]))
            for armcd, plan in doc["arms"].items()
        ),
        visit_offsets={str(folder): _pair(pair) for folder, pair in doc["visit_offsets"].items()},
        calendar_constraints=tuple(
            CalendarConstraint(
                str(c["arm"]),
                str(c["folder"]),
                _iso(c["on_or_after"]) if c.get("on_or_after") else None,
                _iso(c["on_or_before"]) if c.get("on_or_before") else None,
            )
            for c in doc.get("calendar_constraints") or ()
        ),
        eligibility_after_screening=_pair(screening["eligibility_after_screening"]),
        enrolment_after_eligibility=_pair(screening["enrolment_after_eligibility"]),
        failure_window=_pair(screening["failure_window"]),
        contact_folders=tuple(str(f) for f in contacts["folders"]),
        contact_modes=tuple((str(k), float(v)) for k, v in contacts["mode"].items()),
        phone_prefix=str(contacts["phone_prefix"]),
        scale_jitter=_pair(doc["scale_jitter"], float),
        statuses=DerivedStatuses(**{k: str(v) for k, v in doc["disposition"].items()}),
        courses={str(name): _section(f"courses.{name}", _course, str(name), c) for name, c in doc["courses"].items()},
        serious_events={
            str(key): _section(f"serious_adverse_events.{key}", _serious, str(key), s)
            for key, s in doc["serious_adverse_events"].items()
        },
        adverse_events=_section("adverse_events", _adverse_events, doc["adverse_events"]),
        demographics=Demographics(
            male=float(demo["male"]),
            age_mean=float(age["mean"]),
            age_sd=float(age["sd"]),
            age_min=int(age["min"]),
            age_max=int(age["max"]),
            ethnic=str(demo["ethnic"]),
            race=str(demo["race"]),
            birth_unknown_day=float(demo["birth_date_unknown"]["day"]),
            birth_unknown_month=float(demo["birth_date_unknown"]["month"]),
            initials_prefix=str(demo["initials_prefix"]),
        ),
        screen_failures=tuple(
            ScreenFailure(str(s["cohort"]), tuple(str(c) for c in s["criteria"]), int(s["age"]) if "age" in s else None)
            for s in doc["screen_failures"]
        ),
        medical_history=tuple(
            HistoryItem(
                str(h["term"]), float(h["rate"]), _pair(h["years_before"], float), float(h["ongoing"]), *_unknown(h)
            )
            for h in doc["medical_history"]
        ),
        medications=tuple(
            _section(f"concomitant_medications[{i}]", _medication, m)
            for i, m in enumerate(doc["concomitant_medications"])
        ),
    )
