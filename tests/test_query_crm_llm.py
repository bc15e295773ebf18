"""The LLM path of CRM questions: a scripted model drives ``query_crm`` for every slot, the grounding gate
refuses answers that rest on no tool result or invent figures, and the wire format over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from crm_seed import TODAY, seed_small_crm
from sqlalchemy import select
from tests_support import make_settings_for

from copilot.agent import Agent
from copilot.app import Copilot
from copilot.grounding import ungrounded_numbers
from copilot.testing import FakeOpenAIServer, ScriptedChatModel, tool_call
from knowledge.crm.models import Deal
from tools.crm_query.run import run_query
from tools.crm_query.schema import CrmQuery
from tools.registry import all_tools

DEMO_TODAY = date(2026, 11, 20)
Q3 = {"field": "closed", "start": "2026-07-01", "end": "2026-09-30"}
SLOTS: dict[str, dict] = {
    "object:accounts": {"object": "accounts", "metric": "count"},
    "object:contacts": {"object": "contacts", "metric": "list", "filters": {"buying_role": "economic_buyer"}},
    "object:activities": {"object": "activities", "metric": "count", "filters": {"activity_kind": "meeting"}},
    "object:calls": {"object": "calls", "metric": "count"},
    "metric:sum": {"metric": "sum", "filters": {"status": "won", "windows": [Q3]}},
    "metric:avg": {"metric": "avg", "filters": {"status": "won"}},
    "metric:win_rate": {"metric": "win_rate"},
    "metric:loss_rate": {"metric": "loss_rate"},
    "filter:min_days_in_stage": {"metric": "count", "filters": {"min_days_in_stage": 14}},
    "metric:pipeline": {"metric": "pipeline"},
    "metric:cycle_length": {"metric": "cycle_length"},
    "metric:activity_count": {"metric": "activity_count", "filters": {"status": "open"}},
    "metric:last_touch": {"metric": "last_touch", "filters": {"status": "open"}},
    "metric:account_count": {"metric": "account_count", "filters": {"status": "won"}},
    "metric:list_value": {"metric": "list_value", "filters": {"status": "open"}},
    "metric:discount": {"metric": "discount", "filters": {"status": "won"}},
    "filter:below_list": {"metric": "count", "filters": {"status": "won", "below_list": True}},
    "filter:has_competitor": {"metric": "pipeline", "filters": {"has_competitor": True}},
    "filter:contact_role": {"object": "accounts", "metric": "count", "filters": {"without_contact_role": "economic_buyer"}},
    "group_by:versus_both": {"metric": "pipeline", "group_by": "rep", "versus_all": "both"},
    "filter:without_deals": {"object": "accounts", "metric": "count", "filters": {"without_deals": "open"}},
    "filter:activities_bounds": {"metric": "count", "filters": {"activities_min": 3, "activities_max": 40}},
    "filter:owner": {"metric": "count", "filters": {"owner": "me", "status": "any"}},
    "filter:team": {"metric": "count", "filters": {"team": "mine"}},
    "filter:stage": {"metric": "list", "filters": {"stages": ["negotiation"]}},
    "filter:forecast_category": {"metric": "sum", "filters": {"forecast_categories": ["commit"]}},
    "filter:product": {"metric": "count", "filters": {"product": "Skylark Observe", "status": "won"}},
    "filter:deal_type": {"metric": "count", "filters": {"deal_type": "renewal", "status": "any"}},
    "filter:competitor": {"metric": "count", "filters": {"competitor": "OpsHawk", "status": "lost"}},
    "filter:amount": {"metric": "count", "filters": {"amount_min": 40000, "amount_max": 100000}},
    "filter:windows": {"metric": "count", "filters": {"windows": [{"field": "close", "start": "2026-11-20",
                                                                    "end": "2026-12-31"}]}},
    "filter:inactive_days": {"metric": "list", "filters": {"inactive_days": 21}},
    "filter:min_pushes": {"metric": "count", "filters": {"min_pushes": 1}},
    "filter:has_next_step": {"metric": "count", "filters": {"has_next_step": True}},
    "filter:sector": {"metric": "sum", "filters": {"sector": "healthcare", "status": "won"}},
    "filter:region": {"metric": "count", "filters": {"region": "US Northeast", "status": "any"}},
    "filter:tier": {"metric": "pipeline", "filters": {"tier": "enterprise"}},
    "filter:revenue_founded": {"object": "accounts", "metric": "count", "filters": {"revenue_min": 500, "revenue_max": 5000,
                                                                                   "founded_max": 1999}},
    "filter:employees": {"object": "accounts", "metric": "count", "filters": {"employees_min": 1000,
                                                                             "employees_max": 20000}},
    "filter:series": {"metric": "count", "filters": {"series": "Skylark", "status": "any"}},
    "filter:exclude": {"metric": "pipeline", "filters": {"exclude": [{"slot": "deal_type", "value": "renewal"},
                                                                     {"slot": "sector", "value": "retail"}]}},
    "filter:exclude_owner": {"metric": "pipeline", "filters": {"team": "mine",
                                                               "exclude": [{"slot": "owner", "value": "Sam Okafor"}]}},
    "filter:has_parent": {"metric": "count", "filters": {"has_parent": False, "status": "any"}},
    "share_of": {"metric": "sum", "filters": {"status": "won", "product": "Skylark Observe"}, "share_of": ["product"]},
    "group_by:region": {"metric": "pipeline", "group_by": "region"},
    "group_by": {"metric": "sum", "filters": {"status": "won"}, "group_by": "rep"},
    "group_by:value_bounds": {"metric": "count", "filters": {"status": "won"}, "group_by": "rep", "value_min": 5,
                              "value_max": 100},
    "group_by:versus_all": {"metric": "win_rate", "group_by": "rep", "versus_all": "above"},
    "group_by:versus_window": {"metric": "sum", "filters": {"status": "won", "windows": [Q3]}, "group_by": "rep",
                               "versus_window": {"field": "closed", "start": "2026-04-01", "end": "2026-06-30"},
                               "trend": "down"},
    "group_by:min_records": {"metric": "win_rate", "group_by": "rep", "min_records": 5},
    "order_limit:sort_created": {"metric": "list", "sort_by": "created", "order": "asc", "limit": 3},
    "order_limit": {"metric": "sum", "filters": {"status": "won"}, "group_by": "rep", "order": "asc", "limit": 2},
    "order_limit:rank": {"metric": "sum", "filters": {"status": "won"}, "group_by": "rep", "order": "desc", "rank": 2},
    "compare": {"metric": "win_rate", "group_by": "rep", "compare": ["Sam Okafor", "Lucia Romero"]},
    "compare:me_vs_rest": {"metric": "win_rate", "compare": ["me_vs_rest"]},
}


def _figure(res) -> str:
    if res.rows:
        return res.fmt(res.rows[0].value)
    if res.records:
        return res.records[0].name
    return res.fmt(res.value)


@pytest.mark.parametrize("slot", sorted(SLOTS))
def test_scripted_model_drives_query_crm_for_every_slot(demo_copilot, slot):
    cp = demo_copilot
    who = "u-maya-chen" if slot.startswith(("filter:team", "group_by", "order_limit", "compare")) and \
        slot != "compare:me_vs_rest" else "u-sam-okafor"
    principal = cp.principal(who)
    ctx = cp.services.tool_context(principal)
    expected = run_query(cp.services.crm, ctx.scope, CrmQuery.model_validate(SLOTS[slot]), today=ctx.today)
    figure = _figure(expected)
    model = ScriptedChatModel(script=[tool_call("query_crm", SLOTS[slot]), f"The answer is {figure} [S1]."])
    answer = Agent(model, all_tools(), max_steps=4).run(ctx, "system", [], "question")
    tool_msg = next(m for m in model.calls[1] if m.role == "tool")
    assert tool_msg.content.startswith("<tool_result name=\"query_crm\">\nHow the question was read:"), tool_msg.content
    assert "Error" not in tool_msg.content
    assert figure in tool_msg.content
    assert answer.text == f"The answer is {figure} [1]." and answer.citations[0].kind == "crm"
    assert ungrounded_numbers(answer.text, answer.tool_texts) == []


def test_win_rate_slot_agrees_with_plain_sql(demo_copilot):
    cp = demo_copilot
    ctx = cp.services.tool_context(cp.principal("u-sam-okafor"))
    res = run_query(cp.services.crm, ctx.scope, CrmQuery(metric="win_rate"), today=DEMO_TODAY)
    with cp.services.crm.session() as s:
        stages = list(s.scalars(select(Deal.stage).where(Deal.owner_id == "u-sam-okafor",
                                                         Deal.stage.in_(["closed_won", "closed_lost"]))))
    assert res.value == round(stages.count("closed_won") / len(stages), 4)


def test_invalid_query_goes_back_to_the_model_as_a_fixable_error(demo_copilot):
    ctx = demo_copilot.services.tool_context(demo_copilot.principal("u-sam-okafor"))
    model = ScriptedChatModel(script=[tool_call("query_crm", {"metric": "win_rate", "object": "contacts"}),
                                      tool_call("query_crm", {"metric": "count", "filters": {"stages": ["sideways"]}}),
                                      "I could not build that query."])
    Agent(model, all_tools(), max_steps=4).run(ctx, "system", [], "question")
    errors = [m.content for m in model.calls[-1] if m.role == "tool"]
    assert "win_rate is computed over deals, not contacts" in errors[0]
    assert "unknown stage 'sideways'" in errors[1]


@pytest.fixture
def small(tmp_path):
    cp = Copilot(make_settings_for(tmp_path, today=TODAY))
    seed_small_crm(cp.services.crm)
    yield cp
    cp.close()


def test_model_that_never_calls_a_tool_is_not_shown_as_fact(small):
    small.services.__dict__["chat_model"] = ScriptedChatModel(script=["You have 5 open deals worth $900,000."])
    a = small.ask(small.principal("r-ann"), "How many open deals do I have?")
    assert a.mode == "offline"
    assert any("without consulting any tool" in n for n in a.notes)
    assert "900,000" not in a.text and "**1**" in a.text  # Ann really has one open deal


def test_model_that_invents_numbers_falls_back_to_offline(small):
    small.services.__dict__["chat_model"] = ScriptedChatModel(script=[
        tool_call("query_crm", {"metric": "pipeline", "filters": {"owner": "me"}}),
        "Your open pipeline is $1,250,000 across 17 deals [S1]."])
    a = small.ask(small.principal("r-ann"), "what's my open pipeline?")
    assert a.mode == "offline"
    assert any("stated figures no tool returned ($1,250,000, 17)" in n for n in a.notes), a.notes
    assert "1,250,000" not in a.text


def test_grounded_model_answer_passes_the_gate(small):
    small.services.__dict__["chat_model"] = ScriptedChatModel(script=[
        tool_call("query_crm", {"metric": "pipeline", "filters": {"owner": "me"}}),
        "Your open pipeline is $45,000 [S1]."])
    a = small.ask(small.principal("r-ann"), "what's my open pipeline?")
    assert a.mode == "llm" and a.text == "Your open pipeline is $45,000 [1]."
    assert "_sources" not in a.data


def test_query_crm_over_real_http_forces_a_tool_on_the_first_step(tmp_path):
    with FakeOpenAIServer([{"tool": "query_crm", "args": {"metric": "count", "filters": {"owner": "me"}}},
                           "You have 2 open deals [S1]."]) as server:
        cp = Copilot(make_settings_for(tmp_path, llm="openai:fake-model", llm_base_url=server.base_url,
                                       llm_api_key="sk-test", today=TODAY))
        seed_small_crm(cp.services.crm)
        answer = cp.ask(cp.principal("ann@skylarkdata.com"), "how many open deals do I have?")
        cp.close()
    assert answer.mode == "llm" and answer.text == "You have 2 open deals [1]."
    first, second = server.requests
    assert first["tool_choice"] == "required"
    assert second.get("tool_choice") in (None, "auto")
    schema = next(t for t in first["tools"] if t["function"]["name"] == "query_crm")["function"]["parameters"]
    assert {"object", "metric", "filters", "group_by", "order", "limit", "compare"} <= set(schema["properties"])
    tool_msg = second["messages"][-1]
    assert tool_msg["role"] == "tool" and "How it is computed" in tool_msg["content"]


def test_ungrounded_numbers_allows_rounding_and_percentages():
    src = ["Result: 42.7% over 150 record(s)", "total $1,234,000"]
    assert ungrounded_numbers("Win rate is about 43% [1]; $1.2M won.", src) == []
    assert ungrounded_numbers("Win rate is 0.427, 150 deals.", src) == []
    assert ungrounded_numbers("You closed $2,000,000.", src) == ["$2,000,000"]
    assert ungrounded_numbers("Due " + (TODAY + timedelta(days=3)).isoformat(), src) != []
