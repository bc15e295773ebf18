"""The web workspace's configuration and AI-trust pages (issue #19 part B) through Debian's chromium.

An admin edits a health weight as YAML: a bad edit is refused in one line naming the key and the file in force
is untouched; the preview shows scores before and after; saving changes the scores the product gives; the
history shows who changed what, the diff, and restores the previous version. Reps, managers and execs cannot
open or post the configuration (403, with a valid form token of their own), and a forged token is refused.
The AI-trust page shows bias hints computed from the records, and votes on answers land in the same store as
Slack's votes; nobody can vote on another person's answer. Every page passes the accessibility checks, in
English and Chinese, and leaves a screenshot.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from web_world import World, a11y_problems, browser, shot, sign_in, small_company, submit

from copilot.app import Copilot
from copilot.core.domain import OPERATOR


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    def propose(cp: Copilot) -> None:
        cp.forecast_interventions(cp.principal("admin"), propose=True)

    with small_company(tmp_path_factory.mktemp("web-b"), ("r-ann", "m-east", "x-eve", "admin"), propose) as w:
        yield w


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def check(page: Any, name: str) -> str:
    assert a11y_problems(page) == [], name
    shot(page, name)
    return str(page.inner_text("main"))


def scores(cp: Copilot) -> dict[str, float | None]:
    return {h.account: h.score for h in cp.health(cp.principal("admin")).accounts}


def test_an_admin_edits_a_health_weight_previews_saves_and_restores(world: World, chromium: Any) -> None:
    cp = world.cp
    before = scores(cp)
    page = sign_in(chromium, world.base, world.keys["admin"])
    page.goto("/config")
    listing = check(page, "admin-config")
    assert "Health and renewal-risk rules" in listing and "CRM import mapping: maven" in listing
    submit(page, page.get_by_role("link", name="Health and renewal-risk rules"))
    editor = page.get_by_label("YAML", exact=True)
    good = editor.input_value()
    assert "usage: 0.35" in good
    check(page, "admin-config-health")

    editor.fill(good.replace("usage: 0.35 ", "usage: -2 "))  # refused, in one line naming the key
    submit(page, page.get_by_role("button", name="Save"))
    error = page.get_by_role("alert").inner_text()
    assert "Refused, nothing changed" in error and "'weights.usage': must not be negative" in error
    assert "\n" not in error.strip() and "-2" in page.get_by_label("YAML", exact=True).input_value()  # the edit is kept
    check(page, "admin-config-refused")
    assert cp.config_show(cp.principal("admin"), "health") == good and scores(cp) == before

    page.get_by_label("YAML", exact=True).fill(good.replace("usage: 0.35 ", "usage: 0.05 ").replace("support: 0.25 ",
                                                                                          "support: 0.80 "))
    page.get_by_label("Note (why you changed it)").fill("support first")
    submit(page, page.get_by_role("button", name="Check and preview"))
    preview = check(page, "admin-config-preview")
    assert "support 64%" in preview and "support 25%" in preview
    rows = page.locator("table.preview-scores tbody tr").all_inner_texts()
    assert rows and any(r.split("\t")[1].split()[0] != r.split("\t")[2].split()[0] for r in rows)
    assert cp.config_show(cp.principal("admin"), "health") == good  # a preview saves nothing

    submit(page, page.get_by_role("button", name="Save"))
    assert "Done: saved health version 1" in page.inner_text("main")
    after = scores(cp)
    assert after != before  # the product scores with the edited weight
    for r in rows:  # and with the figures the preview showed
        account, _before, shown = r.split("\t")[:3]
        assert f"{after[account]:.1f}" == shown.split()[0]
    history = page.locator("section[aria-labelledby=hist-h] tbody tr").all_inner_texts()
    assert "Admin" in history[0] and "support first" in history[0]
    submit(page, page.get_by_role("link", name="View version 1"))
    diff = page.locator("pre.diff-text").inner_text()
    assert "-  usage: 0.35" in diff and "+  usage: 0.05" in diff
    check(page, "admin-config-diff")
    submit(page, page.get_by_role("button", name="Restore version 0"))
    assert "Done: saved health version 2" in page.inner_text("main")
    assert scores(cp) == before
    page.context.close()


def test_the_summary_template_preview_renders_a_sample_call(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["admin"], locale="zh-CN")
    page.goto("/config/summary")
    text = page.get_by_label("YAML", exact=True).input_value()
    page.get_by_label("YAML", exact=True).fill(text.replace("title: Agreed next steps", "title: What happens next"))
    submit(page, page.get_by_role("button", name="校验并预览"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    sample = page.locator("pre.sample-summary").inner_text()
    assert "## What happens next" in sample and "Tuesday" in sample
    check(page, "admin-config-summary-zh")
    page.context.close()


def test_the_deal_risk_preview_lists_the_deals_whose_flags_change(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["admin"])
    page.goto("/config/risk")
    text = page.get_by_label("YAML", exact=True).input_value()
    page.get_by_label("YAML", exact=True).fill(text.replace("stall_days: 21", "stall_days: 1"))
    submit(page, page.get_by_role("button", name="Check and preview"))
    rows = page.locator("table.preview-risks tbody tr").all_inner_texts()
    assert rows and all("stalled" in r.split("\t")[2] for r in rows)
    check(page, "admin-config-risk-preview")
    assert "stall_days: 21" in world.cp.config_show(OPERATOR, "risk")  # previewing saved nothing
    page.context.close()


def test_the_journey_preview_lists_accounts_whose_interventions_change(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["admin"])
    page.goto("/config/journey")
    page.get_by_label("YAML", exact=True).fill("stages: {}\n")
    submit(page, page.get_by_role("button", name="Check and preview"))
    rows = page.locator("table.preview-interventions tbody tr").all_inner_texts()
    assert rows and all(r.split("\t")[2] == "-" for r in rows)
    check(page, "admin-config-journey-preview")
    page.context.close()


@pytest.mark.parametrize("who", ["r-ann", "m-east", "x-eve"])
def test_others_cannot_open_or_post_the_configuration(world: World, chromium: Any, who: str) -> None:
    page = sign_in(chromium, world.base, world.keys[who])
    assert page.get_by_role("link", name="Configuration").count() == 0  # not in their menu
    for path in ("/config", "/config/health", "/config/health?v=0"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert "usage:" not in page.inner_text("main")
    check(page, f"{who}-config-refused")
    page.goto("/trust")
    csrf = page.locator("input[name=csrf]").first.input_value()  # a valid token of their own
    good = world.cp.config_show(OPERATOR, "health")
    for url, form in (("/config/health", {"text": good.replace("0.35", "0.01"), "csrf": csrf}),
                      ("/config/health/preview", {"text": good, "csrf": csrf}),
                      ("/config/health/restore", {"version": "0", "csrf": csrf})):
        response = page.request.post(url, form=form, max_redirects=0)
        assert response.status == 403, url
    assert world.cp.config_show(OPERATOR, "health") == good
    page.context.close()


def test_a_forged_form_token_is_refused(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["admin"])
    good = world.cp.config_show(OPERATOR, "health")
    response = page.request.post("/config/health", form={"text": good.replace("0.35", "0.01"), "csrf": "forged"},
                                 max_redirects=0)
    assert response.status == 400 and "token" in response.text()
    with httpx.Client(base_url=world.base) as anonymous:  # no session at all: to sign-in, nothing saved
        assert anonymous.post("/config/health", data={"text": "x", "csrf": "x"}).status_code == 303
    assert world.cp.config_show(OPERATOR, "health") == good
    page.context.close()


def test_ai_trust_shows_bias_hints_and_records_votes_with_slacks(world: World, chromium: Any) -> None:
    cp = world.cp
    manager = cp.principal("m-east")
    cp.ask(manager, "What's going on with Acme Robotics?", thread_id=cp.new_thread())
    page = sign_in(chromium, world.base, world.keys["m-east"])
    page.goto("/trust")
    text = check(page, "manager-trust")
    assert "What's going on with Acme Robotics?" in text
    row = page.locator("table.trust-answers tbody tr").first
    hints = row.locator("ul.hints li").all_inner_texts()
    mine = cp.trust_answers(manager)[0]
    assert hints == [h.text for h in mine.hints]  # what the facade computed from the records
    assert any("belong to one rep (Ann Lee)" in h or "rests on" in h for h in hints)
    suggestion_hints = page.locator("table.trust-suggestions ul.hints li").all_inner_texts()
    assert any("closed deals the win-odds model learns from" in h for h in suggestion_hints)
    assert page.get_by_role("link", name="Model-health report").count() == 1

    submit(page, page.get_by_role("button", name=re.compile("^Helpful: What's going on")))
    assert "vote recorded" in page.inner_text("main")
    up = page.get_by_role("button", name=re.compile("^Helpful: What's going on"))
    assert up.get_attribute("aria-pressed") == "true" and "1" in up.inner_text()
    assert cp.chat_votes(mine.ref) == {"helpful": 1, "not_helpful": 0}  # Slack's store
    submit(page, page.get_by_role("button", name=re.compile("^Not helpful: What's going on")))
    assert cp.chat_votes(mine.ref) == {"helpful": 0, "not_helpful": 1}  # voting again changes it
    check(page, "manager-trust-voted")
    page.context.close()

    rep = sign_in(chromium, world.base, world.keys["r-ann"])  # someone else's answer: as if none
    rep.goto("/trust")
    csrf = rep.locator("input[name=csrf]").first.input_value()
    response = rep.request.post("/trust/vote", form={"ref": mine.ref, "helpful": "yes", "csrf": csrf},
                                max_redirects=0)
    assert response.status == 404 and "Acme" not in response.text()
    assert cp.chat_votes(mine.ref) == {"helpful": 0, "not_helpful": 1}
    rep.context.close()


def test_config_and_trust_pages_in_chinese(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["admin"], locale="zh-CN")
    for path, name in (("/config", "配置"), ("/config/journey", "配置"), ("/trust", "AI 可信度")):
        response = page.goto(path)
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == "zh-CN" and name in page.title()
        check(page, "admin-zh" + path.replace("/", "-"))
    page.context.close()
