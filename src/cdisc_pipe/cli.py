"""The ``cdisc-pipe`` command line: one subcommand per stage, plus ``run`` for all of them.

Exit codes: 0 success; 1 the data has error-severity findings (or an input cannot be read); 2 usage or
spec error. This module is the only place that catches broadly: an unexpected failure is reported with its
type and message and exit code 3, never hidden.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence, TextIO

from cdisc_pipe import __version__
from cdisc_pipe.errors import AdamError, InputError, Report, Severity, SpecError
from cdisc_pipe.pipeline import RunResult, run

__all__ = ["main"]

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
MAX_LISTED = 10


class _Progress:
    """Stage progress: redrawn lines on a terminal, plain log lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()

    def start(self, stage: str) -> None:
        if self.tty:
            self.stream.write(f"  … {stage}")
            self.stream.flush()

    def finish(self, stage: str, report: Report, seconds: float) -> None:
        counts = ", ".join(f"{report.count(s)} {s.value.lower()}(s)" for s in Severity)
        mark = "✗" if report.has_errors else "✓"
        if self.tty:
            self.stream.write(f"\r  {mark} {stage:<14} {seconds:6.2f} s   {counts}\n")
        else:
            self.stream.write(f"cdisc-pipe: {stage}: {'FAILED' if report.has_errors else 'ok'} "
                              f"in {seconds:.2f} s ({counts})\n")
        self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdisc-pipe",
        description="Raw EDC exports to validated SDTM, ADaM and submission files.",
    )
    parser.add_argument("--version", action="version", version=f"cdisc-pipe {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def pipeline_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--study", type=Path, help="study spec folder (default: the shipped default study)")
        p.add_argument("--raw", type=Path, help="raw export: a folder of CSV/SAS files or an ODM-XML file "
                                                "(default: the export shipped with the study)")
        p.add_argument("--out", type=Path, default=Path("cdisc-out"), help="output folder (default: ./cdisc-out)")

    pipeline_args(sub.add_parser("run", help="run every stage in order"))
    pipeline_args(sub.add_parser("validate-raw", help="read and validate the raw export; write the findings"))
    pipeline_args(sub.add_parser("sdtm", help="validate the raw export, then build the SDTM domains"))
    pipeline_args(sub.add_parser("adam", help="validate the raw export, build SDTM, then derive the ADaM datasets"))
    pipeline_args(sub.add_parser("export", help="... then write the submission tree (XPT, Dataset-JSON, "
                                                "define.xml), check it and write its manifest"))
    pipeline_args(sub.add_parser("analyze", help="... then analyse the written ADaM files: results data (ARD), "
                                                 "figures, the HTML report and the reproduction table"))

    check = sub.add_parser("check", help="check a folder of SDTM/ADaM .xpt files (+ define.xml) against the "
                                         "conformance rules; write conformance.json and conformance.html")
    check.add_argument("dir", type=Path, help="folder to check, searched recursively (e.g. cdisc-out/m5)")
    check.add_argument("--out", type=Path, default=Path("cdisc-out/reports"),
                       help="folder for conformance.json and conformance.html (default: ./cdisc-out/reports)")

    spec = sub.add_parser("validate-spec", help="check a study spec folder and report every problem")
    spec.add_argument("study", type=Path, nargs="?", help="study spec folder (default: the shipped study)")

    sim = sub.add_parser("simulate", help="write a synthetic raw export of the study")
    sim.add_argument("--study", type=Path, help="study spec folder (default: the shipped default study)")
    sim.add_argument("--subjects", type=int, help="enrolled subjects (default: the study's own design)")
    sim.add_argument("--seed", type=int, help="random seed (default: the study's calibrated seed)")
    sim.add_argument("--out", type=Path, required=True, help="folder (csv) or file (odm) to write")
    sim.add_argument("--format", choices=("csv", "odm"), default="csv", help="export format (default: csv)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (SpecError, AdamError) as err:
        print(f"cdisc-pipe: spec error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as err:
        print(f"cdisc-pipe: input error: {err}", file=sys.stderr)
        return EXIT_DATA
    except KeyboardInterrupt:
        print("cdisc-pipe: interrupted; earlier outputs are unchanged", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the one broad catch: report, never hide
        print(f"cdisc-pipe: internal error ({type(err).__name__}): {err}", file=sys.stderr)
        return EXIT_BUG


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate-spec":
        return _validate_spec(args.study)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "check":
        return _check(args.dir, args.out)
    for name in ("study", "raw"):
        path = getattr(args, name)
        if path is not None and not path.exists():
            print(f"cdisc-pipe: --{name} must be an existing path (got '{path}')", file=sys.stderr)
            return EXIT_USAGE
    until = None if args.command == "run" else args.command
    result = run(args.study, args.raw, args.out, until=until, progress=_Progress(sys.stderr))
    _summarise(result, sys.stderr)
    return result.exit_code


def _validate_spec(path: Path | None) -> int:
    from cdisc_pipe.paths import default_study_dir
    from cdisc_pipe.spec import load_spec

    from cdisc_pipe.sdtm.reconcile import load_not_mapped
    from cdisc_pipe.spec.adam_load import load_adam_spec
    from cdisc_pipe.spec.sdtm_load import load_sdtm_spec

    study = load_spec(path or default_study_dir())
    domains = load_sdtm_spec(study) if (study.root / "sdtm").is_dir() else {}
    load_not_mapped(study)
    adam = load_adam_spec(study) if (study.root / "adam").is_dir() else {}
    print(f"spec '{study.root}' is valid: study {study.studyid}, {len(study.forms)} forms, "
          f"{len(study.codelists)} codelists, {len(study.visits)} visits, {len(domains)} SDTM domains, "
          f"{len(adam)} ADaM datasets")
    return EXIT_OK


def _check(folder: Path, out: Path) -> int:
    if not folder.is_dir():
        print(f"cdisc-pipe: DIR must be an existing folder (got '{folder}')", file=sys.stderr)
        return EXIT_USAGE
    from cdisc_pipe.conformance import check_folder, write_report

    report = check_folder(folder)
    files = write_report(report, out)
    print(f"cdisc-pipe: check: {report.summary()}; report in {files.html}", file=sys.stderr)
    return EXIT_DATA if report.has_errors else EXIT_OK


def _simulate(args: argparse.Namespace) -> int:
    if args.subjects is not None and args.subjects < 1:
        print(f"cdisc-pipe: --subjects must be a positive whole number (got {args.subjects})", file=sys.stderr)
        return EXIT_USAGE
    from cdisc_pipe.paths import default_study_dir
    from cdisc_pipe.simulate import run_simulation

    written = run_simulation(args.study or default_study_dir(), args.out, subjects=args.subjects,
                             seed=args.seed, format=args.format)
    print(f"cdisc-pipe: wrote the raw export to {written}", file=sys.stderr)
    return EXIT_OK


def _summarise(result: RunResult, stream: TextIO) -> None:
    report = result.report()
    reports = result.out / "reports"
    if result.ok:
        stream.write(f"cdisc-pipe: done; outputs in {result.out}, reports in {reports}\n")
        return
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    stream.write(f"cdisc-pipe: stage '{result.failed_stage}' found {len(errors)} error(s); "
                 f"later stages were not run and earlier outputs are unchanged\n")
    for finding in errors[:MAX_LISTED]:
        where = ":".join(str(x) for x in (finding.file, finding.row) if x is not None)
        stream.write(f"  {finding.rule} {where} {finding.message}\n")
    if len(errors) > MAX_LISTED:
        stream.write(f"  ... and {len(errors) - MAX_LISTED} more; see {reports}\n")
    else:
        stream.write(f"  see {reports}\n")


if __name__ == "__main__":
    raise SystemExit(main())
