"""Where the project's shipped material lives: the default study spec, its raw export, the templates.

The package is installed from a checkout (``pip install -e .``); the study specs and jinja2 templates stay
at the top of that checkout (``specs/``, ``templates/``) where users can read and edit them. The environment
variable ``CDISC_PIPE_HOME`` points elsewhere when the checkout has been moved or the package was installed
from a wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

from cdisc_pipe.errors import SpecError

__all__ = ["project_root", "default_study_dir", "default_raw_dir", "templates_dir", "DEFAULT_STUDY"]

#: Folder name, under ``specs/``, of the study that runs when no ``--study`` is given.
DEFAULT_STUDY = "hucmsc-dlc"


def project_root() -> Path:
    """The checkout holding ``specs/`` and ``templates/``."""
    env = os.environ.get("CDISC_PIPE_HOME")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2])
    for candidate in candidates:
        if (candidate / "specs").is_dir() and (candidate / "templates").is_dir():
            return candidate
    tried = ", ".join(f"'{c}'" for c in candidates)
    raise SpecError(
        f"project folder must hold specs/ and templates/ (got none at {tried}); "
        "set CDISC_PIPE_HOME to the cdisc_pipe checkout"
    )


def default_study_dir() -> Path:
    """``specs/hucmsc-dlc``: the default study's spec."""
    return project_root() / "specs" / DEFAULT_STUDY


def default_raw_dir(study_dir: Path) -> Path:
    """The raw export shipped beside a study's spec (``<study>/raw``)."""
    return Path(study_dir) / "raw"


def templates_dir() -> Path:
    """The jinja2 templates folder."""
    return project_root() / "templates"
