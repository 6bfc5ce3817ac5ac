"""IBM System/370 hexadecimal floating point <-> IEEE 754 doubles, and SAS missing values, vectorised.

An IBM double is 1 sign bit, a 7-bit base-16 exponent biased by 64, and a 56-bit fraction without a hidden
bit: ``value = (-1)**s * 0.F * 16**(E - 64)``. Every finite IEEE double whose magnitude lies in
``[16**-65, 16**63)`` converts exactly (53 significant bits fit in 56); others cannot be stored and are
reported, never rounded or clamped. The conversion runs on ``uint64`` arrays: no Python loop per value.

SAS missing values are stored as the missing tag in the first byte and seven zero bytes: ``.`` (0x2E), the
special missings ``.A``-``.Z`` (0x41-0x5A) and ``._`` (0x5F). In memory a special missing is a quiet NaN
whose payload carries the tag (``0x7FF8_0000_0000_00TT``, ``TT`` the tag's ASCII code), the way SAS itself
keeps special missings as NaN payloads on IEEE hosts; every other NaN (``np.nan``, ``NaT`` after date
conversion, a NaN from arithmetic) is the ordinary missing ``.``. :func:`sas_missing` makes such a value and
:func:`missing_tags` reads the tags back.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SPECIAL_TAGS", "sas_missing", "missing_tags", "ieee_to_ibm", "ibm_to_ieee"]

SPECIAL_TAGS = "_ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAN = np.uint64(0x7FF8_0000_0000_0000)
_TAG_MASK = np.uint64(0xFF)
_SIGN = np.uint64(0x8000_0000_0000_0000)
_FRACTION_52 = np.uint64((1 << 52) - 1)
_HIDDEN_BIT = np.uint64(1 << 52)
_FRACTION_56 = np.uint64((1 << 56) - 1)
_DOT = 0x2E


def sas_missing(tag: str = ".") -> float:
    """The float that stands for SAS missing value ``tag`` ("." or one of "A"-"Z", "_"; a leading dot is
    allowed: ".A"). Assign it into a float64 column to write a special missing."""
    letter = tag[1:] if len(tag) == 2 and tag[0] == "." else tag
    if letter == ".":
        return float("nan")
    if len(letter) != 1 or letter not in SPECIAL_TAGS:
        raise ValueError(f"SAS missing tag must be '.', '.A'-'.Z' or '._' (got {tag!r})")
    return float(np.array([_NAN | np.uint64(ord(letter))], dtype=np.uint64).view(np.float64)[0])


def _special_codes(bits: np.ndarray) -> np.ndarray:
    """Tag byte of every special-missing NaN in ``bits`` (uint64 view of float64), 0 elsewhere."""
    low = bits & _TAG_MASK
    is_special = ((bits & ~_TAG_MASK) == _NAN) & (
        ((low >= 0x41) & (low <= 0x5A)) | (low == 0x5F)
    )
    return np.where(is_special, low, np.uint64(0))


def missing_tags(values) -> np.ndarray:
    """Per value: "" when not missing, "." for ordinary missing, "A"-"Z" or "_" for a special missing."""
    array = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    codes = _special_codes(array.view(np.uint64))
    out = np.full(array.shape, "", dtype="<U1")
    out[np.isnan(array)] = "."
    special = codes != 0
    out[special] = codes[special].astype(np.uint8).view("S1").astype("<U1")
    return out


def ieee_to_ibm(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IEEE doubles -> IBM doubles as native ``uint64`` (store big-endian).

    Returns ``(ibm, unrepresentable)``: the second is a boolean mask of values that cannot be stored
    (infinities, magnitudes >= 16**63 or below 16**-65, IEEE subnormals); their ``ibm`` slots hold 0.
    Zero is written as eight zero bytes whatever its sign.
    With ``value = 1.m * 2**p``: IBM exponent ``(p >> 2) + 65``, fraction ``1.m << (p & 3)`` (exact)."""
    x = np.ascontiguousarray(values, dtype=np.float64)
    bits = x.view(np.uint64)
    biased = (bits >> np.uint64(52)) & np.uint64(0x7FF)
    power = biased.astype(np.int64) - 1023
    ibm = ((bits & _FRACTION_52) | _HIDDEN_BIT) << (power & 3).view(np.uint64)
    ibm |= ((power >> 2) + 65).view(np.uint64) << np.uint64(56)
    ibm |= bits & _SIGN
    # Zero, IEEE subnormals, inf/NaN and magnitudes outside IBM's range all have a biased exponent
    # outside 763..1274; they are few, so they are fixed up as a subset.
    odd = np.flatnonzero((biased - np.uint64(763)) > np.uint64(511))
    unrepresentable = np.zeros(len(x), dtype=bool)
    if len(odd):
        sub = bits[odd]
        zero = (sub & ~_SIGN) == 0
        nan = np.isnan(x[odd])
        codes = _special_codes(sub)
        tags = np.where(codes != 0, codes, np.uint64(_DOT)) << np.uint64(56)
        # -0.0 is written as 0 too: ReadStat (pyreadstat, R haven) reads IBM -0 as a missing value.
        ibm[odd] = np.where(nan, tags, np.uint64(0))
        unrepresentable[odd] = ~(zero | nan)
    return ibm, unrepresentable


def ibm_to_ieee(ibm: np.ndarray) -> np.ndarray:
    """IBM doubles (native ``uint64``) -> float64; SAS missing values become NaN (specials keep their tag).

    ``0.F * 16**(E-64)`` is ``F * 2**(4E - 312)`` for the 56-bit integer F: exact for every IBM value
    with at most 53 significant bits (all that an IEEE writer such as SAS produces)."""
    ibm = np.asarray(ibm, dtype=np.uint64)
    first = ibm >> np.uint64(56)
    fraction = ibm & _FRACTION_56
    out = np.ldexp(fraction.astype(np.float64), (first & np.uint64(0x7F)).astype(np.int32) * 4 - 312)
    np.negative(out, out=out, where=first >= 0x80)
    empty = np.flatnonzero(fraction == 0)
    if len(empty):
        tags = first[empty]
        missing = (tags == _DOT) | (tags == 0x5F) | ((tags >= 0x41) & (tags <= 0x5A))
        rows = empty[missing]
        tags = tags[missing]
        out.view(np.uint64)[rows] = np.where(tags == _DOT, _NAN, _NAN | tags)
    return out
