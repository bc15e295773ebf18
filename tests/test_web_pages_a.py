"""The web workspace's forecast history, deal timelines, needs heat map with pre-sales tags, and assigned
role-play scenarios (issue #19, part A), through Debian's chromium like tests/test_web.py: each page for a
rep, a manager and an exec with the accessibility checks and a screenshot, and URL tampering (another team's
deal timeline, account tags and trainee) answered 403 or 404 with none of their data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from crm_seed import TODAY
from web_world import World, a11y_problems, browser, serve, shot, sign_in, small_company, submit

from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from integrations.api import ApiConfig, create_app

CALL = ("Rep: What made you look at this now?\n"
        "Customer: Our nightly pipelines fail every week and the integration with our legacy ERP is manual.\n"
        "Customer: Security wants a SOC 2 report before any pilot.\n"
        "Rep: Let's schedule a technical review next Tuesday.\n")
WEST = ("Globex", "Cara Diaz", "Enterprise Suite")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("web-a")

    def call(cp: Copilot) -> None:
        (folder / "call.txt").write_text(CALL)
        cp.summarize_call(cp.principal("r-ann"), folder / "call.txt", deal_id="D-1", title="Acme technical call",
                          call_date=TODAY - timedelta(days=3))

    with small_company(folder, ("r-ann", "r-cara", "m-east", "x-eve"), call) as w:
        yield w


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def visit(page: Any, path: str, name: str, status: int = 200) -> str:
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    assert a11y_problems(page) == [], f"{path} ({name})"
    shot(page, name)
    return str(page.inner_text("main"))


def test_forecast_against_actual_for_each_role(demo_copilot: Copilot, chromium: Any) -> None:
    """On the demo company (two years of closed quarters): the page shows the facade's replayed points."""
    cp = demo_copilot
    people = cp.users(OPERATOR)
    manager = next(u for u in people if u["role"] == "manager")
    rep = next(u for u in people if u["role"] == "rep" and u["team"] == manager["team"])
    other = next(u for u in people if u["role"] == "rep" and u["team"] != manager["team"])
    execs = next(u for u in people if u["role"] == "exec")
    hist = cp.forecast_history(cp.principal(manager["id"]))  # trains the month ends' models once (cached)
    keys = {u["id"]: cp.keys_create(OPERATOR, u["id"], name="web history test")[1] for u in (manager, rep, execs)}
    app = create_app(cp, config=ApiConfig(rate_per_second=1000.0, rate_burst=1000, job_workers=0))
    with serve(app) as base:
        page = sign_in(chromium, base, keys[manager["id"]])
        page.goto("/forecast")
        submit(page, page.get_by_role("link", name="Forecast against actual over past quarters"))
        text = page.inner_text("main")
        assert a11y_problems(page) == [] and hist.subject in text and other["name"] not in text
        shot(page, "a-manager-forecast-history")
        assert len(hist.points) == 12 and len({p.period for p in hist.points}) >= 4
        desc = page.locator("svg.history desc").text_content() or ""
        for p in hist.points:
            assert (f"{p.as_of} for {p.period}: P10 {p.p10:,.0f}, P50 {p.p50:,.0f}, P90 {p.p90:,.0f}, Stage-weighted "
                    f"baseline {p.predicted['stage_weighted']:,.0f}, Actual {p.actual:,.0f}") in desc
        rows = page.locator("table.history-points tbody tr")
        assert rows.count() == 12 and rows.first.locator("td.actual").inner_text() == f"{hist.points[0].actual:,.0f}"
        product = next(a for a in hist.accuracy if a.method == "product")
        accuracy = page.locator("table.history-accuracy tbody tr", has_text="Product").inner_text()
        assert f"{product.mape:.0%}" in accuracy
        page.get_by_label("Subject").select_option(label=f"rep {rep['name']}")
        submit(page, page.get_by_role("button", name="Show"))
        assert f"rep {rep['name']}" in page.locator("h2#hist-h").inner_text() and a11y_problems(page) == []
        response = page.goto(f"/forecast/history?subject=rep:{other['name']}")  # another team's rep, by URL
        assert response is not None and response.status == 403 and other["name"] not in page.inner_text("body")
        page.context.close()

        page = sign_in(chromium, base, keys[rep["id"]])
        text = visit(page, "/forecast/history", "a-rep-forecast-history")
        assert f"rep {rep['name']}" in text and page.get_by_label("Subject").count() == 0
        page.context.close()

        page = sign_in(chromium, base, keys[execs["id"]])
        text = visit(page, "/forecast/history", "a-exec-forecast-history")
        assert "company" in page.locator("h2#hist-h").inner_text() and rep["name"] not in text
        assert page.goto(f"/forecast/history?subject=rep:{rep['name']}").status == 403  # execs: no single rep
        page.context.close()


def test_a_deals_timeline_with_its_call_for_rep_and_manager(world: World, chromium: Any) -> None:
    for who in ("r-ann", "m-east"):
        page = sign_in(chromium, world.base, world.keys[who])
        text = visit(page, "/deals/D-1", f"a-{who}-deal-timeline")
        items = page.locator("ol.timeline > li")
        kinds = [c.split()[0].removeprefix("ev-") for c in
                 (items.nth(i).get_attribute("class") or "" for i in range(items.count()))]
        assert kinds[0] == "opened" and {"stage", "close_date", "email", "call"} <= set(kinds)
        dates = page.locator("ol.timeline .when").all_inner_texts()
        assert dates == sorted(dates)  # in date order
        call = page.locator("li.ev-call")
        assert "Acme technical call" in call.inner_text() and "pain" in call.inner_text().lower()
        assert re.search(r"Acme technical call @ \d\d:\d\d", call.locator(".call-summary").inner_text())
        assert page.locator("dd.pushes").inner_text() == "1"
        assert "Source: activity:E-1" in text and "P(win)" in text
        page.context.close()
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    text = visit(page, "/deals/D-2", "a-rep-closed-deal")  # closed: the timeline, no odds
    assert "closed won" in text and "P(win)" not in text
    page.context.close()


def test_tampering_with_timelines_tags_and_trainees_shows_nothing(world: World, chromium: Any) -> None:
    cp = world.cp
    tag = cp.tag_account(cp.principal("r-cara"), "A-2", "security", "Globex needs on-prem keys")
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    for path in ("/deals/D-3", "/customers/A-2", "/coaching?trainee=r-cara", "/coaching?trainee=m-west"):
        visit(page, path, "a-rep-tampered", status=404)
        assert not any(w in page.inner_text("body") for w in (*WEST, "on-prem")), path
    page.goto("/customers/A-1")
    token = page.locator("input[name=csrf]").first.input_value()
    r = page.request.post("/customers/A-2/tags", form={"theme": "security", "note": "x", "csrf": token},
                          max_redirects=0)
    assert r.status == 404 and "Globex" not in r.text()
    r = page.request.post(f"/customers/A-2/tags/{tag.id}/remove", form={"csrf": token}, max_redirects=0)
    assert r.status == 404
    r = page.request.post(f"/customers/A-1/tags/{tag.id}/remove", form={"csrf": token}, max_redirects=0)
    assert r.status == 404  # the tag is not on an account Ann sees, whatever the URL says
    r = page.request.post("/coaching/assign", form={"trainee": "r-cara", "scenario": "kestrel-pricing",
                                                    "csrf": token}, max_redirects=0)
    assert r.status == 403 and "Cara" not in r.text()
    page.context.close()
    assert [t.id for t in cp.account_needs(cp.principal("r-cara"), "A-2").tags] == [tag.id]
    page = sign_in(chromium, world.base, world.keys["x-eve"])
    assert page.goto("/deals/D-1").status == 403 and "Acme" not in page.inner_text("body")
    assert page.goto("/coaching?trainee=r-ann").status == 404 and "Ann Lee" not in page.inner_text("body")
    page.context.close()


def test_needs_heat_map_and_pre_sales_tags(world: World, chromium: Any) -> None:
    cp = world.cp
    page = sign_in(chromium, world.base, world.keys["r-ann"])
    text = visit(page, "/customers", "a-rep-needs")
    desc = page.locator("svg.heat desc").text_content() or ""
    view = cp.needs_map(cp.principal("r-ann"))
    acme = view.rows[0]
    assert desc.startswith("Acme Robotics: Integration and migration " + str(acme.counts.get("integration", 0)))
    assert not any(w in text for w in WEST)
    submit(page, page.locator("table.needs").get_by_role("link", name="Acme Robotics"))
    page.get_by_label("Tag a technical pain").select_option("performance")
    page.get_by_label("Note (what you saw, for sales)").fill("Dashboards time out past 10k rows")
    submit(page, page.get_by_role("button", name="Add tag"))
    tags = page.locator("ul.tags li.tag")
    assert tags.count() == 1 and "Performance and scale: Dashboards time out past 10k rows" in tags.inner_text()
    assert "Ann Lee" in tags.inner_text() and a11y_problems(page) == []
    shot(page, "a-rep-account-tagged")
    stored = cp.account_needs(cp.principal("m-east"), "A-1").tags
    assert [(t.theme, t.note, t.by) for t in stored] == [("performance", "Dashboards time out past 10k rows", "Ann Lee")]
    page.goto("/customers")
    assert "1*" in page.locator("table.needs tbody tr", has_text="Acme Robotics").inner_text()  # the tag counts
    page.context.close()

    page = sign_in(chromium, world.base, world.keys["m-east"])
    visit(page, "/customers/A-1", "a-manager-account-needs")
    submit(page, page.get_by_role("button", name="Remove tag: Performance and scale"))
    assert page.locator("ul.tags li.tag").count() == 0 and cp.account_needs(cp.principal("r-ann"), "A-1").tags == []
    page.context.close()

    page = sign_in(chromium, world.base, world.keys["x-eve"])
    text = visit(page, "/customers", "a-exec-needs")
    assert "Customer needs" in text and not any(n in text for n in ("Acme", "Globex", "Initech"))
    page.context.close()


def test_a_manager_assigns_a_scenario_and_the_trainee_completes_it(world: World, chromium: Any) -> None:
    cp = world.cp
    due = (TODAY + timedelta(days=7)).isoformat()
    page = sign_in(chromium, world.base, world.keys["m-east"])
    visit(page, "/coaching", "a-manager-coaching")
    page.get_by_label("Trainee", exact=True).select_option(label="Ann Lee")
    page.get_by_label("Scenario", exact=True).nth(0).select_option("kestrel-pricing")
    page.get_by_label("Due date (optional)").fill(due)
    page.get_by_label("Note for the trainee (optional)").fill("Before the Acme negotiation")
    submit(page, page.get_by_role("button", name="Assign", exact=True))
    row = page.locator("table.assignments tr.assignment", has_text="Ann Lee")
    assert due in row.inner_text() and "open" in row.inner_text() and a11y_problems(page) == []
    shot(page, "a-manager-assigned")
    page.context.close()

    page = sign_in(chromium, world.base, world.keys["r-ann"])
    text = visit(page, "/coaching", "a-rep-assigned")
    assert "Assigned to you" in text and "Before the Acme negotiation" in text
    title = cp.roleplay_assignments(cp.principal("r-ann"))[0].scenario
    page.get_by_role("button", name=f"Start: {title}").click()
    page.wait_for_url(re.compile(r"/coaching/rp-[0-9a-f]+$"))
    page.get_by_label("Your turn").fill("What does a late yield report cost you this quarter?")
    submit(page, page.get_by_role("button", name="Say it"))
    submit(page, page.get_by_role("button", name="Finish and score"))
    total = float(page.locator("span.total").inner_text())
    page.goto("/coaching")
    row = page.locator("table.assignments tr.assignment").first
    assert "done" in row.inner_text() and f"{total:.2f}" in row.inner_text()
    page.context.close()

    page = sign_in(chromium, world.base, world.keys["m-east"])
    text = visit(page, "/coaching?trainee=r-ann", "a-manager-one-trainee")
    assert "done" in page.locator("table.assignments").inner_text()
    session_row = page.locator("table.sessions tbody tr", has_text=title)
    assert f"{total:.2f}" in session_row.inner_text()
    submit(page, session_row.get_by_role("link"))  # the transcript, read-only, with the rubric beside the turns
    review_url = page.url
    assert "/coaching/review/rp-" in review_url and page.locator("form textarea").count() == 0
    lines = page.locator("ol.transcript li").all_inner_texts()
    assert lines[1].startswith("Ann Lee: What does a late yield report cost you this quarter?")
    assert page.locator("ol.transcript .mark").count() >= 1 and float(page.locator("span.total").inner_text()) == total
    assert a11y_problems(page) == []
    shot(page, "a-manager-transcript-review")
    page.goto("/coaching?trainee=r-ann")
    submit(page, page.get_by_role("button", name=re.compile("^Withdraw: Ann Lee")))
    assert cp.roleplay_assignments(cp.principal("r-ann")) == []
    page.context.close()

    page = sign_in(chromium, world.base, world.keys["r-cara"])
    text = visit(page, "/coaching", "a-other-rep-coaching")
    assert "Ann Lee" not in text and "No scenarios assigned." in text
    assert page.goto(review_url).status == 404 and "late yield report" not in page.inner_text("body")
    page.context.close()


def test_the_new_pages_in_chinese(world: World, chromium: Any) -> None:
    page = sign_in(chromium, world.base, world.keys["m-east"], locale="zh-CN")
    for path, heading in (("/forecast/history", "预测与实际对比"), ("/deals/D-1", "交易"), ("/customers/A-1", "客户"),
                          ("/coaching", "辅导")):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "zh-CN" and a11y_problems(page) == [], path
        assert page.locator("h1").inner_text() == heading
    page.goto("/customers/A-1")
    assert "售前标签" in page.inner_text("main") and "客户需求" in page.inner_text("main")
    shot(page, "a-manager-account-zh")
    page.context.close()


def test_words_of_these_pages_have_both_languages() -> None:
    from integrations.web.words_pages import WORDS_A

    assert [k for k, v in WORDS_A.items() if not (v.get("en") and v.get("zh"))] == []
