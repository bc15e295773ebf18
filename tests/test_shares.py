"""A part as a share of its whole (blind batch 6, m-16): 'what share of my team's won revenue came from
subsidiaries', 'what % of my won rev came from GTX Pro', '…的占比是多少'. Before, the share was reported as a
phrase it could not apply and the part's own total came back. Expected values come from the Maven CSV files with
csv, not from the engine."""

import pytest
from sqlalchemy import select

from knowledge.crm.models import Deal
from tools.crm_query.schema import CrmQuery

WON = "Won"


def ask(cp, who, q):
    return cp.ask(cp.principal(f"maven:user:{who}"), q)


def won_2017(rows, people):
    return [r for r in rows if r["sales_agent"] in people and r["deal_stage"] == WON and r["close_date"].startswith("2017")]


def test_share_of_won_revenue_from_subsidiaries(maven, maven_tables):
    rows, accounts, teams = maven_tables
    team = won_2017(rows, {n for n, t in teams.items() if t["manager"] == "Rocco Neubert"})
    part = sum(float(r["close_value"]) for r in team if accounts.get(r["account"], {}).get("subsidiary_of"))
    whole = sum(float(r["close_value"]) for r in team)
    assert 0 < part < whole
    for question in ("what % of my team's won revenue in 2017 came from subsidiaries?",
                     "我团队2017年的赢单收入里，来自子公司客户（有母公司的）的占比是多少？"):
        a = ask(maven, "rocco-neubert", question)
        crm = a.data["crm"]
        assert crm["query"]["share_of"] == ["has_parent"] and crm["query"]["filters"]["has_parent"] is True, question
        assert crm["value"] == pytest.approx(round(part / whole, 4)), question
        assert (crm["part"], crm["whole"]) == (pytest.approx(part), pytest.approx(whole)), question
        assert f"{part / whole:.1%}" in a.text and "couldn't apply" not in a.text and "没能" not in a.text, question


def test_share_of_a_product_and_of_independent_accounts(maven, maven_tables):
    rows, accounts, _ = maven_tables
    mine = won_2017(rows, {"Darcel Schlecht"})
    whole = sum(float(r["close_value"]) for r in mine)
    pro = sum(float(r["close_value"]) for r in mine if r["product"] == "GTXPro")
    for question in ("what share of my won rev in 2017 came from GTX Pro", "我2017年的赢单金额里GTXPro占多少比例？"):
        a = ask(maven, "darcel-schlecht", question)
        assert a.data["crm"]["query"]["share_of"] == ["product"], question
        assert a.data["crm"]["value"] == pytest.approx(round(pro / whole, 4)), question
    alone = [r for r in mine if not accounts.get(r["account"], {}).get("subsidiary_of")]
    a = ask(maven, "darcel-schlecht", "what percentage of my won deals in 2017 were with independent accounts?")
    assert a.data["crm"]["query"]["filters"]["has_parent"] is False
    assert a.data["crm"]["value"] == pytest.approx(round(len(alone) / len(mine), 4))


def test_what_percent_of_closed_deals_were_won_is_the_win_rate(demo_copilot):
    cp = demo_copilot
    with cp.services.crm.session() as s:
        stages = [d.stage for d in s.scalars(select(Deal).where(Deal.owner_id == "u-sam-okafor",
                                                                 Deal.stage.in_(["closed_won", "closed_lost"])))]
    a = cp.ask(cp.principal("u-sam-okafor"), "what % of my closed deals were won?")
    assert a.data["crm"]["query"]["metric"] == "win_rate"
    assert a.data["crm"]["value"] == round(stages.count("closed_won") / len(stages), 4)


def test_a_share_names_a_filter_that_picks_the_part():
    with pytest.raises(ValueError, match="share_of names 'product', which the filters don't set"):
        CrmQuery.model_validate({"metric": "sum", "share_of": ["product"]})
    with pytest.raises(ValueError, match="share_of needs a count, sum or pipeline"):
        CrmQuery.model_validate({"metric": "win_rate", "filters": {"product": "X"}, "share_of": ["product"]})
    with pytest.raises(ValueError, match="can't pick a part: 'status'"):
        CrmQuery.model_validate({"metric": "count", "filters": {"status": "won"}, "share_of": ["status"]})
