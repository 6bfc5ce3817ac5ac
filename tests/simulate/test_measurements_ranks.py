"""Rank statistics of the simulator against scipy, and the stored rank patterns against the paper."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import yaml
from test_measurements_readback import round_half_up

from cdisc_pipe.simulate.ranks import (
    exact_signed_rank_pvalue,
    is_non_significant,
    kruskal_pvalue,
    search_pooled_pattern,
    signed_rank_pvalues,
)

import scipy.stats as st


@pytest.fixture(scope="module")
def config(study_dir) -> dict:
    return yaml.safe_load((study_dir / "simulation-measurements.yaml").read_text(encoding="utf-8"))


def test_exact_signed_rank_table():
    expected = {(8, 0): 0.0078125, (7, 0): 0.015625, (8, 1): 0.015625, (6, 0): 0.03125, (7, 1): 0.03125,
                (8, 2): 0.0234375, (8, 3): 0.0390625, (7, 2): 0.046875, (8, 4): 0.0546875, (7, 3): 0.078125}
    for (n, t), p in expected.items():
        assert exact_signed_rank_pvalue(n, t) == pytest.approx(p, abs=1e-12)


def test_signed_rank_pvalues_match_scipy():
    rng = np.random.default_rng(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(160):
            n = int(rng.integers(2, 11))
            d = rng.integers(-4, 5, size=n).astype(float) if i % 2 else rng.normal(size=n).round(2)
            if np.all(d == 0):
                continue
            ours = signed_rank_pvalues(d)
            assert ours["exact"] == pytest.approx(st.wilcoxon(d, method="exact").pvalue, abs=1e-12)
            assert ours["permutation"] == pytest.approx(st.wilcoxon(d).pvalue, abs=1e-12)
            assert ours["normal"] == pytest.approx(st.wilcoxon(d, method="approx", correction=False).pvalue, abs=1e-12)
            assert ours["normal_corrected"] == pytest.approx(
                st.wilcoxon(d, method="approx", correction=True).pvalue, abs=1e-12)


def test_non_significance_asks_every_method():
    assert not is_non_significant([1, 2, 3, 4, 5, 6, 7, 8], 0.05)
    # T = 4: exact 0.0547 is not significant, but the normal approximation (0.0499) is
    assert signed_rank_pvalues([1, 2, 3, -4, 5, 6, 7, 8])["exact"] == pytest.approx(0.0546875)
    assert not is_non_significant([1, 2, 3, -4, 5, 6, 7, 8], 0.05)
    assert is_non_significant([1, 2, 3, 4, -5, 6, 7, 8], 0.05)        # exact 0.078, normal 0.069
    assert is_non_significant([0, 0, 0], 0.05)


def test_kruskal_matches_scipy():
    rng = np.random.default_rng(8)
    for i in range(300):
        sizes = rng.integers(3, 9, size=int(rng.integers(2, 4)))
        groups = [rng.integers(-3, 4, size=s).astype(float) if i % 2 else rng.normal(size=s) for s in sizes]
        values = np.concatenate(groups)
        if len(np.unique(values)) < 2:
            continue
        labels = np.concatenate([[g] * s for g, s in enumerate(sizes)])
        assert kruskal_pvalue(values, labels) == pytest.approx(st.kruskal(*groups).pvalue, abs=1e-12)


def test_pattern_search_is_deterministic_and_hits_its_target():
    kwargs = {"target": 0.0108, "within": {"LOW": "ns", "MEDIUM": 0, "HIGH": "ns"},
              "forced": {"MEDIUM": {i: 1 for i in range(7)}}, "seed": 3}
    first = search_pooled_pattern({"LOW": 8, "MEDIUM": 7, "HIGH": 8}, **kwargs)
    assert first == search_pooled_pattern({"LOW": 8, "MEDIUM": 7, "HIGH": 8}, **kwargs)
    groups = [np.array(first[a], dtype=float) for a in ("LOW", "MEDIUM", "HIGH")]
    assert round_half_up(st.kruskal(*groups).pvalue) == 0.0108
    assert st.wilcoxon(groups[1], method="exact").pvalue == pytest.approx(0.015625)
    with pytest.raises(RuntimeError, match="found no pattern"):
        search_pooled_pattern({"A": 2, "B": 2}, target=0.0001, within={}, max_steps=50)


def _ranks(config, name, folder, arm):
    return np.array([v for v in config["patterns"][name][folder][arm] if v is not None], dtype=float)


def test_stored_within_patterns_give_the_published_p_values(config, published):
    mapping = {"ALB": "ALB", "ALT": "ALT", "CHE": "CHE", "BILI": "TBIL", "CHOL": "CHOL", "PTTA": "PTA",
               "AT3": "AT3", "NK": "NK", "IL8": "IL8"}
    checked = 0
    for key, by_arm in published["within_group_wilcoxon"].items():
        if key not in mapping:
            continue
        for arm, by_day in by_arm.items():
            for day, value in by_day.items():
                ranks = _ranks(config, mapping[key], f"D{int(day):03d}", arm)
                within = np.argsort(np.argsort(np.abs(ranks))) + 1.0       # pooled ranks -> ranks in the arm
                p = st.wilcoxon(np.sign(ranks) * within, method="exact").pvalue
                assert (p < 0.05) if value == "significant" else round_half_up(p) == float(value), (key, arm, day, p)
                checked += 1
    assert checked == 26


def test_stored_pooled_patterns_give_the_published_kruskal_wallis(config, published):
    tbil = [_ranks(config, "TBIL", "D029", a) for a in ("LOW", "MEDIUM", "HIGH")]
    assert round_half_up(st.kruskal(*tbil).pvalue) == published["between_group"]["BILI"][29]
    il8 = [_ranks(config, "IL8", "D169", a) for a in ("LOW", "MEDIUM", "HIGH")]
    assert round_half_up(st.kruskal(*il8).pvalue) == published["between_group"]["IL8"][169]
    il17 = [_ranks(config, "IL17A", "D057", a) for a in ("LOW", "HIGH")]
    assert round_half_up(st.kruskal(*il17).pvalue) == published["between_group"]["IL17A_day57_low_vs_high"]
    for groups, arms in ((tbil, ("LOW", "HIGH")), (il8, ("LOW", "MEDIUM"))):
        for g, arm in zip(groups, ("LOW", "MEDIUM", "HIGH")):
            if arm in arms:
                assert min(signed_rank_pvalues(g).values()) >= 0.05, arm


def test_templates_give_the_child_pugh_design(config):
    """LOW day 57: six decreases of 1..6 points (n 6, T 0, p 0.0313); every baseline >= 7."""
    visits = ("D001", "D029", "D057", "D085", "D169")
    absent = {(m["arm"], seq, m["folder"]) for m in config["missing"] if m["fields"] == "all"
              and m["form"] in ("LBCOAG", "LBLIV", "SYMP") for seq in (m.get("armseq") or range(1, 9))}

    def score(t, k):
        he = int(t.get("he", "00000")[k])
        return int(t["alb"][k]) + int(t["tbil"][k]) + 1 + int(t["ascites"][k]) + 1 + (1 if he == 0 else 2 if he <= 2 else 3)

    drops = []
    for arm, by_seq in config["templates"].items():
        for seq, t in by_seq.items():
            assert score(t, 0) >= 7, (arm, seq)
            if arm == "LOW" and t["alb"][2] != "." and (arm, seq, "D057") not in absent:
                drops.append(score(t, 2) - score(t, 0))
    assert sorted(drops) == [-6, -5, -4, -3, -2, -1]
    assert len(visits) == 5


def _by_position(config, name, folder, arm, table):
    """ARMSEQ-keyed search settings -> positions among the arm's non-null entries."""
    seqs = [i for i, v in enumerate(config["patterns"][name][folder][arm], start=1) if v is not None]
    return {seqs.index(int(seq)): value for seq, value in (table or {}).items()}


@pytest.mark.parametrize(("name", "folder"), [("TBIL", "D029"), ("IL8", "D169")])
def test_stored_pooled_patterns_are_what_the_search_finds(config, name, folder):
    cell = config["patterns"][name][folder]
    search = cell["search"]
    arms = [a for a in ("LOW", "MEDIUM", "HIGH") if a in cell]
    sizes = {a: sum(v is not None for v in cell[a]) for a in arms}
    options = {key: {a: _by_position(config, name, folder, a, search.get(key, {}).get(a)) for a in arms}
               for key in ("forced", "max_rank", "min_rank")}
    found = search_pooled_pattern(sizes, target=search["target"], within=search["within"], seed=search["seed"],
                                  **options)
    assert found == {a: [v for v in cell[a] if v is not None] for a in arms}
