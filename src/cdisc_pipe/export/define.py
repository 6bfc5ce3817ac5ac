"""define.xml: render it from its context, write it with its stylesheet and HTML rendering, validate it.

:func:`write_define` is what the export stage calls, once per model::

    report = write_define(datasets, folder, model="SDTM", study=study, timestamp=timestamp)

It writes ``define.xml`` (jinja2, ``templates/define.xml.j2``), ``define2-1.xsl`` (our stylesheet, from
``define/``) and ``define.html`` (the stylesheet applied with lxml), then returns the findings of
:func:`validate_define` (schema, OIDs, content, define-vs-data) and of the context builder. The checks
live in :mod:`cdisc_pipe.export.define_checks`; their rule ids are listed in docs/define-xml.md.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from cdisc_pipe import paths
from cdisc_pipe.errors import ExportError, Finding, Report, Severity
from cdisc_pipe.export.define_checks import (
    define_schema_path,
    validate_define,
    validate_define_content,
    validate_define_data,
    validate_define_oids,
    validate_define_schema,
)
from cdisc_pipe.export.define_context import STYLESHEET, Document, build_define_context
from cdisc_pipe.export.define_model import DefineContext

if TYPE_CHECKING:
    from cdisc_pipe.export.prepare import ExportDataset
    from cdisc_pipe.spec import Study

__all__ = [
    "render_define", "render_define_html", "write_define", "stylesheet_path", "find_documents",
    "validate_define", "validate_define_schema", "validate_define_oids", "validate_define_data",
    "validate_define_content", "define_schema_path", "DOCUMENTS",
]

#: Documents define.xml links when they sit beside it: file name -> (kind, title), per model.
DOCUMENTS = {
    "SDTM": {"acrf.pdf": ("crf", "Annotated CRF"), "csdrg.pdf": ("supplemental", "Reviewer's Guide")},
    "ADAM": {"adrg.pdf": ("supplemental", "Analysis Data Reviewer's Guide")},
}

# Characters XML 1.0 cannot hold at all (not even as character references).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def stylesheet_path() -> Path:
    """Our define.xml stylesheet (``define/define2-1.xsl`` in the checkout)."""
    path = paths.project_root() / "define" / STYLESHEET
    if not path.is_file():
        raise ExportError(f"the define.xml stylesheet must exist at '{path}' (got nothing there)")
    return path


def render_define(context: DefineContext) -> str:
    """The define.xml text of ``context``. Raises ExportError when a text holds a character XML cannot
    carry (a control character), naming the line it would have been written on."""
    from cdisc_pipe.report.templates import template_environment, templates_dir

    environment = template_environment(templates_dir("define.xml.j2"))
    text = environment.get_template("define.xml.j2").render(define=context)
    bad = _NOT_XML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        snippet = text.splitlines()[line - 1].strip()
        raise ExportError(f"define.xml text must hold only characters XML 1.0 allows (got {bad.group()!r} on line "
                          f"{line}: {snippet[:120]!r})")
    return text


def render_define_html(define_xml: str | bytes, *, stylesheet: Path | None = None) -> str:
    """``define_xml`` rendered as HTML by our stylesheet (lxml's XSLT 1.0, as a browser would)."""
    from lxml import etree  # imported here: only this rendering needs lxml

    data = define_xml.encode("utf-8") if isinstance(define_xml, str) else define_xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    transform = etree.XSLT(etree.parse(str(stylesheet or stylesheet_path()), parser))
    result = transform(etree.fromstring(data, parser))
    return str(result)


def find_documents(folder: Path, model: str) -> list[Document]:
    """The aCRF and reviewer's guides present in ``folder`` (see :data:`DOCUMENTS`), in a fixed order."""
    return [Document(kind, name, title) for name, (kind, title) in DOCUMENTS[model].items()
            if (Path(folder) / name).is_file()]


def write_define(datasets: Mapping[str, "ExportDataset"], folder: Path, *, model: str, study: "Study",
                 timestamp: datetime, documents: Sequence[Document] | None = None) -> Report:
    """Write define.xml, its stylesheet and its HTML rendering for the ``model`` datasets into ``folder``;
    return the findings of the builder and of every check. ``documents`` default: those found in ``folder``."""
    from cdisc_pipe import __version__

    folder = Path(folder)
    chosen = {name: d for name, d in datasets.items() if d.model == model}
    docs = find_documents(folder, model) if documents is None else list(documents)
    context = build_define_context(chosen, model=model, study=study, timestamp=timestamp, documents=docs,
                                   source_system=("cdisc_pipe", __version__))
    text = render_define(context)
    target = folder / "define.xml"
    target.write_text(text, encoding="utf-8")
    shutil.copyfile(stylesheet_path(), folder / STYLESHEET)
    report = Report([_with_file(f, str(target)) for f in context.findings])
    try:
        html = render_define_html(text)
    except ImportError:
        report.add(Finding(stage="export", rule="DEFINE-HTML-UNAVAILABLE", severity=Severity.WARNING,
                           file=str(target), message="define.html was not written: lxml must be installed to "
                           "apply the stylesheet (got no lxml); define.xml still opens in a browser"))
    else:
        (folder / "define.html").write_text(html, encoding="utf-8")
    frames = {name: (d.frame, d.metadata) for name, d in chosen.items()}
    for finding in validate_define(text, datasets=frames).findings:
        report.add(finding if finding.file else _with_file(finding, str(target)))
    return report


def _with_file(finding: Finding, file: str) -> Finding:
    from dataclasses import replace

    return replace(finding, file=file)
