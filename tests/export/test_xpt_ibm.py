"""IBM-370 doubles and SAS missing values: hand-computed bit patterns, both directions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdisc_pipe.export.ibm import SPECIAL_TAGS, ibm_to_ieee, ieee_to_ibm, missing_tags, sas_missing

# value -> IBM bytes, worked by hand: 1.0 = 0.1 (hex) * 16**1 -> exponent 0x41, fraction 0x10000000000000;
# 118.625 = 0x76.A = 0.76A (hex) * 16**2 -> 0x42, sign bit -> 0xC2; 0.1 = 0.1999...9A (hex) * 16**0 -> 0x40.
LITERALS = [
    (1.0, "4110000000000000"),
    (-118.625, "C276A00000000000"),
    (0.0, "0000000000000000"),
    (0.5, "4080000000000000"),
    (16.0, "4210000000000000"),
    (100.0, "4264000000000000"),
    (0.1, "401999999999999A"),
    (16.0**-65, "0010000000000000"),  # the smallest normalised IBM double
    (16.0**63 * (1 - 2.0**-53), "7FFFFFFFFFFFFFF8"),  # the largest double IBM can hold
]


@pytest.mark.parametrize(("value", "hexbytes"), LITERALS)
def test_ieee_to_ibm_literals(value, hexbytes):
    ibm, bad = ieee_to_ibm(np.array([value]))
    assert ibm.astype(">u8").tobytes().hex().upper() == hexbytes
    assert not bad.any()


@pytest.mark.parametrize(("value", "hexbytes"), LITERALS)
def test_ibm_to_ieee_literals(value, hexbytes):
    raw = np.frombuffer(bytes.fromhex(hexbytes), dtype=">u8").astype(np.uint64)
    back = ibm_to_ieee(raw)[0]
    assert back == value and math.copysign(1, back) == math.copysign(1, value)


def test_negative_zero_is_written_as_zero_and_read_with_its_sign():
    # ReadStat (pyreadstat, R haven) reads IBM 0x80000000_00000000 as a missing value, so -0.0 is written as 0.
    ibm, bad = ieee_to_ibm(np.array([-0.0]))
    assert ibm.tolist() == [0] and not bad.any()
    back = ibm_to_ieee(np.array([0x8000_0000_0000_0000], dtype=np.uint64))[0]
    assert back == 0.0 and math.copysign(1, back) == -1


@pytest.mark.parametrize(("tag", "hexbytes"), [(".", "2E00000000000000"), ("A", "4100000000000000"),
                                               ("Z", "5A00000000000000"), ("_", "5F00000000000000")])
def test_missing_values_literals(tag, hexbytes):
    ibm, bad = ieee_to_ibm(np.array([sas_missing(tag)]))
    assert ibm.astype(">u8").tobytes().hex().upper() == hexbytes and not bad.any()
    back = ibm_to_ieee(np.frombuffer(bytes.fromhex(hexbytes), dtype=">u8").astype(np.uint64))
    assert np.isnan(back[0])
    assert missing_tags(back).tolist() == [tag]


def test_any_other_nan_is_the_ordinary_missing():
    other = np.array([np.nan, -np.nan, 0.0 * np.inf, np.float64(np.float32("nan"))])
    ibm, _ = ieee_to_ibm(other)
    assert (ibm >> np.uint64(56)).tolist() == [0x2E] * 4
    assert missing_tags(np.array([1.0, np.nan, sas_missing(".A")])).tolist() == ["", ".", "A"]


def test_fraction_zero_with_a_tag_byte_is_missing_but_a_number_with_that_byte_is_not():
    # 0x41 as first byte is the exponent of 1.0 as well as the tag of .A: only a zero fraction is missing.
    raw = np.frombuffer(bytes.fromhex("4100000000000000" "4110000000000000"), dtype=">u8").astype(np.uint64)
    values = ibm_to_ieee(raw)
    assert np.isnan(values[0]) and values[1] == 1.0


@pytest.mark.parametrize("value", [np.inf, -np.inf, 1e76, -1e300, 5e-80, 5e-324])
def test_unrepresentable_values_are_flagged_not_rounded(value):
    ibm, bad = ieee_to_ibm(np.array([1.0, value]))
    assert bad.tolist() == [False, True]


def test_sas_missing_rejects_unknown_tags():
    with pytest.raises(ValueError, match=r"SAS missing tag must be"):
        sas_missing("a")
    assert len(SPECIAL_TAGS) == 27


ibm_range = st.floats(min_value=16.0**-65, max_value=16.0**63 * (1 - 2.0**-53))


@given(st.lists(st.one_of(ibm_range, ibm_range.map(lambda v: -v), st.just(0.0), st.just(-0.0),
                          st.sampled_from(["."] + list(SPECIAL_TAGS)).map(sas_missing)), max_size=50))
def test_ibm_round_trip_is_bit_exact(values):
    array = np.array(values, dtype=np.float64)
    ibm, bad = ieee_to_ibm(array)
    assert not bad.any()
    back = ibm_to_ieee(ibm)
    expected = array.view(np.uint64).copy()
    expected[np.isnan(array) & (missing_tags(array) == ".")] = np.uint64(0x7FF8_0000_0000_0000)
    expected[array == 0] = 0  # -0.0 is written as 0
    assert back.view(np.uint64).tolist() == expected.tolist()
