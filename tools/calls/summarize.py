"""Call summary into a configurable template (prompts/call_summary.yaml); every item cites its segments.

With an LLM: structured output into a pydantic model (prompt in prompts/calls_summary.md), segment
numbers mapped back to timestamped citations. Offline: extractive, with nearest-exemplar classifiers
(embeddings plus cue words) for objections and next steps, competitor names from the user's data (CRM
deals and library battle cards, see knowledge.competitors) and the template, and deadline parsing relative
to the call date.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from copilot.core.chat import ChatModel, fall_back
from copilot.core.domain import Citation
from copilot.core.errors import ModelError, UserError
from copilot.core.lang import language
from copilot.core.settings import REPO_ROOT
from copilot.core.speech import Segment
from tools.calls.analytics import CallAnalytics, analyze, questions_in, sentiment
from tools.calls.dates import parse_due
from tools.calls.llm_summary import run_structured

DEFAULT_TEMPLATE = REPO_ROOT / "prompts" / "call_summary.yaml"
# A call in Chinese is summarized in Chinese, from this template (same sections, Chinese cues and exemplars).
LANGUAGE_TEMPLATES = {"zh": REPO_ROOT / "prompts" / "call_summary_zh.yaml"}
WORDS = {
    "en": {"on": "{title} on {date}", "with": " with {account}", "attendees": "; attendees: {who}.",
           "nobody": "speakers not named", "will": r"\bI will\b|\bI'll\b", "objection": "{cat} objection: {text}",
           "competing": "competing with {name}", "no_step": "no dated next step was agreed", "step": "next step"},
    "zh": {"on": "{title}，{date}", "with": "，客户 {account}", "attendees": "；参会人：{who}。",
           "nobody": "未标注发言人", "will": r"我会|我来|我这边|我负责|我发", "objection": "{cat}异议：{text}",
           "competing": "与 {name} 竞争", "no_step": "没有约定带日期的下一步", "step": "下一步"},
}
CATEGORY_ZH = {"pricing": "价格", "security": "安全", "adoption": "使用率", "integration": "集成", "timing": "时机",
               "authority": "决策权"}
BANT = {
    "en": {"budget": r"\bbudget|price|\$|thousand|discount|cost",
           "authority": r"approv|committee|sign|cio|cfo|leadership|finance",
           "timeline": r"renewal|quarter|deadline|by (monday|tuesday|wednesday|thursday|friday)|next \w+day"},
    "zh": {"budget": r"预算|价格|报价|折扣|成本|费用|万", "authority": r"审批|委员会|签字|拍板|CIO|CFO|领导|财务",
           "timeline": r"续约|季度|截止|之前|周[一二三四五六日]|月底|年底"},
}


class CallContext(BaseModel):
    call_id: str = "adhoc"
    title: str = "Call"
    call_date: date
    account: str | None = None
    deal_id: str | None = None
    names: dict[str, str] = Field(default_factory=dict, description="role ('rep'/'customer') -> attendee name")


class SummaryItem(BaseModel):
    text: str
    category: str | None = None
    handling: str | None = None
    owner: str | None = None
    due: date | None = None
    citations: list[Citation] = Field(default_factory=list)


class CallSummary(BaseModel):
    call_id: str
    title: str
    mode: str = "offline"
    language: str = "en"
    sections: dict[str, list[SummaryItem]]
    titles: dict[str, str] = Field(default_factory=dict)
    analytics: CallAnalytics | None = None

    def items(self, section: str) -> list[SummaryItem]:
        return self.sections.get(section, [])

    def to_markdown(self) -> str:
        lines = [f"# {self.title}"]
        for sid, items in self.sections.items():
            lines.append(f"\n## {self.titles.get(sid, sid)}")
            for it in items or []:
                where = ", ".join(c.location().split(" @ ")[-1] for c in it.citations)
                extra = "".join(f" [{x}]" for x in (it.category, it.owner, it.due) if x)
                lines.append(f"- {it.text}{extra}" + (f" ({where})" if where else ""))
            if not items:
                lines.append("- （未提及）" if self.language == "zh" else "- (nothing said)")
        return "\n".join(lines)


def load_template(path: str | Path | None = None) -> dict[str, Any]:
    p = Path(path) if path else DEFAULT_TEMPLATE
    try:
        data = yaml.safe_load(p.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read the summary template {p}: {exc}", hint="fix the YAML or pass another file") from None
    if not isinstance(data, dict) or not data.get("sections"):
        raise UserError(f"summary template {p} has no 'sections' list", hint="see prompts/call_summary.yaml")
    return data


def cite(seg: Segment, ctx: CallContext) -> Citation:
    return Citation(source_id=f"call:{ctx.call_id}", title=ctx.title, kind="call", timestamp=seg.start,
                    snippet=seg.text[:200], record=f"call:{ctx.call_id}")


def _sentences(segments: list[Segment]) -> list[tuple[str, Segment]]:
    out = []
    for seg in segments:
        for sent in re.split(r"(?<=[.?!])\s+|(?<=[。？！；])", seg.text.strip()):
            if sent:
                out.append((sent, seg))
    return out


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False)) / (math.sqrt(sum(x * x for x in a) * sum(y * y for y in b)) or 1.0)


class Summarizer:
    """Builds a CallSummary from transcript segments, offline or with a chat model."""

    def __init__(self, *, embedder: Any = None, chat_model: ChatModel | None = None, template: dict[str, Any] | None = None,
                 competitors: list[str] | None = None) -> None:
        self.embedder = embedder
        self.chat_model = chat_model
        self.template = template or load_template()
        # A call in another language gets that language's shipped template, unless a custom one was configured.
        self.templates = {"en": self.template}
        if self.template.get("name") == "default":
            self.templates.update({lang: load_template(p) for lang, p in LANGUAGE_TEMPLATES.items() if p.is_file()})
        # The user's competitors (knowledge.competitors: CRM deals, library battle cards) and the template's own.
        self.competitors = list(dict.fromkeys([*(competitors or []), *(self.template.get("competitors") or [])]))
        self._exemplars: dict[str, dict[str, list[list[float]]]] = {}  # template name -> exemplar vectors

    # -- offline -------------------------------------------------------------------------------
    def _exemplar_vectors(self, tpl: dict[str, Any]) -> dict[str, list[list[float]]]:
        name = str(tpl.get("name", ""))
        if name not in self._exemplars:
            vectors: dict[str, list[list[float]]] = {}
            if self.embedder is not None:
                groups = {f"objection:{k}": v.get("examples", []) for k, v in tpl.get("objections", {}).items()}
                groups["next_step"] = tpl.get("next_steps", {}).get("examples", [])
                for key, texts in groups.items():
                    vectors[key] = self.embedder.embed(texts) if texts else []
            self._exemplars[name] = vectors
        return self._exemplars[name]

    def _score(self, vec: list[float] | None, key: str, text: str, cues: list[str], tpl: dict[str, Any]) -> float:
        low = " " + text.lower() + " "
        cue = 0.6 if any(c.lower() in low for c in cues) else 0.0
        ex = self._exemplar_vectors(tpl).get(key) or []
        sim = max((_cos(vec, e) for e in ex), default=0.0) if vec is not None else 0.0
        return cue + 0.5 * sim

    def _offline(self, segments: list[Segment], ctx: CallContext, lang: str = "en") -> dict[str, list[SummaryItem]]:
        tpl, w = self.templates.get(lang, self.template), WORDS.get(lang, WORDS["en"])
        sents = _sentences(segments)
        vecs: list[list[float] | None] = (self.embedder.embed([s for s, _ in sents]) if self.embedder and sents
                                          else [None] * len(sents))
        customer = [(i, s, seg) for i, (s, seg) in enumerate(sents) if seg.role != "rep"]
        out: dict[str, list[SummaryItem]] = {k: [] for k in ("context", "pains", "objections", "competitors",
                                                              "qualification", "questions", "next_steps", "risks")}
        speakers = list(dict.fromkeys(seg.speaker for seg in segments if seg.speaker))  # named in the transcript
        who = ", ".join(f"{v} ({k})" for k, v in ctx.names.items()) or ", ".join(speakers) or w["nobody"]
        first = segments[0] if segments else None
        out["context"].append(SummaryItem(text=w["on"].format(title=ctx.title, date=ctx.call_date.isoformat())
                                          + (w["with"].format(account=ctx.account) if ctx.account else "")
                                          + w["attendees"].format(who=who),
                                          citations=[cite(first, ctx)] if first else []))
        pain_cues = tpl.get("pains", {}).get("cues", [])
        for _i, s, seg in customer:
            if ("?" not in s and "？" not in s) and (any(c in s.lower() for c in pain_cues) or sentiment(s) < -0.2):
                out["pains"].append(SummaryItem(text=s, citations=[cite(seg, ctx)]))
        # objections: best category per customer sentence, handled by the rep's next turn
        objs = tpl.get("objections", {})
        for i, s, seg in customer:
            scored = [(self._score(vecs[i], f"objection:{k}", s, v.get("cues", []), tpl), k) for k, v in objs.items()]
            best, cat = max(scored, default=(0.0, None))
            if best >= 0.6 and "?" not in s and "？" not in s and parse_due(s, ctx.call_date) is None:
                reply = next((x for x in segments if x.start >= seg.end - 0.01 and x.role == "rep"), None)
                out["objections"].append(SummaryItem(
                    text=s, category=cat, handling=reply.text if reply else None,
                    citations=[cite(seg, ctx)] + ([cite(reply, ctx)] if reply else [])))
        # competitors
        for name in self.competitors:
            pat = re.compile(r"(?<![A-Za-z0-9])" + re.escape(name).replace(r"\ ", r"\s*") + r"(?![A-Za-z0-9])", re.I)
            hits = [(s, seg) for s, seg in sents if pat.search(s)]
            if hits:
                out["competitors"].append(SummaryItem(text=f"{name}: " + " / ".join(s for s, _ in hits[:2]),
                                                      category=name, citations=[cite(seg, ctx) for _, seg in hits[:3]]))
        # questions by side
        for s, seg in sents:
            for q in questions_in(s):
                out["questions"].append(SummaryItem(text=q, owner=seg.speaker or seg.role, category=seg.role,
                                                    citations=[cite(seg, ctx)]))
        # next steps: classifier + a deadline; keep the latest statement of each (agreements repeat)
        ns = tpl.get("next_steps", {})
        seen: dict[date | None, SummaryItem] = {}
        for i, (s, seg) in enumerate(sents):
            if self._score(vecs[i], "next_step", s, ns.get("cues", []), tpl) < 0.6:
                continue
            due = parse_due(s, ctx.call_date)
            if due is None and w["step"] not in s.lower():
                continue
            owner = ctx.names.get("rep") if seg.role == "rep" and re.search(w["will"], s) else (
                ctx.names.get("customer") if seg.role == "customer" and re.search(w["will"], s)
                else ctx.names.get("rep"))
            key = due[0] if due else None
            prev = seen.get(key)
            item = SummaryItem(text=s, owner=owner, due=key,
                               citations=(prev.citations if prev else []) + [cite(seg, ctx)])
            seen[key] = item
        out["next_steps"] = list(seen.values())
        # qualification (BANT)
        bant = {**BANT.get(lang, BANT["en"]), "need": "|".join(map(re.escape, pain_cues)) or r"need|需要"}
        for field, rx in bant.items():
            hits = [(s, seg) for s, seg in sents if re.search(rx, s, re.I) and (field == "timeline" or seg.role != "rep")]
            if hits:
                out["qualification"].append(SummaryItem(text=hits[0][0], category=field,
                                                        citations=[cite(seg, ctx) for _, seg in hits[:2]]))
        # risks
        for o in out["objections"]:
            cat = CATEGORY_ZH.get(o.category or "", o.category) if lang == "zh" else o.category
            out["risks"].append(SummaryItem(text=w["objection"].format(cat=cat, text=o.text), category=o.category,
                                            citations=o.citations[:1]))
        for c in out["competitors"]:
            out["risks"].append(SummaryItem(text=w["competing"].format(name=c.category), category="competition",
                                            citations=c.citations[:1]))
        if not out["next_steps"]:
            out["risks"].append(SummaryItem(text=w["no_step"], category="no_next_step"))
        return out

    # -- LLM -----------------------------------------------------------------------------------
    def _llm(self, chat_model: ChatModel, segments: list[Segment], ctx: CallContext,
             lang: str = "en") -> dict[str, list[SummaryItem]]:
        found = run_structured(chat_model, self.templates.get(lang, self.template), segments, ctx, self.competitors, lambda seg: cite(seg, ctx))
        return {section: [SummaryItem(**it.model_dump(exclude={"segments"}), citations=cites) for it, cites in items]
                for section, items in found.items()}

    def summarize(self, segments: list[Segment], ctx: CallContext, *, duration: float | None = None) -> CallSummary:
        if not segments:
            raise UserError("the call has no transcribed speech to summarize", hint="check the recording has audio")
        mode = "offline"
        sections = None
        lang = language(" ".join(seg.text for seg in segments[:200]))
        if self.chat_model is not None:
            try:
                sections, mode = self._llm(self.chat_model, segments, ctx, lang), "llm"
            except ModelError as exc:
                fall_back(exc, caller="call summary", offline="the extractive summary")
        if sections is None:
            sections = self._offline(segments, ctx, lang)
        tpl = self.templates.get(lang, self.template)
        wanted = [s["id"] for s in tpl["sections"]]
        titles = {s["id"]: s.get("title", s["id"]) for s in tpl["sections"]}
        return CallSummary(call_id=ctx.call_id, title=ctx.title, mode=mode, titles=titles, language=lang,
                           sections={k: sections.get(k, []) for k in wanted},
                           analytics=analyze(segments, duration))
