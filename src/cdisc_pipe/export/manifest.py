"""``manifest.json``: the SHA-256 of every input and output of a run, and the tool and standard versions.

Deterministic: paths are relative and sorted, the only time written is the study's submission timestamp,
and the JSON is written with sorted keys, two-space indentation and a final newline.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Iterable, Mapping

__all__ = ["sha256", "file_hashes", "build_manifest", "write_manifest", "STANDARDS", "TOOLS"]

#: The standards the written files follow.
STANDARDS = {
    "SDTM": "SDTMIG 3.4",
    "ADaM": "ADaMIG 1.3",
    "transport": "SAS XPORT version 5",
    "Dataset-JSON": "1.1",
    "Define-XML": "2.1",
}

#: Packages whose versions are recorded (what produced the bytes).
TOOLS = ("cdisc_pipe", "pandas", "numpy", "pyarrow", "pandera", "jinja2", "xmlschema", "pyreadstat")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(root: Path, paths: Iterable[Path] | None = None) -> dict[str, str]:
    """{path relative to ``root`` (POSIX): SHA-256} for ``paths`` (default: every file under ``root``)."""
    chosen = sorted(p for p in (paths if paths is not None else root.rglob("*")) if p.is_file())
    return {p.relative_to(root).as_posix(): sha256(p) for p in chosen}


def _version(package: str) -> str:
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return "not installed"


def build_manifest(*, studyid: str, timestamp: datetime, ct_version: str | None,
                   inputs: Mapping[str, Mapping[str, str]], outputs: Mapping[str, str]) -> dict:
    """The manifest as a mapping: ``inputs`` groups input hashes by kind (raw export, study spec)."""
    return {
        "study": studyid,
        "created": timestamp.isoformat(timespec="seconds"),
        "standards": {**STANDARDS, "controlled_terminology": f"SDTM CT {ct_version}" if ct_version else None},
        "tools": {"python": platform.python_version(), **{name: _version(name) for name in TOOLS}},
        "inputs": {kind: dict(sorted(hashes.items())) for kind, hashes in sorted(inputs.items())},
        "outputs": dict(sorted(outputs.items())),
    }


def write_manifest(manifest: Mapping, path: Path) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
