"""Deals against their product's list price (blind batch 6, r-16 and r-17): 'whats my open pipeline worth at list
price', 'how many of my won deals closed below list price', 'my average discount'. Before, 'list price' was not read
at all. Expected values come from the Maven CSV files with csv (the pipeline's 'GTXPro' is the product table's
'GTX Pro'), not from the engine."""

import statistics

import pytest

OPEN = ("Engaging", "Prospecting")


@pytest.fixture(scope="module")
def data(maven_csv):
    price = {r["product"].replace("GTX Pro", "GTXPro"): float(r["sales_price"]) for r in maven_csv("products.csv")}
    return maven_csv("sales_pipeline.csv"), price


def ask(cp, who, q):
    return cp.ask(cp.principal(f"maven:user:{who}"), q)


def test_open_pipeline_at_list_price(maven, data):
    rows, price = data
    want = sum(price[r["product"]] for r in rows if r["sales_agent"] == "Lajuana Vencill" and r["deal_stage"] in OPEN)
    for question in ("whats my open pipeline worth at list price? (engaging + prospecting)", "我的进行中商机按标价算值多少钱？"):
        a = ask(maven, "lajuana-vencill", question)
        assert a.data["crm"]["query"]["metric"] == "list_value", question
        assert want and a.data["crm"]["value"] == pytest.approx(want), question
        assert "couldn't apply" not in a.text and "没能" not in a.text, question


def test_won_deals_below_list_price_and_the_average_discount(maven, data):
    rows, price = data
    won = [r for r in rows if r["sales_agent"] == "Hayden Neloms" and r["deal_stage"] == "Won"
           and r["close_date"].startswith("2017")]
    below = [r for r in won if float(r["close_value"]) < price[r["product"]]]
    assert 0 < len(below) < len(won)
    for question in ("how many of my won deals in 2017 closed below list price?", "我2017年有多少赢单是低于标价成交的？"):
        a = ask(maven, "hayden-neloms", question)
        assert a.data["crm"]["query"]["filters"]["below_list"] is True, question
        assert a.data["crm"]["total"] == len(below), question
    a = ask(maven, "hayden-neloms", "how many of my won deals in 2017 were sold at full list price?")
    assert a.data["crm"]["query"]["filters"]["below_list"] is False and a.data["crm"]["total"] == len(won) - len(below)
    off = statistics.fmean(1 - float(r["close_value"]) / price[r["product"]] for r in won)
    for question in ("what's my average discount on won deals in 2017", "我2017年赢单的平均折扣是多少"):
        a = ask(maven, "hayden-neloms", question)
        assert a.data["crm"]["query"]["metric"] == "discount", question
        assert a.data["crm"]["value"] == pytest.approx(round(off, 4)), question
