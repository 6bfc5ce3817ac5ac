"""SE from DM reference dates and the spec's element start rules."""

import pandas as pd

from cdisc_pipe.sdtm.subject_elements import build_se


def test_se_for_completer_early_leaver_and_screen_failure(study):
    dm = pd.DataFrame({
        "USUBJID": ["S-1", "S-2", "S-3"],
        "ARMCD": ["LOW", "HIGH", pd.NA],
        "RFICDTC": ["2019-02-20", "2021-07-01", "2019-02-21"],
        "RFXSTDTC": ["2019-03-05T09:00", "2021-07-20", pd.NA],
        "RFPENDTC": ["2021-03-10", "2021-08-30", "2019-03-01"],
    })
    se = build_se(dm, study)
    got = se[["USUBJID", "SESEQ", "ETCD", "TAETORD", "EPOCH", "SESTDTC", "SEENDTC"]]
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["S-1", 1, "SCRN", 1, "SCREENING", "2019-02-20", "2019-03-05"],
        ["S-1", 2, "INF", 2, "TREATMENT", "2019-03-05", "2019-03-20"],
        ["S-1", 3, "FU", 3, "FOLLOW-UP", "2019-03-20", "2019-08-21"],
        ["S-1", 4, "LTFU", 4, "LONG-TERM FOLLOW-UP", "2019-08-21", "2021-03-10"],
        ["S-2", 1, "SCRN", 1, "SCREENING", "2021-07-01", "2021-07-20"],
        ["S-2", 2, "INF", 2, "TREATMENT", "2021-07-20", "2021-08-04"],
        ["S-2", 3, "FU", 3, "FOLLOW-UP", "2021-08-04", "2021-08-30"],
        ["S-3", 1, "SCRN", None, "SCREENING", "2019-02-21", "2019-03-01"],
    ]


def test_late_day_169_visit_stays_in_follow_up(study):
    dm = pd.DataFrame({"USUBJID": ["S-1", "S-2"], "ARMCD": ["LOW", "LOW"],
                       "RFICDTC": ["2019-02-20", "2019-02-20"], "RFXSTDTC": ["2019-03-05", "2019-03-05"],
                       "RFPENDTC": ["2021-03-10", "2021-03-10"]})
    # day 169 is 2019-08-20; S-1 came on day 180 (inside the +14 window), S-2 early on day 160
    visits = pd.DataFrame({"USUBJID": ["S-1", "S-2"], "VISITNUM": [8.0, 8.0],
                           "SVSTDTC": ["2019-08-31", "2019-08-11"]})
    se = build_se(dm, study, visits)
    ltfu = se[se["ETCD"] == "LTFU"].set_index("USUBJID")["SESTDTC"].to_dict()
    fu_end = se[se["ETCD"] == "FU"].set_index("USUBJID")["SEENDTC"].to_dict()
    assert ltfu == {"S-1": "2019-09-01", "S-2": "2019-08-21"}
    assert fu_end == ltfu
