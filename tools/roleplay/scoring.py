"""Score a role-play or real call transcript against the rubric (prompts/roleplay_rubric.yaml).

Every check is yes/no (or does not apply) and cites the turn that earned or missed it. Feedback names the
single most useful change, with an example line from the case library.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from copilot.core.errors import ConfigError
from copilot.core.lang import word_count
from tools.roleplay.classify import TurnAct, TurnClassifier
from tools.roleplay.personas import Persona
from tools.roleplay.transcript import Turn

DISCLAIMER = "Scores are coaching aids; they are not meant for employment decisions."

_OBJECTION = re.compile(
    r"worr|concern|expensive|\bprice\b|cheaper|over (my )?budget|not sure|problem is|block|hard to argue|why (would|should)"
    r" i\b|don't want another|timing is|bad timing|barely use|don't use|come down|percent (cheaper|lower)|doesn't work for me"
    r"|hard sell|cost(s)? us nothing|number doesn't work|go on the consolidation|push to cut|cut (tools|spend|costs)"
    r"|wants? to try|also (talking|looking)|already (pay|have|use)|since it's (free|open source)|bundle"
    r"|担心|顾虑|太贵|价格|便宜|超(?:出|过)(?:了)?(?:我的)?预算|降下来|不确定|为什么(?:要|不)|不想再|时机|用得很少|没人用|许可费|免费|开源", re.I)
_PRICE = re.compile(r"\bprice\b|expensive|cheaper|come down|over (my )?budget|percent (cheaper|lower)|costs? us nothing"
                    r"|number doesn't work|fifteen percent|too much|why (should|would) i pay"
                    r"|太贵|价格|便宜|超(?:出|过)(?:了)?(?:我的)?预算|降下来|为什么要多(?:付|花)", re.I)
_EVIDENCE = re.compile(r"soc ?2|security report|\breferences?\b|case study|\bpilot\b|\bplan\b|customers? (like|such as|in)"
                       r"|\bbaa\b|questionnaire"
                       r"|side by side|connector|we (set up|handle|do the)|onboard|named|owner"
                       r"|安全报告|参考客户|案例|试点|计划|像您这样的客户|连接器|我们(?:来|负责)|上线|运维|总成本", re.I)
_AGREE = re.compile(r"\b(okay|ok|sure|sounds good|works|let's do|deal|fine|yes|all right|alright|book (it|the)"
                    r"|send (me )?(the|an) invite|see you|let's)\b|好的|好吧|可以|没问题|就这么定|发过来|约(?:我|一下)", re.I)
_DECLINE = re.compile(r"not ready|not agreeing|don't push|hold on|not there yet|don't know enough|let's not|"
                      r"not sure about|no\.|can't commit|jump to another meeting"
                      r"|还不能答应|别急|别逼|不会签|还没到|太早|先别急|去开下一个会", re.I)

PAIN_TOPICS = {"pain", "current"}
TOPIC_CHECKS = {"asked_pain": PAIN_TOPICS, "asked_impact": {"impact"}, "confirmed_budget": {"budget"},
                "identified_decision_maker": {"decision"}}




class RubricCheck(BaseModel):
    id: str
    group: str
    label: str
    fix: str = ""
    label_zh: str = ""  # the label and fix shown to a trainee practising in Chinese
    fix_zh: str = ""
    max_ratio: float | None = None
    min_questions: int | None = None
    max_words: int | None = None


class Rubric(BaseModel):
    pass_mark: float = 80
    groups: dict[str, float] = Field(default_factory=lambda: {"knowledge": 70.0, "style": 30.0})
    checks: list[RubricCheck]

    def check(self, check_id: str) -> RubricCheck:
        return next(c for c in self.checks if c.id == check_id)


def load_rubric(path: Path) -> Rubric:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rubric = Rubric(**data)
    except FileNotFoundError:
        raise ConfigError(f"no rubric at {path}", hint="restore prompts/roleplay_rubric.yaml") from None
    except Exception as exc:  # noqa: BLE001 - YAML and validation errors alike
        raise ConfigError(f"{path}: bad rubric: {exc}") from None
    unknown = {c.group for c in rubric.checks} - set(rubric.groups)
    if unknown:
        raise ConfigError(f"{path}: checks use groups {sorted(unknown)} that have no weight under 'groups'")
    return rubric


class CheckResult(BaseModel):
    id: str
    label: str
    group: str
    passed: bool | None = Field(description="None when the check does not apply to this conversation")
    turn: int | None = Field(default=None, description="1-based turn that earned or missed it")
    evidence: str = ""
    note: str = ""


class Feedback(BaseModel):
    check_id: str | None
    message: str
    example: str | None = None
    example_source: str | None = None


class Score(BaseModel):
    score: float
    passed: bool
    pass_mark: float
    groups: dict[str, float]
    checks: list[CheckResult]
    talk_ratio: float
    feedback: Feedback
    disclaimer: str = DISCLAIMER

    def failed(self) -> list[str]:
        return [c.id for c in self.checks if c.passed is False]


def _quote(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


class Scorer:
    """Applies the rubric. ``examples`` finds an example line for a check id (case-library search)."""

    def __init__(self, rubric: Rubric, classifier: TurnClassifier,
                 examples: Callable[[str, Persona | None], tuple[str, str] | None] | None = None) -> None:
        self.rubric = rubric
        self.classifier = classifier
        self.examples = examples

    def score(self, turns: list[Turn], *, persona: Persona | None = None) -> Score:
        rivals = [persona.competitor] if persona else []
        acts: dict[int, TurnAct] = {i: self.classifier.classify(t.text, competitors=rivals)
                                    for i, t in enumerate(turns) if t.speaker == "rep"}
        results = {c.id: self._check(c, turns, acts) for c in self.rubric.checks}
        ordered = [results[c.id] for c in self.rubric.checks]
        groups: dict[str, float] = {}
        total = 0.0
        for g, weight in self.rubric.groups.items():
            applicable = [r for r in ordered if r.group == g and r.passed is not None]
            frac = sum(1 for r in applicable if r.passed) / len(applicable) if applicable else 1.0
            groups[g] = round(100 * frac, 1)
            total += weight * frac
        total = round(total * 100 / (sum(self.rubric.groups.values()) or 1), 1)
        rep_words = sum(a.words for a in acts.values())
        all_words = sum(word_count(t.text) for t in turns) or 1
        return Score(score=total, passed=total >= self.rubric.pass_mark, pass_mark=self.rubric.pass_mark,
                     groups=groups, checks=ordered, talk_ratio=round(rep_words / all_words, 3),
                     feedback=self._feedback(ordered, persona))

    # --- checks ------------------------------------------------------------------------------------
    def _check(self, c: RubricCheck, turns: list[Turn], acts: dict[int, TurnAct]) -> CheckResult:
        r = CheckResult(id=c.id, label=c.label, group=c.group, passed=False)
        rep_idx = sorted(acts)
        last_rep = rep_idx[-1] if rep_idx else len(turns) - 1
        if c.id in TOPIC_CHECKS:
            hit = next((i for i in rep_idx if acts[i].act == "discovery" and set(acts[i].topics) & TOPIC_CHECKS[c.id]),
                       None)
            return self._cite(r, turns, hit, last_rep, "never asked before the call ended")
        if c.id in ("handled_objection_with_value", "price_value_not_discount"):
            return self._objections(r, c, turns, acts)
        if c.id == "dated_next_step":
            for i in rep_idx:
                a = acts[i]
                if a.dated and (a.act == "close" or a.question or re.search(r"next step|demo|pilot|review|walkthrough|meet", turns[i].text,
                                                              re.I)):
                    reply = next((turns[j].text for j in range(i + 1, len(turns)) if turns[j].speaker == "customer"), "")
                    if _AGREE.search(reply) and not _DECLINE.search(reply):
                        return self._cite(r, turns, i, last_rep, "")
            return self._cite(r, turns, None, last_rep, "no dated next step was agreed")
        if c.id == "talk_ratio":
            rep_words = sum(acts[i].words for i in rep_idx)
            ratio = rep_words / (sum(word_count(t.text) for t in turns) or 1)
            longest = max(rep_idx, key=lambda i: acts[i].words) if rep_idx else None
            r.passed = ratio < (c.max_ratio or 0.6)
            r.turn = longest + 1 if longest is not None else None
            r.note = f"rep spoke {ratio:.0%} of the words; longest rep turn cited"
            r.evidence = _quote(turns[longest].text) if longest is not None else ""
            return r
        if c.id == "open_questions":
            opens = [i for i in rep_idx if acts[i].open_question]
            need = c.min_questions or 3
            r.passed = len(opens) >= need
            r.note = f"{len(opens)} open questions (need {need})"
            cite = opens[need - 1] if r.passed else (opens[-1] if opens else last_rep)
            r.turn, r.evidence = cite + 1, _quote(turns[cite].text) if turns else ""
            return r
        if c.id == "no_early_pitch":
            first_q = next((i for i in rep_idx if acts[i].act == "discovery"), None)
            pitch = next((i for i in rep_idx if acts[i].act in ("pitch", "rambling")), None)
            early = pitch is not None and (first_q is None or pitch < first_q)
            r.passed = not early
            cited = pitch if early else first_q
            r.note = ("pitched before asking anything" if early else "asked before pitching" if first_q is not None
                      else "no pitch")
            if cited is not None:
                r.turn, r.evidence = cited + 1, _quote(turns[cited].text)
            return r
        if c.id == "no_monologue":
            longest = max(rep_idx, key=lambda i: acts[i].words) if rep_idx else None
            limit = c.max_words or 80
            r.passed = longest is None or acts[longest].words <= limit
            if longest is not None:
                r.turn, r.evidence = longest + 1, _quote(turns[longest].text)
                r.note = f"longest rep turn {acts[longest].words} words (limit {limit})"
            return r
        r.passed, r.note = None, "no scorer for this check id"
        return r

    def _cite(self, r: CheckResult, turns: list[Turn], hit: int | None, fallback: int, miss: str) -> CheckResult:
        r.passed = hit is not None
        idx = hit if hit is not None else fallback
        if 0 <= idx < len(turns):
            r.turn, r.evidence = idx + 1, _quote(turns[idx].text)
        r.note = "" if hit is not None else f"{miss} (last rep turn cited)"
        return r

    def _objections(self, r: CheckResult, c: RubricCheck, turns: list[Turn], acts: dict[int, TurnAct]) -> CheckResult:
        pattern = _PRICE if c.id == "price_value_not_discount" else _OBJECTION
        objs = [i for i, t in enumerate(turns) if t.speaker == "customer" and pattern.search(t.text)]
        if not objs:
            r.passed, r.note = None, "the customer raised no such objection"
            return r
        for oi in objs:
            replies = [i for i in range(oi + 1, min(len(turns), oi + 5)) if i in acts][:2]
            for i in replies:
                a = acts[i]
                if a.discount_cues:
                    r.passed, r.turn, r.evidence = False, i + 1, _quote(turns[i].text)
                    r.note = "answered the objection with a discount"
                    return r
                if a.act not in ("pitch", "rambling", "discovery") and (a.value_cues or _EVIDENCE.search(turns[i].text)):
                    r.passed, r.turn, r.evidence = True, i + 1, _quote(turns[i].text)
                    return r
        r.passed, r.turn, r.evidence = False, objs[0] + 1, _quote(turns[objs[0]].text)
        r.note = "the objection (cited) was not answered with value or evidence"
        return r

    # --- feedback ----------------------------------------------------------------------------------
    def _feedback(self, results: list[CheckResult], persona: Persona | None) -> Feedback:
        missed = [r for r in results if r.passed is False]
        zh = persona is not None and persona.lang == "zh"
        if not missed:
            return Feedback(check_id=None, message="每一项都通过了。下次试试更难的场景。" if zh else
                            "Every check passed. Try a tougher scenario next.")

        def weight(r: CheckResult) -> float:
            n = sum(1 for x in results if x.group == r.group and x.passed is not None) or 1
            return self.rubric.groups.get(r.group, 0) / n

        top = max(missed, key=weight)  # max keeps the first in rubric order on ties
        check = self.rubric.check(top.id)
        where = f" (turn {top.turn})" if top.turn else ""
        found = self.examples(top.id, persona) if self.examples else None
        if found is None and persona and persona.example_lines.get(top.id):
            found = (persona.example_lines[top.id][0], persona.source)
        message = (f"{check.label_zh or check.label}：未做到{f'（第 {top.turn} 轮）' if top.turn else ''}。{check.fix_zh or check.fix}"
                   if zh else f"{check.label}: missed{where}. {check.fix}")
        return Feedback(check_id=top.id, message=message,
                        example=found[0] if found else None, example_source=found[1] if found else None)
