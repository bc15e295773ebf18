from datetime import date

import pytest

from copilot.core.errors import UserError
from tools.forecast.periods import parse_period, parse_quarter

TODAY = date(2017, 8, 15)


@pytest.mark.parametrize("text,start,end,label", [
    ("last quarter", date(2017, 4, 1), date(2017, 6, 30), "2017Q2"),
    ("this quarter", date(2017, 7, 1), date(2017, 9, 30), "2017Q3"),
    ("next quarter", date(2017, 10, 1), date(2017, 12, 31), "2017Q4"),
    ("Q2 2017", date(2017, 4, 1), date(2017, 6, 30), "2017Q2"),
    ("2016Q4", date(2016, 10, 1), date(2016, 12, 31), "2016Q4"),
    ("q1", date(2017, 1, 1), date(2017, 3, 31), "2017Q1"),
    ("this month", date(2017, 8, 1), date(2017, 8, 31), "2017-08"),
    ("last month", date(2017, 7, 1), date(2017, 7, 31), "2017-07"),
    ("2017", date(2017, 1, 1), date(2017, 12, 31), "2017"),
    ("last year", date(2016, 1, 1), date(2016, 12, 31), "2016"),
    ("last 90 days", date(2017, 5, 18), date(2017, 8, 15), "last 90 days"),
    ("March 2017", date(2017, 3, 1), date(2017, 3, 31), "2017-03"),
    ("2017-02", date(2017, 2, 1), date(2017, 2, 28), "2017-02"),
    ("year to date", date(2017, 1, 1), date(2017, 8, 15), "2017 to date"),
])
def test_periods_relative_to_as_of(text, start, end, label):
    assert parse_period(text, TODAY) == (start, end, label)


def test_last_quarter_wraps_the_year():
    assert parse_period("last quarter", date(2017, 2, 1))[:2] == (date(2016, 10, 1), date(2016, 12, 31))
    assert parse_period("last month", date(2017, 1, 10))[2] == "2016-12"


def test_not_a_period():
    assert parse_period("the big one", TODAY) is None
    assert parse_period("", TODAY) is None
    with pytest.raises(UserError, match="not a quarter"):
        parse_quarter("2017", TODAY)
