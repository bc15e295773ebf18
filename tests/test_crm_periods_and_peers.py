"""Questions from a blind set written by people who never saw the engine (each failed before its fix):
half years, 'EOQ', fiscal years, two periods side by side ('2026 ytd'), a named rep against the rest of the
team, and 'gone quiet' next to a number of weeks. Expected values come from plain SQL in the test."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from copilot.offline.parse.dates import find_windows
from knowledge.crm.models import Activity, Deal

CLOSED = ("closed_won", "closed_lost")
TODAY = date(2026, 11, 20)


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


def deals(cp, *where):
    with cp.services.crm.session() as s:
        return list(s.scalars(select(Deal).where(*where)))


def rate(ds):
    won = sum(d.stage == "closed_won" for d in ds)
    return 100 * won / len(ds)


def test_time_words_people_type():
    def one(text):
        (w,) = find_windows(text, TODAY)
        return w.start, w.end

    assert one("lost in H1") == (date(2026, 1, 1), date(2026, 6, 30))
    assert one("won in the second half of 2025") == (date(2025, 7, 1), date(2025, 12, 31))
    assert one("h2 '25 revenue") == (date(2025, 7, 1), date(2025, 12, 31))
    assert one("commit closing EOQ") == (TODAY, date(2026, 12, 31))
    assert one("what closes by the end of the month") == (TODAY, date(2026, 11, 30))
    assert one("won deals fy25") == (date(2025, 1, 1), date(2025, 12, 31))
    assert one("win rate 2026 ytd") == (date(2026, 1, 1), TODAY)  # one period inside the other: the inner one
    assert [(w.start, w.end) for w in find_windows("2025 vs 2026 ytd", TODAY)] == [
        (date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), TODAY)]


def test_half_year_is_applied_not_silently_dropped(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-daniel-park", "how many deals did we lose in H1")
    lost = deals(cp, Deal.team_id == "demo:team:west", Deal.stage == "closed_lost",
                 Deal.closed_on.between(date(2026, 1, 1), date(2026, 6, 30)))
    assert a.intent == "crm_query" and a.data["crm"]["value"] == len(lost) and lost
    assert "H1 2026" in a.text


def test_an_unread_short_code_is_reported():
    from copilot.offline.parse.evidence import unapplied_words

    assert "H5" in unapplied_words("lost deals in H5", [])


def test_eoq_is_the_rest_of_this_quarter(demo_copilot):
    cp = demo_copilot
    today = cp.settings.current_date()
    a = ask(cp, "u-maya-chen", "list commit deals closing EOQ")
    want = {d.id for d in deals(cp, Deal.team_id == "demo:team:east", Deal.stage.not_in(CLOSED),
                                Deal.forecast_category == "commit", Deal.close_date.between(today, date(2026, 12, 31)))}
    assert a.intent == "crm_query" and {r["id"] for r in a.data["crm"]["records"]} == want and want
    assert "EOQ" not in a.text.split("How I read")[0]


def test_two_years_compared_with_ytd(demo_copilot):
    cp = demo_copilot
    today = cp.settings.current_date()
    a = ask(cp, "u-rachel-adeyemi", "company win rate 2025 vs 2026 ytd")
    last = deals(cp, Deal.stage.in_(CLOSED), Deal.closed_on.between(date(2025, 1, 1), date(2025, 12, 31)))
    this = deals(cp, Deal.stage.in_(CLOSED), Deal.closed_on.between(date(2026, 1, 1), today))
    assert a.intent == "crm_query" and "can't show" not in a.text
    assert f"{rate(last):.1f}%" in a.text and f"{rate(this):.1f}%" in a.text


def test_manager_compares_a_named_rep_with_the_rest_of_the_team(demo_copilot):
    cp = demo_copilot
    today = cp.settings.current_date()
    a = ask(cp, "u-maya-chen", "sam's win rate ytd vs the rest of the team")
    ytd = (Deal.team_id == "demo:team:east", Deal.stage.in_(CLOSED), Deal.closed_on.between(date(2026, 1, 1), today))
    sam = deals(cp, *ytd, Deal.owner_id == "u-sam-okafor")
    rest = deals(cp, *ytd, Deal.owner_id != "u-sam-okafor")
    rows = {r["group"]: r for r in a.data["crm"]["rows"]}
    assert set(rows) == {"Sam Okafor", "rest of your team"}
    assert rows["Sam Okafor"]["n"] == len(sam) and rows["rest of your team"]["n"] == len(rest)
    assert f"{rate(sam):.1f}%" in a.text and f"{rate(rest):.1f}%" in a.text
    mine = ask(cp, "u-sam-okafor", "my win rate ytd vs the rest of the team")
    assert {r["group"] for r in mine.data["crm"]["rows"]} == {"you", "rest of your team"}


def test_gone_quiet_next_to_a_number_of_weeks_is_one_filter(demo_copilot):
    cp = demo_copilot
    today = cp.settings.current_date()
    a = ask(cp, "u-sam-okafor", "any of my opps gone quiet? nothing logged in 3 wks")
    since = datetime.combine(today - timedelta(days=21), datetime.min.time())
    with cp.services.crm.session() as s:
        last = dict(s.execute(select(Activity.deal_id, func.max(Activity.occurred_at)).group_by(Activity.deal_id)).all())
    want = {d.id for d in deals(cp, Deal.owner_id == "u-sam-okafor", Deal.stage.not_in(CLOSED))
            if last.get(d.id) is None or last[d.id] < since}
    assert a.intent == "crm_query" and {r["id"] for r in a.data["crm"]["records"]} == want
    assert "couldn't apply" not in a.text
    b = ask(cp, "u-rachel-adeyemi", "how many open opps have had no activity for 2+ weeks")
    assert "14 days" in b.text and "couldn't apply" not in b.text and "my default" not in b.text


def test_most_common_loss_reason_is_counted_over_lost_deals(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-maya-chen", "what's our most common loss reason this year")
    year = deals(cp, Deal.team_id == "demo:team:east", Deal.stage == "closed_lost",
                 Deal.closed_on.between(date(2026, 1, 1), date(2026, 12, 31)))
    counts: dict[str, int] = {}
    for d in year:
        counts[d.loss_reason or "none"] = counts.get(d.loss_reason or "none", 0) + 1
    top = max(sorted(counts), key=lambda r: counts[r])
    assert a.intent == "crm_query" and a.data["crm"]["query"]["group_by"] == "loss_reason"
    assert a.data["crm"]["rows"][0]["group"] == top and a.data["crm"]["rows"][0]["value"] == counts[top]


def test_three_values_compared_are_all_shown(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-daniel-park", "avg won deal size ytd, new vs expansion vs renewal")
    today = cp.settings.current_date()
    won = deals(cp, Deal.team_id == "demo:team:west", Deal.stage == "closed_won",
                Deal.closed_on.between(date(2026, 1, 1), today))
    rows = {r["group"]: r["value"] for r in a.data["crm"]["rows"]}
    for kind in ("new", "expansion", "renewal"):
        amounts = [d.amount for d in won if d.deal_type == kind and d.amount is not None]
        assert abs(rows[kind] - sum(amounts) / len(amounts)) < 0.01


def test_two_dates_joined_as_a_range_are_one_period():
    """'between feb 1 and apr 15' was two one-day windows (0 deals each, and their difference); a comparison of two
    periods stays two."""
    def spans(text):
        return [(w.start, w.end) for w in find_windows(text, TODAY)]

    assert spans("how many opps between feb 1 and apr 15") == [(date(2026, 2, 1), date(2026, 4, 15))]
    assert spans("won from 2025-03-01 to 2025-06-30") == [(date(2025, 3, 1), date(2025, 6, 30))]
    assert spans("deals closing may 15 - aug 31") == [(date(2026, 5, 15), date(2026, 8, 31))]
    assert spans("from march 3 until june 10") == [(date(2026, 3, 3), date(2026, 6, 10))]
    assert spans("between nov 15 and feb 10") == [(date(2025, 11, 15), date(2026, 2, 10))]  # the last winter
    assert spans("between 2024 and 2025") == [(date(2024, 1, 1), date(2025, 12, 31))]
    assert spans("compare q2 to q3") == [(date(2026, 4, 1), date(2026, 6, 30)), (date(2026, 7, 1), date(2026, 9, 30))]


def test_a_leading_date_range_binds_to_the_verb_after_it(demo_copilot):
    a = ask(demo_copilot, "u-maya-chen", "between jan 1 and jun 30 how many opps did my team create?")
    q = a.data["crm"]["query"]
    (w,) = q["filters"]["windows"]
    assert w["field"] == "created" and (w["start"], w["end"]) == ("2026-01-01", "2026-06-30")
    east = {"u-maya-chen", "u-sam-okafor", "u-lucia-romero", "u-ethan-brooks", "u-hannah-weiss"}
    expected = [d for d in deals(demo_copilot, Deal.owner_id.in_(east))
                if d.created_on and date(2026, 1, 1) <= d.created_on <= date(2026, 6, 30)]
    assert a.data["crm"]["total"] == len(expected)
