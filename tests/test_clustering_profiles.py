"""Hour x weekday and month profiles in Kyiv time; district rates per 1,000."""

import numpy as np
import pandas as pd
from shapely.geometry import box

from clustering.profiles import district_rates, hour_weekday, month_counts


def test_hour_weekday_uses_kyiv_time_with_daylight_saving():
    d = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(
                [
                    "2026-01-05T21:30Z",  # Monday 23:30 in winter (UTC+2)
                    "2026-07-06T21:30Z",  # Tuesday 00:30 in summer (UTC+3)
                    "2026-07-06T08:00Z",  # Monday 11:00
                    None,
                ],
                utc=True,
            )
        }
    )
    hw = hour_weekday(d)
    assert hw.shape == (7, 24) and int(hw.to_numpy().sum()) == 3
    assert hw.loc["Mon", 23] == 1 and hw.loc["Tue", 0] == 1 and hw.loc["Mon", 11] == 1


def test_month_counts_complete_range():
    d = pd.DataFrame({"occurred_at": pd.to_datetime(["2025-12-31T22:30Z", "2026-03-01T10:00Z"], utc=True)})
    m = month_counts(d)
    assert [str(p) for p in m.index] == ["2026-01", "2026-02", "2026-03"]
    assert m.tolist() == [1, 0, 1]
    assert month_counts(d, start="2025-11", end="2026-04").tolist() == [0, 0, 1, 0, 1, 0]
    assert month_counts(d.iloc[:0]).empty


def test_district_rates_given_and_point_in_polygon():
    districts = pd.DataFrame(
        {
            "name": ["Centre", "North", "Empty"],
            "population": [5000, 2500, 1000],
            "geometry": [box(31.30, 47.55, 31.35, 47.57), box(31.30, 47.57, 31.35, 47.60), box(31.0, 47.0, 31.1, 47.1)],
        }
    )
    reports = pd.DataFrame(
        {
            "lat": [47.56, 47.56, 47.58, 47.58, np.nan, 48.5],
            "lon": [31.32, 31.32, 31.32, 31.32, np.nan, 31.0],
            "district": [None, "North", None, None, "Centre", None],
        }
    )
    out = district_rates(reports, districts).set_index("district", drop=False)
    assert out.loc["Centre", "n"] == 2 and out.loc["North", "n"] == 3 and out.loc["Empty", "n"] == 0
    assert out.loc["Centre", "rate_per_1000"] == 2 / 5000 * 1000
    assert out.loc["North", "rate_per_1000"] == 3 / 2500 * 1000
    unplaced = out[out["district"].isna()]
    assert len(unplaced) == 1 and unplaced["n"].iat[0] == 1
    assert out["n"].sum() == len(reports)
