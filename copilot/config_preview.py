"""What a configuration edit would change, shown before it is saved.

Health rules: the scores of the accounts whose score moves most, under the rules in force and under the
edit (both computed by the health service itself, the edit from a scratch rules folder). The call-summary
template: a short sample call summarized with the edit, offline. Journey interventions, the rubric and
import mappings: what the file holds, in words, beside what the file in force holds.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from copilot.config_files import ConfigFiles
from copilot.core.speech import Segment
from copilot.core.visibility import Scope

SAMPLE_CALL = [  # a made-up discovery call: speakers alternate rep, customer
    "Thanks for joining. I'd like to understand how your team handles quarterly reporting today.",
    "Honestly it's painful. We spend about three days every quarter pulling numbers by hand from spreadsheets.",
    "What does that cost you when the numbers are late?",
    "Our CFO has missed two board deadlines this year, and we worry about errors in the totals.",
    "Who else is involved in choosing a tool for this?",
    "Our finance director signs off, and the budget is around forty thousand for this year.",
    "We're also looking at Tableau, but the price is a concern for us.",
    "Understood. Shall we book a demo with your finance director next Tuesday?",
    "Yes, Tuesday works. Please send over the security questionnaire before then.",
    "I'll send the questionnaire by Friday and the calendar invite today.",
]


@dataclass
class ScoreChange:
    account: str
    before: float | None
    after: float | None
    band_before: str
    band_after: str


@dataclass
class Change:
    subject: str  # a deal (risk flags) or an account (journey interventions)
    before: list[str]  # risk flag codes, or intervention rule ids
    after: list[str]


@dataclass
class Preview:
    kind: str
    current: str  # what the file in force holds, in words
    edited: str  # what the edit holds, in words
    scores: list[ScoreChange] = field(default_factory=list)
    risks: list[Change] = field(default_factory=list)  # deals whose risk flags change
    interventions: list[Change] = field(default_factory=list)  # accounts whose journey interventions change
    rendered: str = ""  # the summary template's output on the sample call
    note: str = ""


SAMPLE_CALL_ZH = [
    "感谢参加。我想了解一下你们团队现在怎么做季度报表。",
    "说实话很痛苦。每个季度要花三天时间从表格里手工汇总数据。",
    "报表晚了会带来什么影响？",
    "今年财务总监已经两次错过董事会的截止日期，我们也担心合计数出错。",
    "我们也在看 Tableau，不过价格是个顾虑。",
    "明白。我们下周二和你们的财务总监约一次演示可以吗？",
    "可以，周二没问题。请在那之前把安全问卷发给我们。",
]


def sample_segments(zh: bool = False) -> list[Segment]:
    lines, names = (SAMPLE_CALL_ZH, ("李明", "王强")) if zh else (SAMPLE_CALL, ("Alex", "Sam"))
    return [Segment(start=i * 12.0, end=i * 12.0 + 11.0, text=t, speaker=names[i % 2],
                    role="rep" if i % 2 == 0 else "customer") for i, t in enumerate(lines)]


def preview(files: ConfigFiles, kind: str, text: str, *, health: object = None, forecaster: object = None,
            scope: Scope | None = None, limit: int = 8) -> Preview:
    """Validate ``text`` (a refusal raises, naming the key) and show what it would change."""
    edited = files.check(kind, text)
    current = files.check(kind, files.text(kind))
    out = Preview(kind, current, edited)
    if kind == "health" and health is not None and scope is not None:
        out.scores = _health_scores(files, text, health, scope, limit)
    elif kind == "journey" and health is not None and scope is not None:
        out.interventions = _journey(text, health, scope, limit)
    elif kind == "risk" and forecaster is not None and scope is not None:
        out.risks = _risks(text, forecaster, scope, limit)
    elif kind in ("summary", "summary_zh"):
        out.rendered = _summary(text, zh=kind == "summary_zh")
    return out


def _health_scores(files: ConfigFiles, text: str, health: object, scope: Scope, limit: int) -> list[ScoreChange]:
    from tools.health.service import HealthService

    assert isinstance(health, HealthService)
    before = health.view(scope)
    with tempfile.TemporaryDirectory(prefix="copilot-preview-") as tmp:
        folder = Path(tmp)
        (folder / "health.yaml").write_text(text, encoding="utf-8")
        shutil.copyfile(files.path("journey"), folder / "journey.yaml")
        trial = HealthService(health.crm, rules_home=folder, clock=health.clock)
        after = trial.view(scope, as_of=before.as_of)
    old = {h.account_id: h for h in before.accounts}
    changes = []
    for h in after.accounts:
        b = old.get(h.account_id)
        if b is not None:
            changes.append(ScoreChange(h.account, b.score, h.score, b.band, h.band))
    changes.sort(key=lambda c: (-abs((c.after or 0) - (c.before or 0)), c.account))
    return changes[:limit]


def _journey(text: str, health: object, scope: Scope, limit: int) -> list[Change]:
    """The interventions today's scan would propose per account (before the repeat guard), now and with the edit."""
    import yaml

    from tools.health.journey import matching_rules
    from tools.health.rules import JourneyRules
    from tools.health.service import HealthService

    assert isinstance(health, HealthService)
    edited = JourneyRules.model_validate(yaml.safe_load(text))
    today, book = health.clock(), health.book()
    model, owners = health.model(book, today), health.owners()
    out = []
    for aid in sorted(set(health.visible_ids(scope)) & set(book)):
        acc = book[aid]
        if not (acc.weeks or acc.touches):
            continue
        h, _m, evidence = health.assess(acc, today, model, owners)
        present = {e.signal for e in evidence}
        before = [r.id for r in matching_rules(health.rules.journey, h.stage, present)]
        after = [r.id for r in matching_rules(edited, h.stage, present)]
        if before != after:
            out.append(Change(f"{acc.name} ({h.stage})", before, after))
    return out[:limit]


def _risks(text: str, forecaster: object, scope: Scope, limit: int) -> list[Change]:
    import yaml

    from tools.forecast.risk import RiskRules
    from tools.forecast.service import Forecaster

    assert isinstance(forecaster, Forecaster)
    before = {r.deal: [f.code for f in r.flags] for r in forecaster.at_risk(scope)}
    after = {r.deal: [f.code for f in r.flags]
             for r in forecaster.at_risk(scope, rules=RiskRules.model_validate(yaml.safe_load(text)))}
    moved = [Change(d, before.get(d, []), after.get(d, [])) for d in sorted(set(before) | set(after))
             if before.get(d, []) != after.get(d, [])]
    return moved[:limit]


def _summary(text: str, *, zh: bool = False) -> str:
    import yaml

    from tools.calls.summarize import CallContext, Summarizer

    template = yaml.safe_load(text)
    summarizer = Summarizer(template=template)
    if zh:  # a Chinese call is summarized from the "zh" template, which is the edit here
        summarizer.templates["zh"] = template
    summary = summarizer.summarize(sample_segments(zh), CallContext(title="Sample discovery call",
                                                                    call_date=date(2026, 1, 15)))
    return summary.to_markdown()
