"""CRM questions as people type them, answered through the public facade on the demo company; expected
values come from plain SQL in the test, not from the engine."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from copilot.core.errors import UserError
from knowledge.crm.models import Activity, Deal

CLOSED = ("closed_won", "closed_lost")


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


def deals(cp, *where):
    with cp.services.crm.session() as s:
        return list(s.scalars(select(Deal).where(*where)))


def test_filters_are_applied_inactivity_stage_owner(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-sam-okafor", "which of my open opps havent been touched in 2 weeks?")
    since = datetime.combine(cp.settings.current_date() - timedelta(days=14), datetime.min.time())
    with cp.services.crm.session() as s:
        last = dict(s.execute(select(Activity.deal_id, func.max(Activity.occurred_at)).group_by(Activity.deal_id)).all())
    want = {d.id for d in deals(cp, Deal.owner_id == "u-sam-okafor", Deal.stage.not_in(CLOSED))
            if last.get(d.id) is None or last[d.id] < since}
    got = {r["id"] for r in a.data["crm"]["records"]}
    assert a.intent == "crm_query" and got == want and want
    assert a.data["crm"]["total"] == len(want)
    assert "no activity in the last 14 days" in a.text


def test_count_of_wins_is_not_wins_plus_losses(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-maya-chen", "how many deals did my team win in Q3 2026?")
    won = deals(cp, Deal.team_id == "demo:team:east", Deal.stage == "closed_won",
                Deal.closed_on.between(date(2026, 7, 1), date(2026, 9, 30)))
    assert a.data["crm"]["value"] == len(won)
    assert f"**{len(won)}**" in a.text


def test_named_product_average_is_over_that_product_only(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-rachel-adeyemi", "avg deal size for Govern")
    with cp.services.crm.session() as s:
        amounts = [d.amount for d in s.scalars(select(Deal).where(Deal.stage == "closed_won",
                                                                   Deal.product_id.like("%govern%")))]
    assert abs(a.data["crm"]["value"] - sum(amounts) / len(amounts)) < 0.01


def test_which_group_leads_and_bottom_n(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-maya-chen", "which rep leads in won revenue this year?")
    totals: dict[str, float] = {}
    year = cp.settings.current_date().year
    for d in deals(cp, Deal.team_id == "demo:team:east", Deal.stage == "closed_won",
                   Deal.closed_on.between(date(year, 1, 1), date(year, 12, 31))):
        totals[d.owner_id] = totals.get(d.owner_id, 0) + (d.amount or 0)
    top = max(totals, key=totals.__getitem__)
    rows = a.data["crm"]["rows"]
    assert len(rows) == 1 and rows[0]["value"] == totals[top]
    assert rows[0]["group"] == cp.principal(top).name and "leads" in a.text


def test_group_against_group(demo_copilot):
    a = ask(demo_copilot, "u-rachel-adeyemi", "win rate East vs West in 2025")
    rows = {r["group"]: r for r in a.data["crm"]["rows"]}
    assert set(rows) == {"East", "West"}
    for team, row in rows.items():
        closed = deals(demo_copilot, Deal.team_id == f"demo:team:{team.lower()}", Deal.stage.in_(CLOSED),
                       Deal.closed_on.between(date(2025, 1, 1), date(2025, 12, 31)))
        assert row["value"] == round(sum(d.stage == "closed_won" for d in closed) / len(closed), 4)


def test_exec_gets_aggregates_but_no_lists_or_single_people(demo_copilot):
    cp = demo_copilot
    agg = ask(cp, "u-rachel-adeyemi", "total pipeline by team")
    assert {r["group"] for r in agg.data["crm"]["rows"]} == {"East", "West"}
    lst = ask(cp, "u-rachel-adeyemi", "list the open deals closing this month")
    assert "refused: outside your scope" in lst.notes and "crm" not in lst.data
    one = ask(cp, "u-rachel-adeyemi", "Sam Okafor's won revenue this year")
    assert "refused: outside your scope" in one.notes and "$" not in one.text.split("\n")[0]
    reps = ask(cp, "u-rachel-adeyemi", "won revenue by rep")
    assert all(r["group"].startswith("Person-") for r in reps.data["crm"]["rows"])


def test_rep_naming_an_account_they_cannot_see_learns_nothing(demo_copilot):
    a = ask(demo_copilot, "u-sam-okafor", "open deals at Kestrel Manufacturing")
    assert "couldn't find" in a.text and "Kestrel Manufacturing - Enterprise Suite" not in a.text
    assert "$" not in a.text and a.confidence <= 0.3


def test_unapplied_words_are_reported_and_lower_confidence(demo_copilot):
    clean = ask(demo_copilot, "u-sam-okafor", "my open deals in negotiation")
    noisy = ask(demo_copilot, "u-sam-okafor", "my open deals in negotiation with purple elephants")
    assert "I couldn't apply 'purple', 'elephants'" in noisy.text
    assert noisy.confidence < clean.confidence


def test_library_question_does_not_get_crm_answer_and_vice_versa(demo_copilot):
    lib = ask(demo_copilot, "u-sam-okafor", "how do we handle a discount request?")
    assert lib.intent != "crm_query" and all(c.kind == "document" for c in lib.citations)
    crm = ask(demo_copilot, "u-maya-chen", "East closed revenue in October 2026")
    assert crm.intent == "crm_query" and all(c.kind == "crm" for c in crm.citations)


def test_bad_input_gets_a_clear_answer(demo_copilot):
    cp = demo_copilot
    for q in ["", "   "]:
        try:
            ask(cp, "u-sam-okafor", q)
            raise AssertionError("empty question accepted")
        except UserError as exc:
            assert "empty" in str(exc)
    try:
        ask(cp, "u-sam-okafor", "deals " * 2000)
        raise AssertionError("huge question accepted")
    except UserError as exc:
        assert "limit" in str(exc)
    sql = ask(cp, "u-sam-okafor", "'; DROP TABLE deals; --")
    assert sql.text and deals(cp)  # nothing dropped, an answer came back


def test_stuck_in_stage_counts_days_since_entering_it(demo_copilot):
    from knowledge.crm.models import StageChange

    cp = demo_copilot
    today = cp.settings.current_date()
    a = ask(cp, "u-maya-chen", "which deals have been stuck in proposal for more than 3 weeks?")
    assert a.data["crm"]["query"]["filters"]["min_days_in_stage"] == 21
    want = set()
    with cp.services.crm.session() as s:
        for d in s.scalars(select(Deal).where(Deal.team_id == "demo:team:east", Deal.stage == "proposal")):
            into = [h.changed_on for h in s.scalars(select(StageChange).where(
                StageChange.deal_id == d.id, StageChange.to_stage == "proposal"))]
            entered = max(into) if into else d.created_on
            if entered and (today - entered).days >= 21:
                want.add(d.id)
    assert {r["id"] for r in a.data["crm"]["records"]} == want and want


def test_the_crms_own_stage_names_are_understood(copilot, shared_data):
    from typer.testing import CliRunner

    from integrations.cli.common import set_copilot
    from integrations.cli.main import app

    set_copilot(copilot)
    try:
        CliRunner().invoke(app, ["import", "crm", str(shared_data / "crm_maven"), "--mapping", "maven"])
    finally:
        set_copilot(None)
    a = copilot.ask(copilot.principal("Melvin Marxen"), "how many deals are engaging?")
    assert a.data["crm"]["query"]["filters"]["stages"] == ["qualification"]  # Maven's "Engaging"
    assert "couldn't apply" not in a.text


def test_a_vague_question_gets_one_specific_clarifying_question(demo_copilot):
    a = ask(demo_copilot, "u-maya-chen", "how are we doing?")
    assert a.intent == "clarify" and a.confidence <= 0.2
    assert a.text.startswith("Do you mean your team's bookings") and "Try:" not in a.text
    assert ask(demo_copilot, "u-maya-chen", "hi").intent == "help"


def test_exclusions_leave_the_value_out_never_invert_it(demo_copilot):
    a = ask(demo_copilot, "u-maya-chen", "total pipeline excluding renewals")
    f = a.data["crm"]["query"]["filters"]
    assert f["deal_type"] is None and f["exclude"] == [{"slot": "deal_type", "value": "renewal"}]
    with demo_copilot.services.crm.session() as s:
        from sqlalchemy import text

        want = s.execute(text("select sum(amount) from deals d join users u on u.id = d.owner_id "
                              "where u.team_id = 'demo:team:east' and d.team_id = 'demo:team:east' "
                              "and stage not in ('closed_won', 'closed_lost') and deal_type != 'renewal'")).scalar()
    assert a.data["crm"]["value"] == pytest.approx(want) and "excluding deal type renewal" in a.text
    b = ask(demo_copilot, "u-maya-chen", "open deals not in negotiation")
    assert b.data["crm"]["query"]["filters"]["exclude"] == [{"slot": "stage", "value": "negotiation"}]
    assert all(r["stage"] != "negotiation" for r in b.data["crm"]["records"]) and b.data["crm"]["records"]


def test_losses_by_reason(demo_copilot):
    a = ask(demo_copilot, "u-maya-chen", "how many deals did we lose last quarter and why")
    assert a.data["crm"]["query"]["group_by"] == "loss_reason"
    with demo_copilot.services.crm.session() as s:
        reasons = {d.loss_reason for d in s.scalars(select(Deal).where(
            Deal.team_id == "demo:team:east", Deal.stage == "closed_lost",
            Deal.closed_on.between(date(2026, 7, 1), date(2026, 9, 30))))}
    assert {r["group"] for r in a.data["crm"]["rows"]} == reasons


def test_how_did_a_rep_do_gives_won_revenue_win_rate_and_pipeline(demo_copilot):
    a = ask(demo_copilot, "u-maya-chen", "how did ethan do last quarter")
    q = a.data["crm"]["query"]
    assert q["metric"] == "sum" and q["filters"]["status"] == "won" and q["filters"]["owner"] == "Ethan Brooks"
    assert q["filters"]["windows"][0]["field"] == "closed"
    assert a.text.count("Also:") == 2 and "win rate" in a.text and "open pipeline" in a.text


def test_what_sells_best_ranks_products_by_won_revenue(copilot, shared_data):
    """'sell' reads as won business, a plural group asks for a ranking, and 'selling' never links to a rep
    whose name it resembles (Maven has an 'Anna Snelling')."""
    from typer.testing import CliRunner

    from integrations.cli.common import set_copilot
    from integrations.cli.main import app

    set_copilot(copilot)
    try:
        CliRunner().invoke(app, ["import", "crm", str(shared_data / "crm_maven"), "--mapping", "maven"])
    finally:
        set_copilot(None)
    manager = copilot.principal("Cara Losch")
    a = copilot.ask(manager, "what products sell best in my team")
    q = a.data["crm"]["query"]
    assert (q["metric"], q["filters"]["status"], q["group_by"], q["order"]) == ("sum", "won", "product", "desc")
    assert q.get("limit") is None and len(a.data["crm"]["rows"]) > 1
    values = [r["value"] for r in a.data["crm"]["rows"]]
    assert values == sorted(values, reverse=True)
    top = copilot.ask(manager, "top products by revenue for my team").data["crm"]
    assert top["query"]["limit"] == 5 and top["rows"][0]["value"] == values[0]
    worst = copilot.ask(manager, "worst selling product last quarter").data["crm"]["query"]
    assert worst["filters"]["owner"] is None and worst["order"] == "asc" and worst["limit"] == 1


def test_group_by_the_accounts_industry(copilot, shared_data):
    from typer.testing import CliRunner

    from integrations.cli.common import set_copilot
    from integrations.cli.main import app
    from knowledge.crm.models import Account

    set_copilot(copilot)
    try:
        CliRunner().invoke(app, ["import", "crm", str(shared_data / "crm_maven"), "--mapping", "maven"])
    finally:
        set_copilot(None)
    a = copilot.ask(copilot.principal(copilot.ensure_admin("Ada Admin")), "win rate by industry")
    assert a.data["crm"]["query"]["group_by"] == "sector"
    with copilot.services.crm.session() as s:
        sector = dict(s.execute(select(Account.id, Account.sector)).all())
        closed = list(s.scalars(select(Deal).where(Deal.stage.in_(CLOSED))))
    by: dict[str, list[bool]] = {}
    for d in closed:
        by.setdefault(sector.get(d.account_id) or "none", []).append(d.stage == "closed_won")
    want = {k: sum(v) / len(v) for k, v in by.items()}
    got = {r["group"]: r["value"] for r in a.data["crm"]["rows"]}
    assert set(got) == set(want) and all(abs(got[k] - want[k]) < 1e-3 for k in want), (got, want)


def test_who_has_logged_no_activity_lists_the_zeros(demo_copilot):
    cp = demo_copilot
    maya = cp.principal("u-maya-chen")
    a = ask(cp, "u-maya-chen", "who on my team hasn't logged any activity in the last 10 days?")
    crm = a.data["crm"]
    assert crm["query"]["group_by"] == "rep" and crm["query"]["include_empty"] and crm["query"]["order"] == "asc"
    today = cp.settings.current_date()
    since = datetime.combine(today - timedelta(days=10), datetime.min.time())
    reps = {u for u in cp.scope(maya).owner_ids if cp.principal(u).role.value == "rep"}
    with cp.services.crm.session() as s:
        counts = dict(s.execute(select(Activity.owner_id, func.count()).where(
            Activity.owner_id.in_(reps), Activity.occurred_at >= since).group_by(Activity.owner_id)).all())
    want = {cp.principal(u).name: counts.get(u, 0) for u in reps}
    got = {r["group"]: r["value"] for r in crm["rows"]}
    assert got == want and "Maya Chen" not in got
    values = [r["value"] for r in crm["rows"]]
    assert values == sorted(values)


def test_who_closed_the_biggest_deal_means_won(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-maya-chen", "who closed the biggest deal this year?")
    crm = a.data["crm"]
    assert crm["query"]["filters"]["status"] == "won" and crm["query"]["limit"] == 1
    year = cp.settings.current_date().year
    won = deals(cp, Deal.team_id == "demo:team:east", Deal.stage == "closed_won",
                Deal.closed_on.between(date(year, 1, 1), date(year, 12, 31)))
    top = max(won, key=lambda d: d.amount or 0)
    assert crm["records"][0]["amount"] == top.amount and a.text.startswith("The largest deal of")


def test_accounts_with_the_most_open_opportunities_counts_deals(demo_copilot):
    q = ask(demo_copilot, "u-maya-chen", "which accounts have the most open opportunities?").data["crm"]["query"]
    assert (q["object"], q["metric"], q["group_by"], q["order"]) == ("deals", "count", "account", "desc")
    assert q["filters"]["status"] == "open"


def test_deals_forecast_as_commit_is_a_crm_question_not_the_forecast(demo_copilot) -> None:
    a = ask(demo_copilot, "u-rachel-adeyemi", "sum of active deals forecast as commit pushed at least once")
    assert a.intent == "crm_query" and a.data["crm"]["value"] > 0
