"""All-or-nothing output folders.

Every run writes into a staging folder beside the output folder. When the run succeeds, each top-level
entry of the staging folder replaces its namesake in the output folder; when it fails, only the reports
(``reports/``) are moved in, so a data manager sees why, and every data output of an earlier successful run
is left exactly as it was. An interrupted run leaves only a ``.staging-*`` folder, which the next run
removes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["Staging", "REPORTS"]

#: The sub-folder that holds the findings reports; it is published even when a stage fails.
REPORTS = "reports"


class Staging:
    """A staging folder for one run into ``out``. Use :meth:`publish` or :meth:`publish_reports`."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        for stale in [*self.out.glob(".staging-*"), *self.out.glob(".retired-*")]:
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
        self.path = self.out / f".staging-{os.getpid()}"
        self.path.mkdir()

    def dir(self, *parts: str) -> Path:
        """A sub-folder of the staging area, created on demand."""
        folder = self.path.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def publish(self) -> None:
        """Move every staged entry into the output folder, replacing what was there."""
        for entry in sorted(self.path.iterdir()):
            _replace(entry, self.out / entry.name)
        self.discard()

    def publish_reports(self) -> None:
        """Move only the reports into the output folder; drop every other staged output."""
        reports = self.path / REPORTS
        if reports.exists():
            _replace(reports, self.out / REPORTS)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _replace(source: Path, target: Path) -> None:
    """Put ``source`` at ``target``; the old ``target`` is removed only once the new one is in place."""
    if not target.exists():
        os.replace(source, target)
        return
    retired = target.with_name(f".retired-{target.name}-{os.getpid()}")
    os.replace(target, retired)
    os.replace(source, target)
    if retired.is_dir():
        shutil.rmtree(retired)
    else:
        retired.unlink()
