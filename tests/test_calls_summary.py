"""Summaries of the demo calls (scripted transcriber): planted objections, competitor and dated next
step found and cited; LLM path with a fake chat model; follow-up proposals; CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from copilot.core.domain import Citation
from copilot.core.embeddings import HashingEmbedder
from copilot.core.speech import Segment
from demo.calls import load_demo_calls, manifest
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, Team, User
from tools.calls.analytics import analyze
from tools.calls.dates import parse_due
from tools.calls.summarize import CallContext, CallSummary, Summarizer

TODAY = date(2025, 3, 14)  # a Friday
PLANTS = {"Brightwell Health": ("security", "Vantage IQ", "next tuesday"),
          "Kestrel Manufacturing": ("pricing", "OpsHawk", "by friday"),
          "Alder Financial": ("adoption", "ClearSignal", "next thursday"),
          "Nimbus Retail": ("integration", "Vantage IQ", "next wednesday")}
CONTACTS = {"Brightwell Health": "Dana Whitfield", "Kestrel Manufacturing": "Marco Ruiz",
            "Alder Financial": "Priya Natarajan", "Nimbus Retail": "Owen Gallagher"}


class FakeLedger:
    def __init__(self) -> None:
        self.proposed: list[dict[str, Any]] = []

    def propose(self, kind: str, payload: dict, *, owner_id: str, rationale: str, tool: str,
                citations: list[Citation] = [], confidence: float = 0.5, account_id: str | None = None,  # noqa: B006
                deal_id: str | None = None, call_id: str | None = None, expires_in: timedelta | None = None) -> dict:
        self.proposed.append({"kind": kind, "payload": payload, "owner_id": owner_id, "citations": citations,
                              "deal_id": deal_id, "call_id": call_id})
        return {"id": f"A{len(self.proposed)}", "kind": kind}


def seed(cp) -> None:
    with cp.services.crm.session() as s:
        s.add(Team(id="t1", name="East"))
        s.add(User(id="u-rep", name="Jordan Lee", email="jordan@skylarkdata.com", role="rep", team_id="t1"))
        s.add(User(id="u-other", name="Sam Other", email="sam@skylarkdata.com", role="rep", team_id="t1"))
        s.flush()
        for i, (acct, contact) in enumerate(CONTACTS.items()):
            s.add(Account(id=f"a{i}", name=acct, owner_id="u-rep", team_id="t1"))
            s.flush()
            s.add(Contact(id=f"c{i}", account_id=f"a{i}", name=contact, email=f"{contact.split()[0].lower()}@x.com",
                          buying_role="champion"))
            s.add(Deal(id=f"d{i}", name=f"{acct} - deal", account_id=f"a{i}", owner_id="u-rep", team_id="t1",
                       stage="discovery", amount=45000, competitor=PLANTS[acct][1]))  # the CRM names them


@pytest.fixture
def demo(copilot):
    seed(copilot)
    copilot.services.__dict__["actions"] = FakeLedger()  # the ledger's fixed propose() interface
    ids = load_demo_calls(copilot, TODAY)
    return copilot, ids


def test_demo_calls_planted_facts_found_and_cited(demo) -> None:
    cp, ids = demo
    assert len(ids) == 4
    by_account = {c["account"]: c for c in manifest()}
    with cp.services.crm.session() as s:
        for i, (acct, (objection, competitor, when)) in enumerate(PLANTS.items()):
            row = s.get(Call, f"demo-call-{by_account[acct]['id']}")
            assert row.deal_id == f"d{i}" and row.owner_id == "u-rep"
            assert row.transcript and {t["speaker"] for t in row.transcript} == {"Jordan Lee", CONTACTS[acct]}
            summary = CallSummary.model_validate(row.summary)
            call_date = row.occurred_at.date()
            assert call_date == TODAY - timedelta(days=by_account[acct]["days_before"])
            cats = [o.category for o in summary.items("objections")]
            assert objection in cats, (acct, cats)
            assert [c.category for c in summary.items("competitors")] == [competitor]
            steps = summary.items("next_steps")
            expected = parse_due(when, call_date)[0]
            assert any(st.due == expected for st in steps), (acct, [(st.text, st.due) for st in steps])
            for section in ("objections", "competitors", "next_steps"):
                for item in summary.items(section):
                    assert item.citations and all(c.kind == "call" and c.timestamp is not None for c in item.citations)
            # the citation points at the segment that said it
            obj = next(o for o in summary.items("objections") if o.category == objection)
            seg = next(t for t in row.transcript if t["start"] == obj.citations[0].timestamp)
            assert seg["role"] == "customer" and obj.text in seg["text"]


def test_deadline_parsing() -> None:
    wed = date(2025, 3, 5)
    assert parse_due("let's meet next Tuesday", wed)[0] == date(2025, 3, 11)
    assert parse_due("I'll send it by Friday", wed)[0] == date(2025, 3, 7)
    assert parse_due("kickoff on March 3rd", wed)[0] == date(2026, 3, 3)
    assert parse_due("review on the 20th of March", wed)[0] == date(2025, 3, 20)
    assert parse_due("in two weeks", wed)[0] == date(2025, 3, 19)
    assert parse_due("tomorrow works", wed)[0] == date(2025, 3, 6)
    assert parse_due("no date here", wed) is None


def test_analytics_sides() -> None:
    segs = [Segment(start=0, end=10, text="What prompted this? Um, tell me more.", role="rep"),
            Segment(start=12, end=30, text="Our dashboards break and we lose hours. It is frustrating.", role="customer"),
            Segment(start=30, end=40, text="The demo was great, I love it.", role="customer")]
    a = analyze(segs, duration=45)
    assert a.sides["rep"].questions == 1 and a.sides["rep"].fillers == {"um": 1}
    assert a.sides["customer"].talk_ratio == pytest.approx(28 / 38, abs=0.001)
    assert a.sides["customer"].longest_monologue == 28
    assert a.silence_seconds == 7 and a.interactivity == pytest.approx(1 / 0.75, abs=0.01)
    assert [s.label for s in a.customer_sentiment] == ["negative", "positive"]
    assert all(s.start >= 12 for s in a.customer_sentiment)  # the rep is never scored


def test_llm_summary_structured_output_maps_citations() -> None:
    from copilot.testing import ScriptedChatModel
    from tools.calls.llm_summary import LLMItem, LLMSummary

    chat = ScriptedChatModel(script=[
        LLMSummary(objections=[LLMItem(text="Price too high", segments=[1], category="pricing")],
                   next_steps=[LLMItem(text="Revised proposal", segments=[2], owner="Jordan Lee", due=date(2025, 3, 7)),
                               LLMItem(text="uncited", segments=[99])])])

    segs = [Segment(start=0, end=3, text="Thanks Marco.", role="rep", speaker="Jordan Lee"),
            Segment(start=4, end=8, text="The price is too high.", role="customer", speaker="Marco Ruiz"),
            Segment(start=65, end=70, text="I will send a revised proposal by Friday.", role="rep", speaker="Jordan Lee")]
    out = Summarizer(embedder=HashingEmbedder(), chat_model=chat).summarize(
        segs, CallContext(call_id="c1", title="Kestrel", call_date=date(2025, 3, 5), names={"rep": "Jordan Lee"}))
    assert out.mode == "llm"
    assert "[1] 00:04 Marco Ruiz: The price is too high." in chat.calls[0][0].content
    assert out.items("objections")[0].citations[0].timestamp == 4
    assert [s.text for s in out.items("next_steps")] == ["Revised proposal"]  # uncited item dropped
    assert out.items("next_steps")[0].citations[0].location() == "Kestrel @ 01:05"


def test_followup_proposes_pending_actions(demo) -> None:
    cp, ids = demo
    scope = cp.scope(cp.principal("u-rep"))
    result = cp.services.calls.draft_followup("demo-call-kestrel-negotiation", scope=scope, owner_id="u-rep")
    kinds = [a["kind"] for a in result["actions"]]
    assert kinds[:3] == ["send_email", "log_call_summary", "update_deal"] and "create_task" in kinds
    ledger = cp.services.actions
    upd = next(p for p in ledger.proposed if p["kind"] == "update_deal")
    call_date = TODAY - timedelta(days=6)
    assert upd["payload"]["fields"]["next_step_date"] == parse_due("by friday", call_date)[0].isoformat()
    assert upd["deal_id"] == "d1" and upd["citations"][0].kind == "call"
    assert "Hi Marco" in result["email"]["body"] and "revised proposal" in result["email"]["body"]
    assert result["email"]["to"] == ["marco@x.com"]
    # another rep may not follow up on this call
    from copilot.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        cp.services.calls.draft_followup("demo-call-kestrel-negotiation", scope=cp.scope(cp.principal("u-other")))


def test_silent_customer_gets_reengagement(demo) -> None:
    cp, _ = demo
    with cp.services.crm.session() as s:  # Brightwell replied after its call; the others stayed silent
        s.add(Activity(id="e1", kind="email", direction="inbound", account_id="a0",
                       occurred_at=datetime.combine(TODAY, datetime.min.time())))
    out = cp.services.calls.silent_customers(today=TODAY, days=5)
    accounts = sorted(o["account_id"] for o in out)
    assert accounts == ["a1", "a2"]  # Nimbus's call was 4 days ago: not yet silent for 5 days
    assert all(p["kind"] == "send_email" for p in cp.services.actions.proposed)
    assert "Would" in cp.services.actions.proposed[0]["payload"]["body"]


def test_cli_summarize_transcript_and_followup(demo, tmp_path) -> None:
    from integrations.cli.common import set_copilot
    from integrations.cli.main import app

    cp, _ = demo
    set_copilot(cp)
    try:
        tx = tmp_path / "call.txt"
        tx.write_text("[00:00] Jordan Lee: Owen, how did the demo land?\n"
                      "[00:05] Owen Gallagher: My worry is the integration effort with our legacy systems.\n"
                      "[00:12] Jordan Lee: Let's kick off the pilot next Wednesday.\n")
        r = CliRunner().invoke(app, ["call", "summarize", str(tx), "--deal", "d3", "--as", "u-rep",
                                     "--date", "2025-03-10", "--json"])
        assert r.exit_code == 0, r.output
        doc = json.loads(r.stdout)
        assert doc["sections"]["objections"][0]["category"] == "integration"
        assert doc["sections"]["next_steps"][0]["due"] == "2025-03-19"
        r = CliRunner().invoke(app, ["followup", "--call", doc["call_id"], "--as", "u-rep", "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["actions"][0]["kind"] == "send_email"
        r = CliRunner().invoke(app, ["call", "transcribe", str(tmp_path / "nope.wav"), "--json"])
        assert r.exit_code == 1 and "no audio file" in r.output
    finally:
        set_copilot(None)
