"""Blind batch 6 on the real Maven export: how old open deals are and how long lost deals ran. 'Open opps sitting
there since before july 1? trying to clean up old pipeline' went to the case library (the purpose clause and
'sitting' were words it could not apply); 'how long do my lost deals drag on before they're lost' too, and the
sales cycle was only ever over won deals. Expected values from the CSV files with csv."""

from datetime import date

import pytest


def ask(cp, who, q):
    return cp.ask(cp.principal(f"maven:user:{who}"), q)


def test_open_deals_sitting_since_before_a_date(maven, maven_csv):
    rows = [r for r in maven_csv("sales_pipeline.csv") if r["sales_agent"] == "Daniell Hammack"]
    want = [r for r in rows if r["deal_stage"] in ("Engaging", "Prospecting") and r["engage_date"]
            and r["engage_date"] < "2017-07-01"]
    a = ask(maven, "daniell-hammack", "how many of my open opps have been sitting there since before july 1 2017? "
                                      "trying to clean up old pipeline")
    assert a.intent == "crm_query" and want
    (w,) = a.data["crm"]["query"]["filters"]["windows"]
    assert w["field"] == "created" and w["end"] == "2017-06-30"
    assert a.data["crm"]["value"] == len(want) and "couldn't apply" not in a.text


def test_how_long_lost_deals_ran(maven, maven_csv):
    rows = [r for r in maven_csv("sales_pipeline.csv") if r["sales_agent"] == "Corliss Cosme"
            and r["deal_stage"] == "Lost" and r["close_date"].startswith("2017") and r["engage_date"]]
    days = [(date.fromisoformat(r["close_date"]) - date.fromisoformat(r["engage_date"])).days for r in rows]
    a = ask(maven, "corliss-cosme", "on avg how long do my lost deals drag on before they're lost? days from engage "
                                    "to close, in 2017")
    q = a.data["crm"]["query"]
    assert q["metric"] == "cycle_length" and q["filters"]["status"] == "lost" and days
    assert a.data["crm"]["value"] == pytest.approx(sum(days) / len(days), abs=0.05)
