"""Sales ops' configuration through the facade (issue #19 part B): validated with the product's own loaders, a bad
edit refused in one line without touching the file in force, a history with diffs and restore, admins only,
and the product using the edited file afterwards (a health weight changes a score; an import mapping, the
summary template and the rubric are read from the data home)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import make_settings
from crm_seed import TODAY, seed_small_crm
from test_health import signal_files

from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from copilot.core.errors import PermissionDenied, UserError


@pytest.fixture(scope="module")
def cp(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("config")
    cp = Copilot(make_settings(folder / "home", today=TODAY))
    seed_small_crm(cp.services.crm)
    cp.import_signals(OPERATOR, signal_files(folder / "signals"))
    yield cp
    cp.close()


def _weights(text: str, usage: float, support: float) -> str:
    return (text.replace("usage: 0.35 ", f"usage: {usage} ").replace("support: 0.25 ", f"support: {support} "))


def test_only_admins_read_or_change_the_configuration(cp: Copilot) -> None:
    for who in ("r-ann", "m-east", "x-eve"):
        with pytest.raises(PermissionDenied, match="only admins"):
            cp.config_show(cp.principal(who), "health")
        with pytest.raises(PermissionDenied):
            cp.config_save(cp.principal(who), "health", cp.config_show(OPERATOR, "health"))
    kinds = {k.name for k, _custom in cp.config_kinds(cp.principal("admin"))}
    assert {"health", "journey", "summary", "rubric", "mapping-maven", "mapping-salesforce"} <= kinds


def test_a_bad_edit_names_the_key_and_never_replaces_the_good_one(cp: Copilot) -> None:
    admin = cp.principal("admin")
    good = cp.config_show(admin, "health")
    with pytest.raises(UserError, match=r"health.yaml is invalid at 'weights.usage': must not be negative"):
        cp.config_save(admin, "health", good.replace("usage: 0.35 ", "usage: -1 "))
    with pytest.raises(UserError, match=r"not valid YAML \(line \d+\)"):
        cp.config_validate(admin, "health", good + "\nweights: [oops\n")
    with pytest.raises(UserError, match=r"invalid at 'usage.good_utilization'"):
        cp.config_validate(admin, "health", good.replace("good_utilization: 0.70", "good_utilization: 7"))
    with pytest.raises(UserError, match=r"call_summary.yaml .*'sections'"):
        cp.config_save(admin, "summary", "name: mine\n")
    with pytest.raises(UserError, match="roleplay_rubric.yaml"):
        cp.config_save(admin, "rubric", "checks: 3\n")
    assert cp.config_show(admin, "health") == good
    assert [v.number for v in cp.config_history(admin, "health")] == [0]  # nothing was kept


def test_an_edited_health_weight_changes_scores_then_a_restore_brings_them_back(cp: Copilot) -> None:
    admin = cp.principal("admin")
    before = {h.account_id: h.score for h in cp.health(admin).accounts}
    shipped = cp.config_show(admin, "health")
    edited = _weights(shipped, 0.05, 0.80)
    preview = cp.config_preview(admin, "health", edited)
    assert "support 64%" in preview.edited and "support 25%" in preview.current
    moved = {c.account: (c.before, c.after) for c in preview.scores}
    assert any(b != a for b, a in moved.values())
    version = cp.config_save(admin, "health", edited, note="support matters most")
    assert version.number == 1 and version.by == "admin"
    after = {h.account_id: h.score for h in cp.health(admin).accounts}
    assert after != before  # the product scores with the edited weights
    for h in cp.health(admin).accounts:  # and the preview said what it would be
        if h.account in moved:
            assert moved[h.account][1] == h.score
    history = cp.config_history(admin, "health")
    assert [v.number for v in history] == [1, 0] and history[0].note == "support matters most"
    text, diff = cp.config_version(admin, "health", 1)
    assert text == edited and "-  usage: 0.35" in diff and "+  usage: 0.05" in diff
    restored = cp.config_restore(admin, "health", 0)
    assert restored.number == 2 and restored.note == "restored version 0"
    assert {h.account_id: h.score for h in cp.health(admin).accounts} == before


def test_the_summary_preview_renders_a_sample_and_the_product_reads_the_edit(cp: Copilot) -> None:
    admin = cp.principal("admin")
    text = cp.config_show(admin, "summary").replace("title: Agreed next steps", "title: What happens next")
    preview = cp.config_preview(admin, "summary", text)
    assert "## What happens next" in preview.rendered and "Tuesday" in preview.rendered
    cp.config_save(admin, "summary", text)
    assert cp.services.config_files.path("summary") == Path(cp.settings.resolved_home) / "config/call_summary.yaml"
    call = Path(cp.settings.resolved_home) / "call.txt"  # the next call summarized uses the edited template
    call.write_text("[00:00] Alex: Shall we book a demo with your finance director next Tuesday?\n"
                    "[00:06] Sam: Yes, Tuesday works for us.\n", encoding="utf-8")
    _cid, summary, _t = cp.summarize_call(OPERATOR, call, title="Follow-up", call_date=date(2026, 11, 30))
    assert summary.titles["next_steps"] == "What happens next"


def test_rubric_and_mapping_edits_are_used(cp: Copilot) -> None:
    admin = cp.principal("admin")
    rubric = cp.config_show(admin, "rubric")
    assert cp.services.roleplay.rubric.pass_mark != 65
    cp.config_save(admin, "rubric", rubric.replace(f"pass_mark: {cp.services.roleplay.rubric.pass_mark:g}",
                                                   "pass_mark: 65"))
    assert cp.services.roleplay.rubric.pass_mark == 65  # the service was rebuilt over the edited file
    maven = cp.config_show(admin, "mapping-maven")
    with pytest.raises(UserError, match="mapping maven.yaml is invalid at"):
        cp.config_save(admin, "mapping-maven", maven.replace("source: maven", "source: Not Valid"))
    assert "tables" in cp.config_validate(admin, "mapping-maven", maven)


def test_deal_risk_rules_are_previewed_then_used_by_deals_at_risk(cp: Copilot) -> None:
    admin = cp.principal("admin")
    codes = {r.deal: {f.code for f in r.flags} for r in cp.at_risk(admin)}
    assert not any("stalled" in c for c in codes.values())
    text = cp.config_show(admin, "risk")
    with pytest.raises(UserError, match=r"risk_rules.yaml is invalid at 'stall_days'"):
        cp.config_save(admin, "risk", text.replace("stall_days: 21", "stall_days: 0"))
    edited = text.replace("stall_days: 21", "stall_days: 1")
    preview = cp.config_preview(admin, "risk", edited)
    assert "stalled after 1 days" in preview.edited and "stalled after 21 days" in preview.current
    assert preview.risks and all("stalled" in r.after and "stalled" not in r.before for r in preview.risks)
    cp.config_save(admin, "risk", edited)
    after = {r.deal: {f.code for f in r.flags} for r in cp.at_risk(admin)}
    assert {r.subject for r in preview.risks} <= {d for d, c in after.items() if "stalled" in c}
    cp.config_restore(admin, "risk", 0)
    assert {r.deal: {f.code for f in r.flags} for r in cp.at_risk(admin)} == codes


def test_the_chinese_summary_template_is_previewed_and_used(cp: Copilot, tmp_path: Path) -> None:
    admin = cp.principal("admin")
    text = cp.config_show(admin, "summary_zh")
    assert "name: default-zh" in text
    edited = text.replace("title: 背景", "title: 通话背景")
    assert "## 通话背景" in cp.config_preview(admin, "summary_zh", edited).rendered
    cp.config_save(admin, "summary_zh", edited)
    call = tmp_path / "zh.txt"
    call.write_text("[00:00] 李明：王总您好，今天聊一下试点安排。\n[00:06] 王强：好的，我们的数据管道经常出错。\n",
                    encoding="utf-8")
    _cid, summary, _t = cp.summarize_call(OPERATOR, call, title="试点沟通", call_date=date(2026, 11, 30))
    assert summary.language == "zh" and summary.titles["context"] == "通话背景"


def test_the_journey_preview_lists_the_accounts_whose_interventions_change(cp: Copilot) -> None:
    admin = cp.principal("admin")
    preview = cp.config_preview(admin, "journey", "stages: {}\n")  # no intervention at all
    assert preview.interventions and all(c.before and c.after == [] for c in preview.interventions)
    assert preview.edited == "0 rules over 0 stages"
    shipped = cp.config_show(admin, "journey")
    assert cp.config_preview(admin, "journey", shipped).interventions == []  # the same rules: nothing moves
