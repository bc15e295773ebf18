"""A third blind set on the Maven export (40 questions by reps and managers, a helper's own gold from the CSV
files; first run 33 of 40 right counting answers the runner misread). What it found, each failed before:
'top 3 accts' (the abbreviation was no grouping), 'the most wins' (counted, not summed), 'more in Q2 or Q3'
(two periods, never their empty overlap), an aside naming the manager ('for my 1:1 tomorrow with celia -') and
the rest of a rep's team as the rest of their manager's reports,
'companies owned by X (not X itself)', 'top 3 customer sectors', and stages shown in the CRM's own words."""

from collections import defaultdict
from datetime import date

import pytest

WON = "Won"


@pytest.fixture(scope="module")
def data(maven_csv):
    read = maven_csv
    teams = {r["sales_agent"]: r for r in read("sales_teams.csv")}
    return read("sales_pipeline.csv"), {r["account"]: r for r in read("accounts.csv")}, teams


def ask(cp, who, q):
    return cp.ask(cp.principal(f"maven:user:{who}"), q)


def _won_2017(rows, people):
    return [r for r in rows if r["sales_agent"] in people and r["deal_stage"] == WON and r["close_date"][:4] == "2017"]


def test_top_accounts_by_an_abbreviation(maven, data):
    rows, _, _ = data
    by: dict[str, float] = defaultdict(float)
    for r in _won_2017(rows, {"Jonathan Berthelot"}):
        by[r["account"]] += float(r["close_value"])
    top = sorted(by.items(), key=lambda kv: -kv[1])[:3]
    a = ask(maven, "jonathan-berthelot", "top 3 accts by won revenue for me in 2017")
    assert [(g["group"], g["value"]) for g in a.data["crm"]["rows"]] == [(k, pytest.approx(v)) for k, v in top]


def test_the_most_wins_is_a_count(maven, data):
    rows, _, teams = data
    people = {n for n, t in teams.items() if t["manager"] == "Dustin Brinkmann"}
    n: dict[str, int] = defaultdict(int)
    for r in _won_2017(rows, people):
        n[r["sales_agent"]] += 1
    a = ask(maven, "dustin-brinkmann", "which rep on my team had the most wins in 2017?")
    top = a.data["crm"]["rows"][0]
    assert a.data["crm"]["query"]["metric"] == "count"
    assert (top["group"], top["value"]) == (max(n, key=lambda k: n[k]), max(n.values()))


def test_two_periods_joined_by_or_are_compared(maven, data):
    rows, _, _ = data
    mine = _won_2017(rows, {"Kami Bicknell"})
    q2 = sum(1 for r in mine if date(2017, 4, 1) <= date.fromisoformat(r["close_date"]) <= date(2017, 6, 30))
    q3 = sum(1 for r in mine if date(2017, 7, 1) <= date.fromisoformat(r["close_date"]) <= date(2017, 9, 30))
    a = ask(maven, "kami-bicknell", "did i win more deals in Q2 2017 or Q3 2017? give me the count for each")
    assert a.data["crm"]["value"] == q2 and f"**{q3}**" in a.text and q2 and q3


def test_an_aside_naming_the_manager_is_set_aside_and_the_rest_are_her_reports(maven, data):
    """The rest of a rep's team is the rest of their manager's reports: Maven's teams are regional offices that hold
    two managers' reps each."""
    rows, _, teams = data
    peers = {n for n, t in teams.items() if t["manager"] == teams["Markita Hansen"]["manager"]}

    def rate(people):
        closed = [r for r in rows if r["sales_agent"] in people and r["deal_stage"] in (WON, "Lost")
                  and r["close_date"][:4] == "2017"]
        return sum(r["deal_stage"] == WON for r in closed) / len(closed)

    a = ask(maven, "markita-hansen", "for my 1:1 tomorrow with celia - how does my win rate in 2017 compare to the rest "
                                     "of my team?")
    assert a.intent == "crm_query" and "can't" not in a.text
    got = {g["group"]: g["value"] for g in a.data["crm"]["rows"]}
    assert got == {"you": pytest.approx(rate({"Markita Hansen"}), abs=1e-4),
                   "rest of your team": pytest.approx(rate(peers - {"Markita Hansen"}), abs=1e-4)}


def test_companies_owned_by_a_parent_not_the_parent_itself(maven, data):
    rows, accounts, teams = data
    people = {n for n, t in teams.items() if t["manager"] == "Celia Rouche"}
    want = sum(float(r["close_value"]) for r in _won_2017(rows, people)
               if accounts[r["account"]]["subsidiary_of"] == "Bubba Gump")
    a = ask(maven, "celia-rouche", "how much won rev did my team get in 2017 from companies owned by Bubba Gump (its "
                                   "subsidiaries, not bubba gump itself)?")
    assert a.data["crm"]["query"]["filters"]["account"] is None
    assert a.data["crm"]["value"] == pytest.approx(want) and want


def test_top_customer_sectors(maven, data):
    rows, accounts, teams = data
    people = {n for n, t in teams.items() if t["manager"] == "Summer Sewald"}
    by: dict[str, float] = defaultdict(float)
    for r in _won_2017(rows, people):
        by[accounts[r["account"]]["sector"].replace("technolgy", "technology")] += float(r["close_value"])
    top = sorted(by.items(), key=lambda kv: -kv[1])[:3]
    a = ask(maven, "summer-sewald", "top 3 customer sectors by won rev for my team in 2017?")
    assert [(g["group"], g["value"]) for g in a.data["crm"]["rows"]] == [(k, pytest.approx(v)) for k, v in top]


def test_stages_are_shown_in_the_crms_own_words(maven, data):
    rows, _, _ = data
    engaging = sum(1 for r in rows if r["sales_agent"] == "Versie Hillebrand" and r["deal_stage"] == "Engaging")
    a = ask(maven, "versie-hillebrand", "how many open opps do i have rn? split by stage pls")
    assert f"- Engaging (qualification): {engaging} " in a.text and engaging
