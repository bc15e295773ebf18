"""Tools only propose: running every registered tool changes nothing outside the action ledger.

Each tool needs an example call below; a new tool without one fails this test, so none slips through.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from crm_seed import TODAY, seed_small_crm
from sqlalchemy import inspect, text
from tests_support import make_settings_for

from copilot.app import Copilot
from tools.registry import all_tools

EXAMPLES: dict[str, dict] = {
    "search_knowledge": {"query": "security questionnaire"},
    "lookup_account": {"account": "Acme Robotics"},
    "lookup_deal": {"deal": "D-1"},
    "list_deals": {"owner": "me", "status": "any"},
    "account_timeline": {"account": "Acme"},
    "last_contact": {"person": "Dana Park"},
    "propose_email": {"account": "Acme", "to": ["Dana Park"], "subject": "Next steps", "body": "Hi Dana, ..."},
    "propose_deal_update": {"deal": "D-1", "stage": "negotiation", "next_step": "Legal review"},
    "propose_task": {"title": "Send SOC 2 report", "due_on": "2026-11-25", "deal": "D-1"},
    "propose_activity": {"kind": "call", "subject": "Call with Acme", "body": "legal ok with the MSA", "account": "Acme",
                         "contact": "Dana Park"},
    "pipeline_query": {"metric": "won_revenue", "group_by": "rep"},
    "search_calls": {"query": "security review", "speaker": "customer"},
    "query_crm": {"metric": "sum", "filters": {"status": "won"}, "group_by": "rep"},
    "forecast_quarter": {},
    "deals_at_risk": {},
    "win_probability": {"deal": "D-1"},
    "customer_health": {"at_risk_only": True},
    "summarize_call": {"account": "Acme"},
    "draft_followup": {"account": "Acme"},
    "start_roleplay": {},
}
LEDGER_TABLES = {"actions", "action_events", "action_chain_head"}


def snapshot(cp: Copilot) -> dict[str, str]:
    digests = {}
    with cp.services.crm.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).fetchall()
            digests[table] = hashlib.sha256(json.dumps(sorted(map(repr, rows))).encode()).hexdigest()
    home = cp.settings.resolved_home
    files = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()
                   and not any(part in ("chroma",) for part in p.parts) and not p.name.startswith(("crm.db", "knowledge")))
    digests["__files__"] = hashlib.sha256("\n".join(files).encode()).hexdigest()
    return digests


@pytest.fixture
def cp(tmp_path):
    cp = Copilot(make_settings_for(tmp_path, today=TODAY))
    seed_small_crm(cp.services.crm)
    from tools.calls.transcribe import Transcript

    call = Transcript.from_text("Rep: What is your timeline?\nCustomer: We need this live by March, and the price "
                                "is too high compared to Vantage IQ.\nRep: Let's schedule a demo next Tuesday.")
    cp.services.calls.summarize_call(call, deal_id="D-1", title="Acme discovery call")
    cp.services.knowledge.sync_crm(cp.services.crm)
    _ = cp.services.actions, cp.services.roleplay  # create their tables before the snapshot
    yield cp
    cp.close()


def test_every_tool_has_an_example():
    missing = [t.name for t in all_tools() if t.name not in EXAMPLES]
    assert not missing, f"add an example call for {missing} to EXAMPLES"


def test_no_tool_changes_anything_outside_the_ledger(cp):
    before = snapshot(cp)
    ctx = cp.services.tool_context(cp.principal("r-ann"))
    ran = []
    for spec in all_tools():
        spec.run(ctx, EXAMPLES[spec.name])
        ran.append(spec.name)
    after = snapshot(cp)
    changed = {t for t in after if before.get(t) != after[t]}
    assert changed <= LEDGER_TABLES, f"tools changed {changed - LEDGER_TABLES}"
    proposals = cp.services.actions.list(cp.principal("r-ann"))
    assert {a.kind for a in proposals} >= {"send_email", "update_deal", "create_task"}
    assert all(a.state.value == "proposed" for a in proposals)
    assert ran == [t.name for t in all_tools()]
