"""The fixed parts of a SAS XPORT v5 file: header records, the NAMESTR, format text, header timestamps.

Shared by the writer (:mod:`xpt_write`) and the reader (:mod:`xpt_read`); docs/xpt.md describes the layout.
Everything here works on one header or one variable at a time; values are handled column-wise elsewhere.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "RECORD",
    "NAMESTR_LEN",
    "LIBRARY_HEADER",
    "MEMBER_HEADER",
    "DSCRPTR_HEADER",
    "OBS_HEADER",
    "NAMESTR_PREFIX",
    "namestr_header",
    "Namestr",
    "pack_namestr",
    "unpack_namestr",
    "parse_format",
    "compose_format",
    "format_timestamp",
    "parse_timestamp",
    "date_kind",
    "NAME_PATTERN",
    "MEMBER_PREFIX",
    "TIMESTAMP_YEARS",
]

RECORD = 80
NAMESTR_LEN = 140
LIBRARY_HEADER = b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  "
MEMBER_HEADER = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!000000000000000001600000000140  "
DSCRPTR_HEADER = b"HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!000000000000000000000000000000  "
OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!000000000000000000000000000000  "
NAMESTR_PREFIX = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000"
MEMBER_PREFIX = MEMBER_HEADER[:48]

#: SAS names as XPT v5 (and the FDA) allow them: 1-8 upper-case letters, digits, underscores; no digit first.
NAME_PATTERN = re.compile(r"[A-Z_][A-Z0-9_]{0,7}")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# ntype nhfun nlng nvar0 nname nlabel nform nfl nfd nfj nfill niform nifl nifd npos rest
_NAMESTR = struct.Struct(">hhhh8s40s8shhh2s8shhi52s")
assert _NAMESTR.size == NAMESTR_LEN


def namestr_header(count: int) -> bytes:
    return NAMESTR_PREFIX + b"%04d" % count + b"0" * 20 + b"  "


@dataclass(frozen=True)
class Namestr:
    """One NAMESTR record, fields already decoded (text with trailing blanks removed)."""

    ntype: int
    length: int
    number: int
    name: str
    label: str
    format: str | None
    informat: str | None
    justification: int
    position: int


def _text(raw: bytes, encoding: str) -> str:
    """Fixed-width text field: trailing blanks dropped, anything else (NUL padding too) kept."""
    return raw.rstrip(b" ").decode(encoding)


def pack_namestr(ntype: int, length: int, number: int, name: bytes, label: bytes, form: tuple,
                 informat: tuple, justification: int, position: int) -> bytes:
    """``form``/``informat`` are ``(name_bytes, width, decimals)`` from :func:`parse_format`."""
    return _NAMESTR.pack(
        ntype, 0, length, number, name.ljust(8), label.ljust(40), form[0].ljust(8), form[1], form[2],
        justification, b"\0\0", informat[0].ljust(8), informat[1], informat[2], position, b"\0" * 52,
    )


def unpack_namestr(raw: bytes, encoding: str) -> Namestr:
    raw = raw.ljust(NAMESTR_LEN, b"\0")  # VAX/VMS files use a 136-byte NAMESTR
    (ntype, _hash, length, number, name, label, form, nfl, nfd, nfj, _fill, iform, nifl, nifd, npos,
     _rest) = _NAMESTR.unpack(raw)
    return Namestr(
        ntype=ntype, length=length, number=number, name=_text(name, encoding), label=_text(label, encoding),
        format=compose_format(_text(form, encoding), nfl, nfd),
        informat=compose_format(_text(iform, encoding), nifl, nifd),
        justification=nfj, position=npos,
    )


# A SAS format: optional '$', a name that cannot end in a digit, a width, a dot, decimals ("DATE9.",
# "8.2", "$CHAR20.", "$1.", "BEST."). The name part is at most 8 bytes in a v5 NAMESTR.
_FORMAT = re.compile(r"(?P<name>\$?(?:[A-Za-z_](?:[A-Za-z0-9_]*[A-Za-z_])?)?)(?P<width>\d*)\.(?P<dec>\d*)")


def parse_format(text: str | None) -> tuple[str, int, int] | None:
    """``"DATE9."`` -> ``("DATE", 9, 0)``; ``None``/``""`` -> ``("", 0, 0)``; not a format -> None."""
    if text is None or text == "":
        return ("", 0, 0)
    match = _FORMAT.fullmatch(text)
    if match is None:
        return None
    width = int(match["width"] or 0)
    decimals = int(match["dec"] or 0)
    if len(match["name"]) > 8 or width > 32767 or decimals > 32767:
        return None
    return (match["name"], width, decimals)


def compose_format(name: str, width: int, decimals: int) -> str | None:
    """The inverse of :func:`parse_format`; an empty NAMESTR format is None."""
    if not name and not width and not decimals:
        return None
    return f"{name}{width or ''}.{decimals or ''}"


def format_timestamp(value: datetime) -> bytes:
    """``ddMMMyy:hh:mm:ss`` as SAS writes header timestamps (two-digit year, see :func:`parse_timestamp`)."""
    return b"%02d%s%02d:%02d:%02d:%02d" % (
        value.day, MONTHS[value.month - 1].encode(), value.year % 100, value.hour, value.minute, value.second,
    )


_TIMESTAMP = re.compile(rb"(\d\d)([A-Z]{3})(\d\d):(\d\d):(\d\d):(\d\d)")


def parse_timestamp(raw: bytes) -> datetime | None:
    """Two-digit years pivot as Python's ``%y`` (and pandas.read_sas) do: 69-99 -> 19xx, 00-68 -> 20xx."""
    match = _TIMESTAMP.fullmatch(raw)
    if match is None or match[2].decode() not in MONTHS:
        return None
    year = int(match[3])
    year += 1900 if year >= 69 else 2000
    try:
        return datetime(year, MONTHS.index(match[2].decode()) + 1, int(match[1]), int(match[4]),
                        int(match[5]), int(match[6]))
    except ValueError:
        return None


TIMESTAMP_YEARS = (1969, 2068)

# SAS format families whose Num values are dates (days since 1960-01-01), datetimes (seconds since
# 1960-01-01T00:00) or times (seconds since midnight).
_DATE = set(
    "DATE DAY DDMMYY DDMMYYB DDMMYYC DDMMYYD DDMMYYN DDMMYYP DDMMYYS DOWNAME E8601DA B8601DA IS8601DA "
    "JULDAY JULIAN MMDDYY MMDDYYB MMDDYYC MMDDYYD MMDDYYN MMDDYYP MMDDYYS MMYY MMYYC MMYYD MMYYN MMYYP "
    "MMYYS MONNAME MONTH MONYY NENGO QTR QTRR WEEKDATE WEEKDATX WEEKDAY WEEKU WEEKV WEEKW WORDDATE "
    "WORDDATX YEAR YYMM YYMMC YYMMD YYMMN YYMMP YYMMS YYMMDD YYMMDDB YYMMDDC YYMMDDD YYMMDDN YYMMDDP "
    "YYMMDDS YYMON YYQ YYQC YYQD YYQN YYQP YYQS YYQR YYQRC YYQRD YYQRN YYQRP YYQRS MINGUO PDJULG PDJULI "
    "EURDFDD EURDFDE EURDFDN EURDFDWN EURDFMY EURDFMN EURDFWDX EURDFWKX NLDATE NLDATEMN NLDATEW NLDATEWN "
    "NLDATEYM NLDATEYQ NLDATEYR NLDATEYW HDATE HEBDATE".split()
)
_DATETIME = set(
    "DATETIME DATEAMPM DTDATE DTMONYY DTWKDATX DTYEAR DTYYQC E8601DT E8601DN E8601DX E8601DZ E8601LX "
    "B8601DT B8601DN B8601DX B8601DZ B8601LX IS8601DT IS8601DN IS8601DZ MDYAMPM NLDATM NLDATMAP NLDATMDT "
    "NLDATMMN NLDATMW NLDATMWN NLDATMYM NLDATMYQ NLDATMYR NLDATMYW EURDFDT".split()
)
_TIME = set(
    "TIME TIMEAMPM TOD HHMM HOUR MMSS E8601TM E8601TZ E8601TX E8601LZ B8601TM B8601TZ B8601TX B8601LZ "
    "IS8601TM IS8601TZ NLTIME NLTIMAP".split()
)


def date_kind(fmt: str | None) -> str | None:
    """"date", "datetime" or "time" for a SAS date-family format (``"DATE9."``, ``"E8601DT19."``), else None."""
    parsed = parse_format(fmt)
    if not parsed or not parsed[0]:
        return None
    name = parsed[0].upper()
    if name in _DATE:
        return "date"
    if name in _DATETIME:
        return "datetime"
    if name in _TIME:
        return "time"
    return None
