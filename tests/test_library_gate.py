"""The library gate: questions whose form asks how things are done reach the library, whatever CRM words they use;
questions that name records, or that the CRM reader fully understands, stay with the CRM."""

from __future__ import annotations

import json

import pytest
from crm_seed import TODAY, seed_small_crm
from tests_support import make_settings_for

from copilot.app import Copilot
from copilot.offline import gate
from copilot.offline.parse.normalize import normalize

RULES = """# Sales rules
## Paid trials
A paid POC needs a signed trial agreement that states the success criteria, the fee and the end date.
## AE ramp
Between day 30 and day 60 a new AE also produces a territory plan and a first account map.
## Renewal uplift
Renewal quotes carry a 5 percent uplift unless the deal desk agrees otherwise.
## Marketplace purchases
When a customer buys through the cloud marketplace, an admin on the customer's side accepts the private offer.
"""
LIBRARY = ("knowledge", "objection", "competitor")


@pytest.fixture(scope="module")
def cp(tmp_path_factory):
    home = tmp_path_factory.mktemp("gate")
    cp = Copilot(make_settings_for(home, today=TODAY))
    seed_small_crm(cp.services.crm)
    lib = home / "library"
    lib.mkdir()
    (lib / "rules.md").write_text(RULES)
    assert not cp.services.knowledge.ingest_paths([lib]).errors
    cp.services.knowledge.sync_crm(cp.services.crm)
    yield cp
    cp.close()


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


@pytest.mark.parametrize(("question", "fact"), [
    # handbook batch 13, first run: the CRM reader and the call-transcript search answered these with records
    ("prospect is ok paying for the POC. do we need a contract for that and what has to be in it?",
     "signed trial agreement"),
    ("new AE, month 2. apart from the meetings and qualified opps what else am i meant to produce between day 30 "
     "and 60?", "territory plan"),
])
def test_a_question_about_how_things_are_done_gets_the_library(cp, question, fact):
    a = ask(cp, "r-ann", question)
    assert a.intent in LIBRARY, a.text
    assert fact in a.text and a.citations


@pytest.mark.parametrize(("question", "intent"), [
    ("how many deals did I win last quarter?", "crm_query"),
    ("can i get pipe per rep??", "crm_query"),  # a rule question's form, but every word is a CRM word it reads
    ("should I worry about Acme Robotics?", "account_status"),  # names an account: about its records
])
def test_record_questions_stay_with_the_records(cp, question, intent):
    assert ask(cp, "r-ann", question).intent == intent


def test_a_process_question_naming_a_role_is_answered_when_the_library_holds_it(cp):
    # handbook batch 16, first run: 'Which account do you mean?' for a question one section answers
    a = ask(cp, "r-ann", "my champion wants to buy through the cloud marketplace. who on their side has to accept the offer?")
    assert a.intent in LIBRARY and "accepts the private offer" in a.text, a.text
    mine = ask(cp, "r-ann", "who is my champion?")  # one word any section may hold: which account is meant
    assert mine.intent == "champion" and "Which account do you mean?" in mine.text


def test_the_gate_reads_the_form_not_the_topic():
    p = gate.library_probability
    # Words outside its vocabulary are all X: the subject does not move it, the form does.
    assert p("do i get full quota credit on the new deal?") == p("do i get full zebra credit on the new deal?")
    assert p("do we need a contract for the paid poc and what has to be in it?") >= gate.LIBRARY_SURE
    assert p("is there an extra field I should fill in for best case opps?") >= gate.LIBRARY_SURE
    for records in ("how many deals did we close last quarter", "which of my deals close this month",
                    "win rate by rep this year", "what's going on with acme?"):
        assert p(normalize(records, set())[0]) < 0.5, records


def test_the_shipped_weights_are_what_the_training_script_writes():
    from evals.library_gate import train

    shipped = json.loads(gate.WEIGHTS.read_text(encoding="utf-8"))
    fresh = train()
    assert fresh["trained_on"] == shipped["trained_on"]  # a dataset changed: run `python -m evals.library_gate`
    assert fresh["keep"] == shipped["keep"] and set(fresh["grams"]) == set(shipped["grams"])
    assert max(abs(fresh["grams"][g] - w) for g, w in shipped["grams"].items()) < 1e-3


def test_record_handler_questions_keep_their_handler(cp, monkeypatch):
    # The test half of record_questions.yaml was not trained on (calls, health, forecast, risk, accounts, requests):
    # each is routed as it was without the gate.
    from copilot.offline import forms
    from evals.library_gate import record_questions
    from evals.suites.handbook import split_of

    test = [q for q in record_questions() if split_of(q) == "test"]
    assert len(test) >= 30
    with_gate = [ask(cp, "r-ann", q).intent for q in test]
    monkeypatch.setattr(forms, "LIBRARY_SURE", 1.01)  # no question is that sure: the gate is off
    without = [ask(cp, "r-ann", q).intent for q in test]
    assert [(q, a, b) for q, a, b in zip(test, with_gate, without, strict=True) if a != b] == []


@pytest.mark.parametrize("question", [
    # handbook batches 26-27 (test halves), first run: the gate scored these 0.799 and 0.789, just under its 0.8,
    # and the CRM reader answered them with records. Retrained with those batches' dev halves: 0.83 and 0.81.
    "do i have to flip the forecast category to Won myself after closing an opp",
    "who actually owns the technical win on an opp, the AE or the CE?",
])
def test_a_rule_question_the_gate_was_unsure_of_leaves_the_records(cp, question):
    assert ask(cp, "r-ann", question).intent in LIBRARY
