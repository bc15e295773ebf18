"""Query shapes blind batch 7 found missing (questions written without the engine, gold from pandas). Each failed
before its fix; expected values come from the Maven CSV files with csv here, not from the engine."""

import statistics
from collections import defaultdict
from datetime import date

import pytest

Q3, Q4 = ("2017-07-01", "2017-09-30"), ("2017-10-01", "2017-12-31")


def ask(cp, who, q):
    return cp.ask(cp.principal(f"maven:user:{who}"), q)


def team_of(teams, manager):
    return {n for n, t in teams.items() if t["manager"] == manager}


def closed_in(rows, people, span, stage=None):
    return [r for r in rows if r["sales_agent"] in people and r["deal_stage"] in ((stage,) if stage else ("Won", "Lost"))
            and span[0] <= r["close_date"] <= span[1]]


def rates(rows):
    per: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        per[r["sales_agent"]].append(r["deal_stage"] == "Won")
    return {n: sum(v) / len(v) for n, v in per.items()}


def test_reps_who_improved_from_one_quarter_to_the_next(maven, maven_tables):
    """'Which reps improved their win rate from last qtr to this qtr' was one win rate over both quarters."""
    rows, _, teams = maven_tables
    east = team_of(teams, "Cara Losch")
    before, after = rates(closed_in(rows, east, Q3)), rates(closed_in(rows, east, Q4))
    up = {n for n in after if n in before and after[n] > before[n]}
    assert up and len(up) < len(after)
    a = ask(maven, "cara-losch", "which reps on my team improved their win rate from q3 2017 to q4 2017?")
    crm = a.data["crm"]
    assert crm["query"]["trend"] == "up" and crm["query"]["versus_window"]["start"] == Q3[0]
    assert {r["group"] for r in crm["rows"]} == up
    assert all(r["previous"] == pytest.approx(round(before[r["group"]], 4)) for r in crm["rows"])
    won = defaultdict(lambda: [0.0, 0.0])
    central = team_of(teams, "Melvin Marxen")
    for i, span in enumerate((Q3, Q4)):
        for r in closed_in(rows, central, span, "Won"):
            won[r["sales_agent"]][i] += float(r["close_value"])
    grew = {n for n, (x, y) in won.items() if y > x}
    a = ask(maven, "melvin-marxen", "我团队里哪些人2017年第四季度的赢单金额比2017年第三季度高？")
    assert {r["group"] for r in a.data["crm"]["rows"]} == grew and grew


def test_groups_cut_by_a_rate_or_by_their_size(maven, maven_tables):
    """'Reps running under a 60% win rate' was every rep; 'only sectors with at least 40 closed deals' every sector."""
    rows, accounts, teams = maven_tables
    central = team_of(teams, "Dustin Brinkmann")
    h2 = rates(closed_in(rows, central, ("2017-07-01", "2017-12-31")))
    a = ask(maven, "dustin-brinkmann", "which of my reps are running under a 60% win rate in H2 2017? want to plan coaching")
    assert {r["group"] for r in a.data["crm"]["rows"]} == {n for n, v in h2.items() if v < 0.6}
    per: dict[str, list[bool]] = defaultdict(list)
    for r in closed_in(rows, team_of(teams, "Melvin Marxen"), ("2017-07-01", "2017-12-31")):
        if r["account"]:
            per[accounts[r["account"]]["sector"]].append(r["deal_stage"] == "Won")
    big = {s for s, v in per.items() if len(v) >= 40}
    assert big and len(big) < len(per)
    a = ask(maven, "melvin-marxen", "win rate by account sector for my team in H2 2017, only sectors w/ at least 40 closed deals")
    assert len(a.data["crm"]["rows"]) == len(big) and a.data["crm"]["query"]["min_records"] == 40
    assert "couldn't apply" not in a.text


def test_accounts_and_products_ranked_by_count(maven, maven_tables):
    rows, _, _ = maven_tables
    wins = defaultdict(int)
    for r in closed_in(rows, {"Kary Hendrixson"}, ("2017-01-01", "2017-12-31"), "Won"):
        wins[r["account"]] += 1
    a = ask(maven, "kary-hendrixson", "which of my accounts did i win more than 8 deals from in 2017?")
    assert {r["group"] for r in a.data["crm"]["rows"]} == {n for n, c in wins.items() if c > 8}
    a = ask(maven, "kary-hendrixson", "top 3 accounts by number of deals i won in 2017?")
    got = {r["group"]: r["value"] for r in a.data["crm"]["rows"]}
    assert a.data["crm"]["query"]["metric"] == "count" and all(wins[n] == v for n, v in got.items()) and len(got) == 3
    lost = defaultdict(int)
    for r in closed_in(rows, {"Rosie Papadopoulos"}, ("2017-01-01", "2017-12-31"), "Lost"):
        lost[r["product"]] += 1
    a = ask(maven, "rosie-papadopoulos", "which 2 products did i lose the most deals on in 2017? how many each")
    got = {r["group"].replace("GTX Pro", "GTXPro"): r["value"] for r in a.data["crm"]["rows"]}
    assert got == dict(sorted(lost.items(), key=lambda kv: -kv[1])[:2])


def test_account_facts_said_several_ways(maven, maven_tables):
    """'acme corp's subsidiaries', 'founded 2006 or later', 'share … from accounts with revenue over $2B'."""
    rows, accounts, teams = maven_tables
    won = closed_in(rows, {"Donn Cantrell"}, ("2017-01-01", "2017-12-31"), "Won")
    want = sum(float(r["close_value"]) for r in won if accounts.get(r["account"], {}).get("subsidiary_of") == "Acme Corporation")
    a = ask(maven, "donn-cantrell", "how much won rev did i get in 2017 from acme corp's subsidiaries? (not acme itself)")
    assert want and a.data["crm"]["value"] == pytest.approx(want) and "couldn't apply" not in a.text
    central = closed_in(rows, team_of(teams, "Dustin Brinkmann"), Q4, "Won")
    young = sum(float(r["close_value"]) for r in central if r["account"] and int(accounts[r["account"]]["year_established"]) >= 2006)
    a = ask(maven, "dustin-brinkmann", "how much did my team win in q4 2017 from newer companies, founded 2006 or later?")
    assert young and a.data["crm"]["value"] == pytest.approx(young) and "couldn't apply" not in a.text
    mine = closed_in(rows, {"Rosalina Dieter"}, ("2017-01-01", "2017-12-31"), "Won")
    part = sum(float(r["close_value"]) for r in mine if r["account"] and float(accounts[r["account"]]["revenue"]) >= 2000)
    a = ask(maven, "rosalina-dieter", "what share of my won rev in 2017 came from accounts with annual revenue over $2B? as a fraction")
    assert a.data["crm"]["value"] == pytest.approx(round(part / sum(float(r["close_value"]) for r in mine), 4))


def test_one_figure_over_a_filter_said_first_in_chinese(maven, maven_tables):
    """'金额超过5000美元的单子，平均成交周期是多少天' was a total with the cycle as an extra figure."""
    rows, _, _ = maven_tables
    won = [r for r in closed_in(rows, {"Daniell Hammack"}, ("2017-01-01", "2017-12-31"), "Won") if float(r["close_value"]) >= 5000]
    days = statistics.fmean((date.fromisoformat(r["close_date"]) - date.fromisoformat(r["engage_date"])).days for r in won)
    a = ask(maven, "daniell-hammack", "2017年我赢下的金额超过5000美元的单子，平均成交周期是多少天？（从engage到close）")
    assert a.data["crm"]["query"]["metric"] == "cycle_length" and "另外" not in a.text and "没能" not in a.text
    assert a.data["crm"]["value"] == pytest.approx(round(days, 1))


def test_oldest_open_deal_and_how_long_ago(maven, maven_tables):
    rows, _, _ = maven_tables
    today = maven.settings.current_date()
    engaging = [r for r in rows if r["sales_agent"] == "Violet Mclelland" and r["deal_stage"] == "Engaging"]
    oldest = min(date.fromisoformat(r["engage_date"]) for r in engaging)
    for question in ("my oldest opp thats still in engaging - how many days since it was engaged? (as of today)",
                     "我最早创建的那个还在engaging阶段的商机是哪个？"):
        a = ask(maven, "violet-mclelland", question)
        records = a.data["crm"]["records"]
        assert len(records) == 1 and records[0]["detail"]["age_days"] == (today - oldest).days, question
        assert a.data["crm"]["query"]["filters"]["windows"] == [], question


def test_two_quarters_side_by_side_show_the_change(maven, maven_tables):
    rows, _, _ = maven_tables
    q3, q4 = (sum(float(r["close_value"]) for r in closed_in(rows, {"Reed Clapper"}, s, "Won")) for s in (Q3, Q4))
    a = maven.ask(maven.principal("maven:user:reed-clapper"), "how much did my won rev change QoQ? q4 2017 minus q3 2017, in $ pls")
    sign = "+" if q4 >= q3 else "-"
    assert f"Change (2017 Q4 minus 2017 Q3): **{sign}${abs(q4 - q3):,.0f}**" in a.text


def test_dropped_letters_in_short_words(demo_copilot):
    cp = demo_copilot
    for typo, right in (("what was my won rev last mnth", "what was my won rev last month"),
                        ("how many of my open opps were created befor sept 1? cleaning up my pipe",
                         "how many of my open opps were created before sept 1?")):
        a, b = cp.ask(cp.principal("u-sam-okafor"), typo), cp.ask(cp.principal("u-sam-okafor"), right)
        assert a.data["crm"]["value"] == b.data["crm"]["value"] and "couldn't apply" not in a.text, typo
