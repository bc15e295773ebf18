"""The CRM eval: pandas gold answers on a tiny hand-made CRM (values worked out by hand below), the question
generator (deterministic, chat noise, stable split), and the scorer (right answers pass, typical wrong ones
fail). The gold code must not import the engine."""

from __future__ import annotations

import ast
import hashlib
import random
from datetime import date
from pathlib import Path

import pytest
from crm_seed import TODAY, seed_small_crm

from evals.base import EvalEnv, load_rows
from evals.crm_gold import asker_of, gold_answer, load_crm, resolve
from evals.crm_questions.generate import comp_id, generate, split_of
from evals.crm_questions.noise import add_noise
from evals.crm_questions.score import score
from evals.suites import crm_questions
from knowledge.crm.models import Deal, Product

EVALS = Path(__file__).resolve().parents[1] / "evals"


@pytest.fixture
def tiny(copilot):
    """crm_seed (Acme, Globex, Initech; Ann and Bob in East, Cara in West) plus closed deals and products.

    Deals: D-1 Ann open 45k (close 11-25, pushed once, next step), D-2 Ann won 30k (closed 03-01),
    D-3 Cara open 120k (close 11-23), D-4 Bob open 60k (close 12-30, no activity, no next step),
    D-5 Bob lost 10k (closed 10-05), D-6 Bob won 20k (created 08-01, closed 09-30: 60 days),
    D-7 Cara won 50k (created 05-01, closed 06-10: 40 days).
    """
    seed_small_crm(copilot.services.crm)
    with copilot.services.crm.session() as s:
        s.add_all([Product(id="P-obs", name="Skylark Observe"), Product(id="P-gov", name="Skylark Govern")])
        s.flush()
        for d in s.query(Deal).filter(Deal.id.in_(["D-1", "D-2"])):
            d.product_id = "P-obs"
        s.add_all([
            Deal(id="D-5", name="Initech Foods - Observe", account_id="A-3", owner_id="r-bob", team_id="east",
                 product_id="P-obs", stage="closed_lost", amount=10000, close_date=date(2026, 10, 5),
                 closed_on=date(2026, 10, 5)),
            Deal(id="D-6", name="Initech Foods - Govern", account_id="A-3", owner_id="r-bob", team_id="east",
                 product_id="P-gov", stage="closed_won", amount=20000, created_on=date(2026, 8, 1),
                 close_date=date(2026, 9, 30), closed_on=date(2026, 9, 30)),
            Deal(id="D-7", name="Globex Shipping - Govern", account_id="A-2", owner_id="r-cara", team_id="west",
                 product_id="P-gov", stage="closed_won", amount=50000, created_on=date(2026, 5, 1),
                 close_date=date(2026, 6, 10), closed_on=date(2026, 6, 10)),
        ])
    return load_crm(copilot.settings.crm_url)


def ask(crm, who: str, comp: dict) -> dict:
    return gold_answer(crm, comp, asker_of(crm, who), TODAY)


def test_scalar_metrics_and_scope(tiny):
    assert ask(tiny, "r-ann", {"metric": "count"})["value"] == 1  # rep: own open deals only
    assert ask(tiny, "r-ann", {"metric": "pipeline"})["value"] == 45000
    assert ask(tiny, "m-east", {"metric": "pipeline"})["value"] == 105000  # D-1 + D-4
    assert ask(tiny, "admin", {"metric": "pipeline"})["value"] == 225000
    assert ask(tiny, "m-east", {"metric": "win_rate"})["value"] == pytest.approx(2 / 3)  # D-2, D-6 won; D-5 lost
    assert ask(tiny, "admin", {"metric": "cycle_length"})["value"] == 50  # (60 + 40) / 2; D-2 has no created_on
    assert ask(tiny, "admin", {"metric": "account_count", "filters": {"status": "won"}})["value"] == 3
    assert ask(tiny, "m-east", {"metric": "account_count", "filters": {"status": "any"}})["value"] == 2  # 5 deals, A-1/A-3
    assert ask(tiny, "admin", {"metric": "avg", "filters": {"status": "won"}})["value"] == pytest.approx(100000 / 3)
    won_q3 = {"metric": "sum", "filters": {"status": "won", "windows": [{"field": "closed", "expr": {"kind": "last_quarter"}}]}}
    assert ask(tiny, "admin", won_q3)["value"] == 20000  # D-6 closed on 09-30, the last day of Q3 (inclusive)
    assert ask(tiny, "admin", {"metric": "sum", "filters": {"status": "won", "product": "Skylark Govern"}})["value"] == 70000
    assert ask(tiny, "m-east", {"metric": "count", "filters": {"amount_min": 45000}})["value"] == 2  # bounds inclusive
    probe = ask(tiny, "r-ann", {"metric": "pipeline", "filters": {"owner": "Cara Diaz"}})
    assert probe["value"] == 0 and probe["unscoped"] == 120000 and probe["scoped_out"]


def test_filters_on_activity_pushes_next_steps_and_dates(tiny):
    ids = lambda g: sorted(g["ids"])  # noqa: E731
    assert ids(ask(tiny, "m-east", {"metric": "list", "filters": {"inactive_days": 14}})) == ["D-4"]
    assert ids(ask(tiny, "admin", {"metric": "list", "filters": {"min_pushes": 1}})) == ["D-1"]
    assert ids(ask(tiny, "m-east", {"metric": "list", "filters": {"has_next_step": False}})) == ["D-4"]
    this_month = {"metric": "list", "filters": {"windows": [{"field": "close", "expr": {"kind": "this_month"}}]}}
    assert ids(ask(tiny, "admin", this_month)) == ["D-1", "D-3"]
    assert ask(tiny, "m-east", {"object": "accounts", "metric": "list", "filters": {"inactive_days": 30}})["ids"] == ["A-3"]
    assert ask(tiny, "r-ann", {"object": "accounts", "metric": "last_touch",
                               "filters": {"account": "Acme Robotics"}})["value"] == "2026-11-19"
    assert ask(tiny, "r-ann", {"object": "contacts", "metric": "count", "filters": {"account": "Acme Robotics"}})["value"] == 2
    assert ask(tiny, "r-ann", {"metric": "activity_count"})["value"] == 1
    assert resolve({"kind": "since_month", "month": 6}, TODAY) == (date(2026, 6, 1), TODAY)
    assert resolve({"kind": "next_n_days", "n": 30}, TODAY) == (TODAY, date(2026, 12, 20))
    assert resolve({"kind": "quarter", "q": 3, "year": 2017}, TODAY) == (date(2017, 7, 1), date(2017, 9, 30))


def test_groups_top_n_and_comparisons(tiny):
    by_team = ask(tiny, "admin", {"metric": "pipeline", "group_by": "team", "compare": ["East", "West"]})
    assert [(r["group"], r["value"], r["n"]) for r in by_team["rows"]] == [("East", 105000, 2), ("West", 120000, 1)]
    top = ask(tiny, "admin", {"metric": "pipeline", "group_by": "rep", "order": "desc", "limit": 1})
    assert [(r["group"], r["value"]) for r in top["rows"]] == [("Cara Diaz", 120000)]
    me = ask(tiny, "r-ann", {"metric": "win_rate", "compare": ["me_vs_rest"]})
    assert [(r["group"], r["value"], r["n"]) for r in me["rows"]] == [("me", 1.0, 1), ("rest", 0.5, 2)]
    quarters = ask(tiny, "admin", {"metric": "sum", "filters": {"status": "won"}, "group_by": "quarter"})
    assert {r["group"]: r["value"] for r in quarters["rows"]} == {"2026Q1": 30000, "2026Q2": 50000, "2026Q3": 20000}


def test_exec_rules(tiny):
    assert ask(tiny, "x-eve", {"metric": "list"})["kind"] == "refused"
    assert ask(tiny, "x-eve", {"metric": "count"})["value"] == 3  # three open deals: an aggregate is fine
    narrow = ask(tiny, "x-eve", {"metric": "pipeline", "filters": {"account": "Globex Shipping"}})
    assert narrow["kind"] == "refused" and narrow["reason"] == "narrow" and narrow["hidden"] == 120000
    assert ask(tiny, "x-eve", {"metric": "count", "filters": {"owner": "Bob Stone", "status": "any"}})["reason"] == "person"
    rows = ask(tiny, "x-eve", {"metric": "count", "filters": {"status": "any"}, "group_by": "rep"})["rows"]
    # Ann 2 and Cara 2 deals are suppressed; Bob's 3 show under his pseudonym
    assert rows == [{"group": "Person-" + hashlib.sha256(b"Bob Stone").hexdigest()[:6], "value": 3, "n": 3,
                     "key": "Bob Stone"}]


def test_gold_imports_no_engine_code():
    for folder in ("crm_gold", "crm_questions"):
        for path in (EVALS / folder).glob("*.py"):
            if path.name == "build_dbs.py":  # builds the databases with the product's builders, by design
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                assert not any(n.split(".")[0] in ("copilot", "tools", "knowledge") for n in names), (path, names)


# -- generator ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_crm(demo_copilot):
    return load_crm(demo_copilot.settings.crm_url)


COUNTS = {"rep": 40, "manager": 30, "exec": 30}


def test_generator_is_deterministic_and_split_is_stable(demo_crm):
    a = generate(demo_crm, "demo", today=demo_crm.anchor, seed=5, counts=COUNTS)
    b = generate(demo_crm, "demo", today=demo_crm.anchor, seed=5, counts=COUNTS)
    assert [(i.id, i.question, i.gold) for i in a] == [(i.id, i.question, i.gold) for i in b]
    assert [i.question for i in a] != [i.question for i in generate(demo_crm, "demo", today=demo_crm.anchor, seed=6,
                                                                      counts=COUNTS)]
    assert len(a) == sum(COUNTS.values()) and {i.role for i in a} == set(COUNTS)
    for item in a:  # the split is a function of the composition id only (paraphrases share it)
        assert item.comp_id == comp_id("demo", item.asker, item.composition) and item.split == split_of(item.comp_id)
    shares = [split_of(f"{n:012x}") == "dev" for n in range(2000)]
    assert 0.55 < sum(shares) / len(shares) < 0.65
    assert split_of("000000000000") == split_of("000000000000")
    cats = {i.category for i in a}
    assert {"group", "topn", "refusal:list"} <= cats and any(c.startswith("compare") for c in cats)
    assert any(i.noise["typos"] for i in a)
    shorthand = ("opps", "ytd", "qtd", "qtr", "w/", "eoy", "eoq", "qoq", "k ", "$", "#")
    assert sum(any(s in i.question.lower() for s in shorthand) for i in a) > len(a) / 4


def test_noise_swaps_letters_in_words_not_names():
    rng = random.Random(3)
    names = ["Sam Okafor", "Kestrel Manufacturing", "OpsHawk"]
    for _ in range(50):
        text, noise = add_noise(rng, "which of Sam Okafor's deals against OpsHawk at Kestrel Manufacturing slipped",
                                names, typo_rate=1.0, name_typo_rate=0.0)
        assert "Okafor" in text or "okafor" in text
        assert "kestrel manufacturing" in text.lower() and "opshawk" in text.lower()
        for before, after in noise.typos:
            assert sorted(before) == sorted(after) or len(after) == len(before) - 1


# -- scorer ---------------------------------------------------------------------------------------------
def answer(text: str, **crm) -> dict:
    return {"text": text, "data": {"crm": crm}, "confidence": 0.5, "notes": []}


def test_scorer_accepts_right_and_rejects_typical_wrong_answers(tiny):
    wins = {"metric": "count", "filters": {"status": "won"}}
    gold = ask(tiny, "admin", wins)
    assert gold["value"] == 3
    assert score(answer("You won 3 deals.", value=3), gold, wins).correct
    assert not score(answer("You closed 4 deals.", value=4), gold, wins).correct  # wins + losses
    assert not score(answer("3 deals", value=3.4), gold, wins).correct
    assert not score(answer("I found some deals."), gold, wins).correct  # data.crm without a value
    assert not score({"text": "3 won deals", "data": {}, "notes": []}, gold, wins).correct  # no data.crm

    govern = {"metric": "sum", "filters": {"status": "won", "product": "Skylark Govern"}}
    g = ask(tiny, "admin", govern)
    assert score(answer("Won on Govern: $70,000", value=70000.0), g, govern).correct
    assert score(answer("Won on Govern: $70k", value=70100.0), g, govern).correct  # within 0.5%
    assert not score(answer("Won: $100,000", value=100000.0), g, govern).correct  # all products
    assert not score(answer("Won on Govern: about $65k", value=70000.0), g, govern).correct  # text disagrees

    open_list = {"metric": "list", "filters": {"owner": "Bob Stone"}}
    g = ask(tiny, "m-east", open_list)
    assert g["ids"] == ["D-4"]
    assert score(answer("1 deal", records=[{"id": "D-4"}], total=1), g, open_list).correct
    assert not score(answer("2 deals", records=[{"id": "D-5"}, {"id": "D-6"}], total=2), g, open_list).correct

    rate = {"metric": "win_rate"}
    g = ask(tiny, "m-east", rate)
    assert score(answer("Win rate 66.7%", value=0.6667), g, rate).correct
    assert score(answer("Win rate 67%", value=66.67), g, rate).correct  # percent in data is fine too
    assert not score(answer("Win rate 75%", value=0.75), g, rate).correct


def test_scorer_groups_ties_and_refusals(tiny):
    comp = {"metric": "pipeline", "group_by": "team", "compare": ["East", "West"]}
    g = ask(tiny, "admin", comp)
    rows = [{"group": "West", "value": 120000, "n": 1}, {"group": "east", "value": 105000, "n": 2}]
    assert score(answer("East $105k vs West $120k", rows=rows), g, comp).correct
    assert not score(answer("East vs West", rows=rows[:1]), g, comp).correct

    ties = {"metric": "count", "filters": {"status": "any"}, "group_by": "rep", "order": "desc", "limit": 2}
    g = ask(tiny, "admin", ties)  # Bob 3, then Ann 2 and Cara 2 tied
    assert score(answer("Bob, Cara", rows=[{"group": "Bob Stone", "value": 3}, {"group": "Cara Diaz", "value": 2}]),
                 g, ties).correct
    assert score(answer("Bob, Ann", rows=[{"group": "Bob Stone", "value": 3}, {"group": "Ann Lee", "value": 2}]),
                 g, ties).correct
    assert not score(answer("Ann, Bob", rows=[{"group": "Ann Lee", "value": 2}, {"group": "Bob Stone", "value": 3}]),
                     g, ties).correct

    listing = {"metric": "list"}
    g = ask(tiny, "x-eve", listing)
    refusal = {"text": "I can't show individual deals to execs.", "data": {}, "notes": ["refused: aggregates only"]}
    assert score(refusal, g, listing).correct
    assert not score(answer("D-1, D-3, D-4", records=[{"id": "D-1"}], total=3), g, listing).correct
    narrow = {"metric": "pipeline", "filters": {"account": "Globex Shipping"}}
    g = ask(tiny, "x-eve", narrow)
    assert not score({"text": "I can't show that ($120,000 is one deal)", "data": {}, "notes": []}, g, narrow).correct


def test_the_crm_eval_on_a_crm_never_imported_into_says_what_to_do(copilot, tmp_path):
    # 'copilot eval crm_questions' in a fresh COPILOT_HOME raised a pandas traceback while deriving dates
    # from a CRM with no tables; it now reports the suite not available, with the command that builds the demo.
    assert len(load_crm(f"sqlite:///{tmp_path / 'never.db'}").deals) == 0
    rows = load_rows(EVALS / "datasets" / "crm_generated_demo.jsonl")[:5]
    res = crm_questions.run_split(EvalEnv(cp=copilot), rows)
    assert res.status == "not available" and "copilot init --demo" in res.note
