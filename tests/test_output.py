"""All-or-nothing outputs: a failed run publishes its reports and leaves every earlier output untouched."""

from __future__ import annotations

from pathlib import Path

from cdisc_pipe.output import REPORTS, Staging


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_publish_replaces_each_entry(tmp_path):
    out = tmp_path / "out"
    first = Staging(out)
    (first.dir("sdtm") / "dm.csv").write_text("old\n")
    (first.dir(REPORTS) / "r.json").write_text("{}\n")
    first.publish()
    assert _tree(out) == {"sdtm/dm.csv": b"old\n", "reports/r.json": b"{}\n"}

    second = Staging(out)
    (second.dir("sdtm") / "ae.csv").write_text("new\n")
    second.publish()
    assert _tree(out) == {"sdtm/ae.csv": b"new\n", "reports/r.json": b"{}\n"}


def test_failed_run_publishes_reports_only(tmp_path):
    out = tmp_path / "out"
    good = Staging(out)
    (good.dir("sdtm") / "dm.csv").write_text("good\n")
    (good.dir(REPORTS) / "raw-findings.json").write_text('{"ok": true}\n')
    good.publish()

    bad = Staging(out)
    (bad.dir("sdtm") / "dm.csv").write_text("partial\n")
    (bad.dir(REPORTS) / "raw-findings.json").write_text('{"ok": false}\n')
    bad.publish_reports()
    assert _tree(out) == {"sdtm/dm.csv": b"good\n", "reports/raw-findings.json": b'{"ok": false}\n'}


def test_interrupted_run_leaves_no_trace_after_the_next(tmp_path):
    out = tmp_path / "out"
    crashed = Staging(out)
    (crashed.dir("sdtm") / "dm.csv").write_text("half\n")
    # the process dies here: no publish, no discard
    Staging(out).discard()
    assert list(out.iterdir()) == []
