"""Check a :class:`~cdisc_pipe.simulate.calibration.Calibration` against its study.

Every reference must resolve: arms (in the study's order, one day-1 date and one course per calibrated
subject), visit folders, criteria, courses, SAE keys, AE concepts (each verbatim used by one concept only)
and every coded value, as a submission value of the codelist of the field that will hold it.
"""

from __future__ import annotations

from typing import Any

from cdisc_pipe.simulate.calibration import DS_DATE_RULES, Calibration
from cdisc_pipe.simulate.codes import SAE_CRITERIA, CodeBook
from cdisc_pipe.spec.model import Study

__all__ = ["Problems", "check_calibration"]

CALIBRATION_FILE = "simulation.yaml"


class Problems(list):
    """Problems found, each a line ``simulation.yaml: <path>: `<what>` must be <expectation> (got <value>)``."""

    def add(self, path: str, what: str, expectation: str, got: Any) -> None:
        self.append(f"{CALIBRATION_FILE}: {path}: `{what}` must be {expectation} (got {got!r})")


def check_calibration(calibration: Calibration, study: Study) -> Problems:
    """Every problem of ``calibration`` against ``study`` (empty when it is usable)."""
    problems = Problems()
    _check(calibration, study, problems)
    return problems


def _check(cal: Calibration, study: Study, problems: Problems) -> None:
    armcds = [a.armcd for a in study.arms]
    folders = set(study.folders)
    clinic = [v.folder for v in study.visits if v.kind == "clinic"]
    if [a.armcd for a in cal.arms] != armcds:
        problems.add("arms", "arms", f"the study's arms in order {armcds}", [a.armcd for a in cal.arms])
    per_arm = cal.enrolled // max(len(armcds), 1)
    for plan in cal.arms:
        for name, items in (("first_infusions", plan.first_infusions), ("courses", plan.courses)):
            if len(items) != per_arm:
                problems.add(f"arms.{plan.armcd}.{name}", name, f"a list of {per_arm} (enrolled / arms)", len(items))
        if list(plan.first_infusions) != sorted(plan.first_infusions):
            problems.add(f"arms.{plan.armcd}.first_infusions", "first_infusions", "in date order", plan.first_infusions)
        for course in plan.courses:
            if course not in cal.courses:
                problems.add(f"arms.{plan.armcd}.courses", "course", f"one of {sorted(cal.courses)}", course)
    if cal.enrolled != per_arm * len(armcds):
        problems.add("design.enrolled", "enrolled", f"a multiple of the number of arms ({len(armcds)})", cal.enrolled)
    if len(cal.screen_failures) != cal.screen_failure_count:
        problems.add(
            "screen_failures",
            "screen_failures",
            f"a list of design.screen_failures = {cal.screen_failure_count}",
            len(cal.screen_failures),
        )
    for folder in [*cal.visit_offsets, *cal.infusion_folders, *cal.contact_folders]:
        if folder not in folders:
            problems.add("visit_offsets", "folder", f"a visit folder of study.yaml {sorted(folders)}", folder)
    for folder in clinic[1:] + list(cal.contact_folders):
        if folder not in cal.visit_offsets and folder != "D001":
            problems.add("visit_offsets", folder, "given for every clinic visit and survival contact", None)
    for i, c in enumerate(cal.calendar_constraints):
        if c.arm not in armcds or c.folder not in folders:
            problems.add(
                f"calendar_constraints[{i}]", "arm/folder", "an arm and a folder of the study", (c.arm, c.folder)
            )
    criteria = {c.id for c in study.criteria}
    for i, failure in enumerate(cal.screen_failures):
        if failure.cohort not in armcds:
            problems.add(f"screen_failures[{i}].cohort", "cohort", f"one of {armcds}", failure.cohort)
        for criterion in failure.criteria:
            if criterion not in criteria:
                problems.add(f"screen_failures[{i}].criteria", "criterion", "a criterion id of study.yaml", criterion)
    _check_courses(cal, clinic, problems)
    _check_codes(cal, CodeBook(study), problems)


def _check_courses(cal: Calibration, clinic: list[str], problems: Problems) -> None:
    for name, course in cal.courses.items():
        where = f"courses.{name}"
        if course.last_clinic not in clinic:
            problems.add(f"{where}.last_clinic", "last_clinic", f"a clinic folder {clinic}", course.last_clinic)
        for record, key in ((course.d169, "d169"), (course.eos, "eos")):
            if record is not None and record.on not in DS_DATE_RULES:
                problems.add(f"{where}.{key}.dated", "dated", f"one of {list(DS_DATE_RULES)}", record.on)
            if record is not None and record.on == "alive_contact" and course.alive_contact_day is None:
                problems.add(
                    f"{where}.alive_contact_day", "alive_contact_day", "given when a record is on alive_contact", None
                )
        if course.sae is not None and course.sae not in cal.serious_events:
            problems.add(
                f"{where}.sae", "sae", f"a key of serious_adverse_events {sorted(cal.serious_events)}", course.sae
            )
        for folder, _day in course.visit_days:
            if folder not in clinic:
                problems.add(f"{where}.visit_days", "folder", "a clinic folder", folder)
    for key, event in cal.serious_events.items():
        if event.end_day is None and not any(c.sae == key and c.death for c in cal.courses.values()):
            problems.add(
                f"serious_adverse_events.{key}.end_day", "end_day", "a day unless every course with it dies", "death"
            )
    plan = cal.adverse_events
    for folder in plan.lab_folders:
        if folder not in clinic:
            problems.add("adverse_events.lab_folders", "folder", f"a clinic folder {clinic}", folder)
    owner: dict[str, str] = {}
    for concept, term in plan.terms.items():
        for verbatim in term.verbatims:
            if owner.setdefault(verbatim, concept) != concept:
                problems.add(
                    f"adverse_events.terms.{concept}",
                    "verbatim",
                    f"used by one concept only (also in '{owner[verbatim]}')",
                    verbatim,
                )
    for i, event in enumerate(plan.events):
        if event.concept not in plan.terms:
            problems.add(
                f"adverse_events.events.{event.arm}[{i}]", "concept", "a key of adverse_events.terms", event.concept
            )


def _check_codes(cal: Calibration, book: CodeBook, problems: Problems) -> None:
    wanted: list[tuple[str, str, str]] = [
        ("demographics.ethnic", "ETHNIC", cal.demographics.ethnic),
        ("demographics.race", "RACE", cal.demographics.race),
    ]
    wanted += [("survival_contacts.mode", "CONTMODE", mode) for mode, _w in cal.contact_modes]
    for status in (cal.statuses.completed, cal.statuses.death, cal.statuses.cutoff):
        wanted.append(("disposition", "DSDECOD", status))
    for name, course in cal.courses.items():
        for record in (course.d169, course.eos):
            if record is not None:
                wanted.append((f"courses.{name}", "DSDECOD", record.status))
    for key, event in cal.serious_events.items():
        wanted += [
            (f"serious_adverse_events.{key}", "AEREL", event.relationship),
            (f"serious_adverse_events.{key}", "AEOUT", event.outcome),
        ]
        for criterion in event.criteria:
            if criterion not in SAE_CRITERIA:
                problems.add(
                    f"serious_adverse_events.{key}.criteria", "criterion", f"one of {list(SAE_CRITERIA)}", criterion
                )
    wanted += [("adverse_events.events", "AEREL", e.relationship) for e in cal.adverse_events.events]
    for med in cal.medications:
        for option in med.options:
            for field, value in (
                ("CMCAT", option.category),
                ("CMDOSU", option.unit),
                ("CMDOSFRQ", option.frequency),
                ("CMROUTE", option.route),
            ):
                wanted.append((f"concomitant_medications.{med.name}", field, value))
    for path, field, value in wanted:
        if not book.has(field, value):
            problems.add(
                path,
                field,
                f"a submission value of codelist {book.codelist_id(field)} {book.submissions(field)}",
                value,
            )
