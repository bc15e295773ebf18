"""The web workspace (issue #19) through a real browser: Debian's chromium driven by Playwright against the API
app served by uvicorn. One browser and one server for the module; each test signs in a fresh browser context.

Every page for each role (rep, manager, exec) with basic accessibility checks and a screenshot (under
test-artifacts/web/); chat with citations feeding the AI-trust page; approve, edit and reject inline through
the facade; URL tampering (another team's account, deal and action by id, and a decision posted on another
team's action) never shows the record; the language switch; forms without the session's token are refused;
a revoked key ends the session.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from web_world import World, a11y_problems, browser, shot, sign_in, small_company, submit

from copilot.app import Copilot
from copilot.core.domain import OPERATOR

PAGES = ["/chat", "/actions", "/forecast", "/deals", "/customers", "/trust", "/coaching"]
WEST_ONLY = ("Globex", "Cara Diaz")  # the West team's account and rep: never on an East page


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    def propose(cp: Copilot) -> None:  # one task per at-risk deal, for its owner
        cp.forecast_interventions(cp.principal("admin"), propose=True)

    with small_company(tmp_path_factory.mktemp("web"), ("r-ann", "r-cara", "m-east", "x-eve"), propose) as w:
        yield w


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def visit(page: Any, path: str, name: str) -> str:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    assert a11y_problems(page) == [], f"{path} ({name})"
    shot(page, name)
    return str(page.inner_text("main"))


def test_sign_in_is_required_and_a_bad_key_is_refused(world: World, chromium: Any) -> None:
    context = chromium.new_context(base_url=world.base)
    page = context.new_page()
    page.goto("/forecast")
    assert re.search(r"/login\?next=/forecast$", page.url)
    assert a11y_problems(page) == []
    page.get_by_label("API key").fill("sk-cop_nope_nope")
    response_status = []
    page.on("response", lambda r: response_status.append(r.status) if r.url.endswith("/login") else None)
    submit(page, page.get_by_role("button", name="Sign in"))
    assert 401 in response_status and "unknown, malformed or revoked" in page.inner_text("main")
    shot(page, "login-refused")
    page.get_by_label("API key").fill(world.keys["r-ann"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/forecast$"))  # back where the viewer was going
    assert "rep Ann Lee" in page.inner_text("main")
    cookie = next(c for c in context.cookies() if c["name"] == "copilot_session")
    assert cookie["httpOnly"] and world.keys["r-ann"].split("_")[2] not in cookie["value"]  # no secret in it
    context.close()


def test_rep_sees_their_own_book_on_every_page(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    texts = {path: visit(page, path, f"rep{path.replace('/', '-')}") for path in PAGES}
    for path, text in texts.items():
        assert not any(name in text for name in WEST_ONLY), path
    assert "rep Ann Lee" in texts["/forecast"] and "Acme Robotics - Observe" in texts["/forecast"]
    assert "single_threaded" in texts["/forecast"]  # the at-risk reason
    assert "Bring a second contact into Acme Robotics - Observe" in texts["/forecast"]  # the intervention
    assert "Model-health report" not in texts["/forecast"]  # reps may not open it
    chart = page.goto("/forecast") and page.locator("svg.chart")
    assert "P50 45,000" in chart.locator("desc").text_content()
    assert "Acme Robotics" in texts["/customers"] and "healthy" in texts["/customers"]
    assert "Initech" not in texts["/customers"] and "Initech" not in texts["/actions"]  # Bob's, same team
    assert "Task due 2026-11-27: Bring a second contact into Acme Robotics - Observe" in texts["/actions"]
    page.goto("/customers")
    submit(page, page.get_by_role("link", name="Acme Robotics", exact=True).first)  # the board (the needs map links too)
    detail = page.inner_text("main")
    assert "usage" in detail and "features" in detail and a11y_problems(page) == []
    shot(page, "rep-customer")
    page.goto("/deals/D-1")
    assert "Acme Robotics - Observe" in page.inner_text("main") and a11y_problems(page) == []
    page.context.close()


def test_manager_sees_the_team_by_rep_with_the_math(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["m-east"])
    texts = {path: visit(page, path, f"manager{path.replace('/', '-')}") for path in PAGES}
    for path, text in texts.items():
        assert not any(name in text for name in WEST_ONLY), path
    forecast = texts["/forecast"]
    for subject in ("team East", "rep Ann Lee", "rep Bob Stone"):
        assert subject in forecast
    team = world.cp.forecast(world.cp.principal("m-east"))
    desc = page.goto("/forecast") and page.locator("svg.chart desc").text_content()
    assert f"team East: P10 {team.p10:,.0f}, P50 {team.p50:,.0f}, P90 {team.p90:,.0f}" in desc
    math = page.locator("details.math").first
    math.locator("summary").click()
    assert "expected total" in math.inner_text() and "Initech Foods - Govern" in math.inner_text()
    assert "Initech Foods - Govern" in forecast and "no_next_step" in forecast
    assert "Model-health report" in forecast
    submit(page, page.get_by_role("link", name="Model-health report"))
    assert page.title()
    shot(page, "manager-model-health")
    page.context.close()


def test_a_manager_records_a_call_beside_the_model(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["m-east"])
    page.goto("/forecast")
    page.get_by_label(re.compile("My call for team East")).fill("abc")
    submit(page, page.get_by_role("button", name="Record my call"))
    assert "the call must be a number" in page.inner_text("main")
    page.goto("/forecast")
    page.get_by_label(re.compile("My call for team East")).fill("98,000")
    submit(page, page.get_by_role("button", name="Record my call"))
    board = world.cp.forecast_scoreboard(world.cp.principal("m-east"))
    mine = next(c for c in board.scores if c.caller == "Maria East")
    assert mine.called == 98000.0 and mine.winner == "open"
    row = page.locator("section[aria-labelledby=board-h] tbody tr", has_text="Maria East")
    assert "98,000" in row.inner_text() and f"{mine.model:,.0f}" in row.inner_text()
    assert a11y_problems(page) == []
    shot(page, "manager-forecast-call")
    page.context.close()


def test_exec_sees_aggregates_only(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["x-eve"])
    texts = {path: visit(page, path, f"exec{path.replace('/', '-')}") for path in PAGES}
    assert "company" in texts["/forecast"] and "team East" in texts["/forecast"] and "team West" in texts["/forecast"]
    for path, text in texts.items():  # no deal, account or rep by name anywhere
        for name in ("Acme Robotics", "Globex", "Initech", "Ann Lee", "Bob Stone", "Cara Diaz"):
            assert name not in text, (path, name)
    assert "aggregates only" in texts["/forecast"]
    page.context.close()


def test_pipeline_explorer_runs_the_typed_query_under_scope(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["m-east"])
    page.goto("/deals")
    page.get_by_label("Metric").select_option("pipeline_value")
    page.get_by_label("Group by").select_option("rep")
    submit(page, page.get_by_role("button", name="Show"))
    rows = dict(zip(page.locator("main tbody th").all_inner_texts(),
                    page.locator("main tbody td:nth-child(2)").all_inner_texts(), strict=True))
    assert rows == {"Ann Lee": "45,000", "Bob Stone": "60,000", "Total": "105,000"}  # = POST /v1/pipeline
    assert page.locator("svg.chart desc").text_content() == "Ann Lee: 45,000; Bob Stone: 60,000"
    assert "within the scope of Maria East (manager)" in page.inner_text("main") and a11y_problems(page) == []
    shot(page, "manager-deals")
    page.get_by_label("Rep", exact=True).fill("Cara Diaz")  # another team's rep: nothing of hers comes back
    submit(page, page.get_by_role("button", name="Show"))
    assert "120,000" not in page.inner_text("main") and "0 deals counted" in page.inner_text("main")
    response = page.goto("/deals?metric=bogus")
    assert response is not None and response.status == 400 and "bad pipeline query: metric" in page.inner_text("main")
    page.context.close()
    page = sign_in(chromium, world.base, world.keys["x-eve"])
    page.goto("/deals?metric=pipeline_value&group_by=rep")  # execs: people's groups too small are merged
    assert "Cara Diaz" not in page.inner_text("main") and "too small to show were merged" in page.inner_text("main")
    page.context.close()


def test_coaching_practice_scores_with_evidence_and_shows_on_the_managers_page(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    page.goto("/coaching")
    page.get_by_label("Scenario").select_option("kestrel-pricing")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/coaching/rp-[0-9a-f]+$"))
    session_url = page.url
    line = "What is driving the review this year, and what does a late yield report cost you?"
    page.get_by_label("Your turn").fill(line)
    submit(page, page.get_by_role("button", name="Say it"))
    turns = page.locator("ol.transcript li").all_inner_texts()
    assert len(turns) == 3 and turns[1] == f"You: {line}"
    assert a11y_problems(page) == []
    submit(page, page.get_by_role("button", name="Finish and score"))
    impact = page.locator("tr.check-asked_impact")
    assert "✓" in impact.inner_text() and line in impact.inner_text()  # the evidence is the turn that earned it
    total = float(page.locator("span.total").inner_text())
    assert a11y_problems(page) == []
    shot(page, "rep-coaching-score")
    page.context.close()

    page = sign_in(chromium, world.base, world.keys["m-east"])
    text = visit(page, "/coaching", "manager-coaching-after")
    row = page.locator("section[aria-labelledby=trainees-h] tbody tr", has_text="Ann Lee").inner_text()
    assert f"{total:.2f}" in row or f"{total:,.0f}" in row
    assert "not meant for employment decisions" in text
    assert page.goto(session_url).status == 403  # only the trainee may continue a session
    page.context.close()
    page = sign_in(chromium, world.base, world.keys["r-cara"])
    assert page.goto(session_url).status in (403, 404) and line not in page.inner_text("body")
    page.context.close()


def test_chat_answers_with_citations_and_feeds_ai_trust(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    page.goto("/chat")
    page.get_by_label("Your question").fill("What's going on with Acme Robotics?")
    with page.expect_response(re.compile(r"/chat/stream$")) as streamed:
        page.get_by_role("button", name="Ask").click()
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    page.wait_for_selector("body[data-chat=done]")
    assert page.url.endswith("/chat")  # streamed into the page, no navigation
    answer = page.locator("article.answer")
    assert "Acme Robotics - Observe" in answer.locator(".text").inner_text()
    sources = answer.locator("ol.citations li").all_inner_texts()
    assert any("[deal:D-1]" in s for s in sources) and any("[account:A-1]" in s for s in sources)
    assert re.fullmatch(r"\d+%", answer.locator("dd.confidence").inner_text().strip())
    assert a11y_problems(page) == []
    shot(page, "rep-chat-answer")
    thread = page.locator("input[name=thread]").input_value()
    page.get_by_label("Your question").fill("Draft an email to Dana Park about the SOC 2 report")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_selector("body[data-chat=done]")
    assert page.locator("input[name=thread]").input_value() == thread  # the same conversation
    proposal = page.get_by_role("link", name=re.compile("Email to dana@acmerobotics.com"))
    assert proposal.count() == 1
    trust = visit(page, "/trust", "rep-trust")
    assert "What's going on with Acme Robotics?" in trust and "Draft an email to Dana Park" in trust
    assert "Acme Robotics [account:A-1]" in trust
    assert "Email to dana@acmerobotics.com" in trust  # the pending suggestion with its confidence
    page.context.close()

    context = chromium.new_context(base_url=world.base, java_script_enabled=False)  # the form works without it
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("API key").fill(world.keys["r-ann"])
    submit(page, page.get_by_role("button", name="Sign in"))
    page.goto("/chat")
    page.get_by_label("Your question").fill("Who is the champion at Acme Robotics?")
    submit(page, page.get_by_role("button", name="Ask"))
    assert "Dana Park" in page.locator("article.answer").inner_text() and a11y_problems(page) == []
    context.close()


def test_actions_are_decided_inline_through_the_facade(world: World, chromium: Any) -> None:
    cp = world.cp
    ann = cp.principal("r-ann")
    cp.ask(ann, "Draft an email to Raj Patel about the pricing review", thread_id=cp.new_thread())
    cp.ask(ann, "Draft an email to Dana Park about the pilot plan", thread_id=cp.new_thread())
    task = next(a for a in cp.actions_list(ann) if a.kind == "create_task")
    email = next(a for a in cp.actions_list(ann) if a.kind == "send_email" and "raj@" in a.summary())
    pilot = next(a for a in cp.actions_list(ann) if a.kind == "send_email" and "pilot" in a.summary().lower())
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    page.goto("/actions")
    submit(page, page.get_by_role("link", name=task.summary()))
    assert a11y_problems(page) == []
    shot(page, "rep-action-detail")
    edited = {**json.loads(page.get_by_label("Payload (JSON)").input_value()), "title": "Call the CFO with Dana"}
    page.get_by_label("Payload (JSON)").fill(json.dumps(edited))
    submit(page, page.get_by_role("button", name="Save edit and approve"))
    assert "Done:" in page.inner_text("main")
    after = cp.actions_show(ann, task.id)
    assert after.decision is not None and after.decision.value == "edited"
    assert after.payload["title"] == "Call the CFO with Dana" and after.decided_by == "r-ann"
    assert "Call the CFO with Dana" in page.inner_text("main")  # the change against the draft is shown
    shot(page, "rep-action-edited")

    page.goto(f"/actions/{email.id}")
    page.get_by_label("Reason").fill("I will call instead")
    submit(page, page.get_by_role("button", name="Reject"))
    rejected = cp.actions_show(ann, email.id)
    assert rejected.state.value == "rejected" and rejected.reason == "I will call instead"

    page.goto(f"/actions/{email.id}")
    assert page.get_by_role("button", name="Approve").count() == 0  # decided: no buttons any more
    page.goto("/actions")  # approved from the inbox's own row, back to the inbox
    submit(page, page.get_by_role("button", name=f"Approve: {pilot.summary()}"))
    assert page.url.split("?")[0].endswith("/actions") and "Done:" in page.inner_text("main")
    decided = cp.actions_show(ann, pilot.id)
    assert decided.decision is not None and decided.decision.value == "approved" and decided.decided_by == "r-ann"
    inbox = visit(page, "/actions", "rep-actions-after")
    assert task.summary() not in inbox and "Adoption" in inbox
    stats = cp.actions_stats(ann)["total"]
    assert stats["edited"] >= 1 and stats["rejected"] >= 1
    page.context.close()


def test_url_tampering_never_shows_another_teams_records(world: World, chromium: Any) -> None:
    cp = world.cp
    cara_action = next(a for a in cp.actions_list(cp.principal("r-cara")) if a.deal_id == "D-3")
    for who in ("r-ann", "m-east"):
        page = sign_in(chromium, world.base, world.keys[who])
        for path in ("/customers/A-2", "/deals/D-3", f"/actions/{cara_action.id}", "/actions/A-nonexistent"):
            response = page.goto(path)
            assert response is not None and response.status in (403, 404), (who, path, response and response.status)
            text = page.inner_text("body")
            assert not any(name in text for name in (*WEST_ONLY, "Enterprise Suite", "110k")), (who, path)
            assert a11y_problems(page) == []
        shot(page, f"{who}-tampered")
        page.goto("/actions")  # a decision posted on Cara's action with this session's own valid token
        token = page.locator("input[name=csrf]").first.input_value()
        r = page.request.post(f"/actions/{cara_action.id}/approve",
                              form={"hash": cara_action.payload_hash, "csrf": token}, max_redirects=0)
        assert r.status in (403, 404) and "Globex" not in r.text()
        r = page.request.post(f"/actions/{cara_action.id}/reject", form={"reason": "x", "csrf": token},
                              max_redirects=0)
        assert r.status in (403, 404)
        page.context.close()
    assert cp.actions_show(cp.principal("r-cara"), cara_action.id).state.value == "proposed"
    page = sign_in(chromium, world.base, world.keys["x-eve"])
    assert page.goto("/deals/D-1").status == 403 and "Acme" not in page.inner_text("body")
    assert page.goto("/customers/A-1").status == 404 and "Acme" not in page.inner_text("body")
    page.context.close()


def test_language_switch_and_accept_language(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["m-east"], locale="zh-CN")
    page.goto("/forecast")  # Accept-Language: zh-CN
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("navigation").get_by_role("link", name="预测").count() == 1
    assert "查看计算过程" in page.inner_text("main") and a11y_problems(page) == []
    shot(page, "manager-forecast-zh")
    submit(page, page.get_by_role("link", name="English"))
    assert page.locator("html").get_attribute("lang") == "en" and "Show the math" in page.inner_text("main")
    page.goto("/actions")  # the choice is remembered
    assert page.locator("h1").inner_text() == "Actions inbox"
    page.goto("/deals?metric=deal_count&group_by=team")
    submit(page, page.get_by_role("link", name="中文"))  # the switch keeps the page's filters
    assert page.locator("h1").inner_text() == "交易" and page.get_by_label("指标").input_value() == "deal_count"
    page.goto("/")
    assert page.url.endswith("/forecast")  # a manager starts on the forecast
    page.context.close()


def test_every_page_in_chinese(world: World, chromium: Any) -> None:
    from integrations.web.words import WEB

    assert [k for k, v in WEB.items() if not (v.get("en") and v.get("zh"))] == []
    page = sign_in(chromium, world.base, world.keys["m-east"], locale="zh-CN")
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "zh-CN" and a11y_problems(page) == [], path
    assert page.locator("h1").inner_text() == "辅导"
    page.context.close()


def test_forms_without_the_session_token_are_refused(world: World, chromium: Any) -> None:
    cp = world.cp
    bob_task = next(a for a in cp.actions_list(cp.principal("m-east")) if a.deal_id == "D-4")
    page = sign_in(chromium, world.base, world.keys["m-east"])
    r = page.request.post(f"/actions/{bob_task.id}/approve", form={"hash": bob_task.payload_hash, "csrf": "forged"},
                          max_redirects=0)
    assert r.status == 400 and "reload the page" in r.text()
    assert cp.actions_show(cp.principal("m-east"), bob_task.id).state.value == "proposed"
    page.context.close()


def test_revoking_the_key_ends_the_web_session(world: World, chromium: Any) -> None:
    info, key = world.cp.keys_create(OPERATOR, "r-ann", name="to revoke")
    page = sign_in(chromium, world.base, key)
    assert page.goto("/chat").status == 200 and "/chat" in page.url
    world.cp.keys_revoke(OPERATOR, info.id)
    page.goto("/chat")
    assert "/login" in page.url
    page.context.close()



def test_a_session_cookie_changed_to_another_user_is_refused(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    cookie = next(c for c in page.context.cookies() if c["name"] == "copilot_session")
    key_id, user, expires, sig = cookie["value"].split(".")
    assert user == "r-ann"
    page.context.add_cookies([{**cookie, "value": ".".join([world.key_ids["m-east"], "m-east", expires, sig])}])
    page.goto("/forecast")
    assert "/login" in page.url and "team East" not in page.inner_text("body")
    page.context.close()


def test_session_cookies_expire_and_need_the_servers_secret() -> None:
    from integrations.web.session import make_cookie, read_cookie

    value = make_cookie(b"secret-1", "k1", "user.with.dots", hours=1)
    assert read_cookie(b"secret-1", value) == ("k1", "user.with.dots")
    assert read_cookie(b"secret-2", value) is None
    assert read_cookie(b"secret-1", make_cookie(b"secret-1", "k1", "u", hours=-1)) is None  # expired
    assert read_cookie(b"secret-1", "garbage") is None and read_cookie(b"secret-1", "") is None
