"""Where the jinja2 templates are, and the one environment that renders them.

Templates live at the top of the checkout in ``templates/`` where users can read and adapt them
(located through :func:`cdisc_pipe.paths.templates_dir`, which honours ``CDISC_PIPE_HOME``). A wheel has
no checkout, so the package's own ``cdisc_pipe/templates`` folder (``package-data`` in ``pyproject.toml``)
is the fallback. When neither holds the template asked for, :class:`~cdisc_pipe.errors.InputError` names
every place that was looked in.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from cdisc_pipe import paths
from cdisc_pipe.errors import InputError, SpecError

__all__ = ["templates_dir", "template_environment"]


def _candidates() -> list[Path]:
    found: list[Path] = []
    try:
        found.append(paths.templates_dir())
    except SpecError:
        pass  # no checkout (e.g. installed from a wheel): the packaged copy below is the answer
    found.append(Path(str(resources.files("cdisc_pipe") / "templates")))
    return found


def templates_dir(template: str = "findings.html.j2") -> Path:
    """The first templates folder holding ``template``: the checkout's ``templates/``, else the packaged one."""
    candidates = _candidates()
    for folder in candidates:
        if (folder / template).is_file():
            return folder
    tried = ", ".join(f"'{c}'" for c in candidates)
    raise InputError(
        f"template '{template}' must exist in a templates folder (got none in {tried}); "
        "set CDISC_PIPE_HOME to the cdisc_pipe checkout"
    )


def template_environment(folder: Path) -> jinja2.Environment:
    """A strict jinja2 environment over ``folder``: autoescaping on, undefined names are errors."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
