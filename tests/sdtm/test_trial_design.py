"""Trial design domains from the default spec."""

from cdisc_pipe.sdtm.trial_design import build_ta, build_te, build_ti, build_tv


def test_ta_has_every_arm_and_element(study):
    ta = build_ta(study)
    assert len(ta) == 12
    low = ta[ta["ARMCD"] == "LOW"]
    assert low["TAETORD"].tolist() == [1, 2, 3, 4]
    assert low["ETCD"].tolist() == ["SCRN", "INF", "FU", "LTFU"]
    assert low["EPOCH"].tolist() == ["SCREENING", "TREATMENT", "FOLLOW-UP", "LONG-TERM FOLLOW-UP"]
    assert (ta["STUDYID"] == "HUCMSC-DLC").all() and (ta["DOMAIN"] == "TA").all()


def test_te_elements(study):
    te = build_te(study)
    assert te["ETCD"].tolist() == ["SCRN", "INF", "FU", "LTFU"]
    assert te.loc[te["ETCD"] == "INF", "TEDUR"].item() == "P15D"


def test_tv_visit_days_and_windows(study):
    tv = build_tv(study)
    day29 = tv[tv["VISITNUM"] == 5].iloc[0]
    assert (day29["VISIT"], day29["VISITDY"], day29["TVSTRL"], day29["TVENRL"]) == (
        "DAY 29", 29, "Study day 26", "Study day 32")
    assert tv["VISITNUM"].is_monotonic_increasing
    assert tv.loc[tv["VISIT"] == "END OF STUDY", "VISITDY"].isna().all()


def test_ti_criteria(study):
    ti = build_ti(study)
    assert ti["IECAT"].value_counts().to_dict() == {"EXCLUSION": 14, "INCLUSION": 9}
    assert ti.loc[ti["IETESTCD"] == "IN05", "IETEST"].item() == "Child-Pugh score >= 7"
    assert ti["IETEST"].str.len().max() <= 200
