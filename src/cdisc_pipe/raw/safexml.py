"""Stream-parse untrusted XML, refusing anything that could reach outside the file or blow up in memory.

The parser is ``defusedxml``'s :class:`~defusedxml.ElementTree.DefusedXMLParser` (expat underneath) with
every protection on:

* any DTD (``<!DOCTYPE ...>``, internal subset or external) is refused: a clinical data file never needs
  one, and a DTD is how external entities (XXE) and entity-expansion bombs ("billion laughs") arrive;
* entity declarations (general, parameter, unparsed) and external references are refused as such, so
  the message says which entity was declared;
* nothing is fetched from the network or the file system; no entity is ever expanded.

A refusal is an :class:`~cdisc_pipe.errors.InputError` naming the file, the line and the reason.
Elements are passed to a :class:`XmlHandler` as they are read (``start``/``end``/``text``); no tree is
built, so memory stays proportional to what the handler keeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from cdisc_pipe.errors import InputError

__all__ = ["NAME_SEPARATOR", "XmlHandler", "parse_xml"]

#: Element and attribute names reach the handler as ``namespace + NAME_SEPARATOR + local name``
#: (``"http://www.cdisc.org/ns/odm/v1.3}ItemData"``); names without a namespace are the local name alone.
NAME_SEPARATOR = "}"


class XmlHandler(Protocol):
    """What :func:`parse_xml` calls. ``attrs`` maps attribute names (namespaced as elements) to values."""

    def start(self, name: str, attrs: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def text(self, data: str) -> None: ...


class _RefusingParser(DefusedXMLParser):
    """``DefusedXMLParser`` that also refuses DTDs without entities and hands events to a handler directly.

    The element handlers of the underlying expat parser are replaced by the handler's methods, which
    skips building an ElementTree (about twice as fast); defusedxml's own entity and external-reference
    guards stay installed.
    """

    def __init__(self, handler: XmlHandler) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)
        parser = self.parser
        self._doctype: tuple[str, str | None, str | None] | None = None
        parser.StartDoctypeDeclHandler = self._start_doctype
        parser.EndDoctypeDeclHandler = self._end_doctype
        parser.ordered_attributes = False
        parser.specified_attributes = True
        parser.buffer_text = True
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.text
        parser.DefaultHandlerExpand = None
        parser.CommentHandler = None
        parser.ProcessingInstructionHandler = None

    def _start_doctype(self, name: str, sysid: str | None, pubid: str | None, internal: bool) -> None:
        # Entity declarations inside the DTD are refused by defusedxml as they are met (naming the
        # entity); a DTD that declares none is refused when it ends.
        self._doctype = (name, sysid, pubid)

    def _end_doctype(self) -> None:
        name, sysid, pubid = self._doctype or ("?", None, None)
        raise DTDForbidden(name, sysid, pubid)

    @property
    def line(self) -> int:
        return self.parser.CurrentLineNumber

    def parse_file(self, stream: BinaryIO) -> None:
        self.parser.ParseFile(stream)


def parse_xml(path: Path, handler: XmlHandler) -> None:
    """Parse the XML file at ``path``, calling ``handler`` per element; refuse hostile content.

    Raises :class:`InputError` when the file cannot be opened, is not well-formed XML, or carries a DTD,
    an entity declaration or an external reference. Errors the handler raises propagate unchanged.
    """
    path = Path(path)
    name = path.name
    parser = _RefusingParser(handler)
    try:
        with path.open("rb") as stream:
            parser.parse_file(stream)
    except EntitiesForbidden as err:
        raise InputError(_refusal(name, parser.line, _entity_reason(err))) from err
    except ExternalReferenceForbidden as err:
        reason = f"an external reference to {err.sysid or err.pubid!r}"
        raise InputError(_refusal(name, parser.line, reason)) from err
    except DTDForbidden as err:
        where = f" SYSTEM {err.sysid!r}" if err.sysid else ""
        reason = f"a DTD (<!DOCTYPE {err.name}{where}>)"
        raise InputError(_refusal(name, parser.line, reason)) from err
    except expat.ExpatError as err:
        message = expat.errors.messages[err.code]
        raise InputError(
            f"`{name}` must be well-formed XML (got '{message}' at line {err.lineno}, column {err.offset})"
        ) from err
    except OSError as err:
        raise InputError(f"`{path}` must be a readable file (got {err.strerror})") from err


def _entity_reason(err: EntitiesForbidden) -> str:
    if err.sysid or err.pubid:
        target = err.sysid or err.pubid
        return f"an external entity '{err.name}' pointing at {target!r} (XXE)"
    return f"an entity declaration '{err.name}' (entity expansion, as in a 'billion laughs' bomb)"


def _refusal(name: str, line: int, reason: str) -> str:
    return (
        f"`{name}` must be plain XML without DTD, entity declarations or external references "
        f"(got {reason} at line {line}); the file is refused"
    )
