"""Persona cards: the buyer a trainee practises against, loaded from the case library.

A card is a markdown file with YAML front matter (``type: persona_card``). The front matter holds what the
simulator needs (hidden facts, objections in order of likelihood, patience by difficulty); the body holds
the story and "Example rep lines" tagged with rubric check ids, which feedback quotes.
Scenarios can also be built from a real CRM deal or call (see ``scenario_from_deal`` / ``scenario_from_call``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from copilot.core.errors import NotFound, UserError, field_problems

Goal = Literal["discovery", "demo_follow_up", "pricing_negotiation", "renewal_at_risk"]
Difficulty = Literal["easy", "realistic", "tough"]

PATIENCE = {"easy": 10.0, "realistic": 8.0, "tough": 6.5}
REQUIRED_OBJECTIONS = {"easy": 1, "realistic": 1, "tough": 2}
EFFORT = {"easy": 1, "realistic": 1, "tough": 2}  # value-based handling turns needed per objection


class HiddenFact(BaseModel):
    id: str
    topic: str = Field(description="discovery topic that unlocks it: pain, impact, budget, decision, ...")
    fact: str = Field(description="what the buyer says when asked well (buyer's voice)")
    vague: str = Field(default="", description="what the buyer says to a closed or weak question")


class Objection(BaseModel):
    id: str
    category: str = Field(description="price, security, adoption, integration, competitor, timing, ...")
    text: str
    pushback: str = ""
    resolve_cues: list[str] = Field(default_factory=list)
    accept: str = ""


class Persona(BaseModel):
    id: str
    title: str
    name: str
    role: str
    company: str
    industry: str
    company_context: str = ""
    pains: list[str] = Field(default_factory=list)
    budget: str = ""
    decision_process: str = ""
    goal: Goal = "discovery"
    difficulty: Difficulty = "realistic"
    competitor: str | None = None
    opening: str = "Hi. I have about twenty minutes, so let's make it count."
    hidden_facts: list[HiddenFact] = Field(default_factory=list)
    objections: list[Objection] = Field(default_factory=list)
    answers: dict[str, str] = Field(default_factory=dict, description="non-hidden answers by topic")
    next_step: str = "a follow-up meeting"
    accept_next_step: str = "Fine, send me the invite and we'll do it then."
    targets: list[str] = Field(default_factory=list, description="rubric checks this scenario exercises")
    account: str | None = Field(default=None, description="CRM account name this card is drawn from")
    example_lines: dict[str, list[str]] = Field(default_factory=dict)
    source: str = ""
    language: str = Field(default="", description="'zh' or 'en'; empty: the language of the card's opening line")

    @property
    def lang(self) -> str:
        from copilot.core.lang import language

        return self.language or language(f"{self.opening} {self.company_context}")

    @property
    def patience(self) -> float:
        return PATIENCE[self.difficulty]

    @property
    def required_objections(self) -> int:
        return min(REQUIRED_OBJECTIONS[self.difficulty], len(self.objections))

    @property
    def effort(self) -> int:
        return EFFORT[self.difficulty]

    def fact(self, fact_id: str) -> HiddenFact:
        for f in self.hidden_facts:
            if f.id == fact_id:
                return f
        raise NotFound(f"persona {self.id} has no hidden fact {fact_id!r}")


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.S)
_EXAMPLE = re.compile(r"^\s*[-*]\s*\[([a-z_]+)\]\s*(.+?)\s*$", re.M)


def parse_card(text: str, *, source: str = "") -> Persona:
    """Parse one persona card; a malformed card raises UserError naming the file and the field."""
    m = _FRONT.match(text)
    if not m:
        raise UserError(f"{source or 'persona card'}: missing YAML front matter between '---' lines")
    try:
        meta: dict[str, Any] = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{source}: front matter is not valid YAML: {exc}") from None
    if meta.get("type") != "persona_card":
        raise UserError(f"{source}: not a persona card (front matter needs 'type: persona_card')")
    examples: dict[str, list[str]] = {}
    for check, line in _EXAMPLE.findall(m.group(2)):
        examples.setdefault(check, []).append(line.strip().strip('"'))
    meta.pop("type", None)
    try:
        return Persona(**meta, example_lines=examples, source=source)
    except ValidationError as exc:
        raise UserError(f"{source}: bad persona card: {field_problems(exc)}") from None


def load_personas(folder: Path) -> dict[str, Persona]:
    """All persona cards under ``folder`` keyed by id (files without persona front matter are skipped)."""
    if not folder.is_dir():
        raise NotFound(f"no persona cards at {folder}", hint="add persona cards (markdown with 'type: persona_card' "
                                                             "front matter) there, or set COPILOT_PERSONA_DIR")
    out: dict[str, Persona] = {}
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "type: persona_card" not in text:
            continue
        card = parse_card(text, source=str(path))
        if card.id in out:
            raise UserError(f"duplicate persona id {card.id!r} in {path} and {out[card.id].source}")
        out[card.id] = card
    return out


# --- scenarios from the CRM ------------------------------------------------------------------------

_CATEGORY_CUES = {
    "price": r"price|pricing|discount|expensive|cost|budget|cheaper",
    "security": r"security|hipaa|compliance|soc ?2|privacy|audit|phi",
    "adoption": r"adoption|usage|not using|shelfware|rolled out|low use",
    "integration": r"integrat|effort|engineering|connect|migration|implementation",
    "competitor": r"competitor|alternative|other vendor",  # and the deal's competitor by name
    "timing": r"timing|not now|next year|later|freeze|priorit",
}

_CANNED: dict[str, Objection] = {
    "price": Objection(id="price", category="price",
                       text="Honestly, the price is the problem. It's well above what I expected to pay.",
                       pushback="I hear you, but I still have to defend that number to finance.",
                       resolve_cues=["roi", "payback", "save", "hours", "cost of"],
                       accept="Okay, if those numbers hold up, I can take that to finance."),
    "security": Objection(id="security", category="security",
                          text="Our security team will want a full review before anything touches our data.",
                          pushback="That's what every vendor says. I need specifics for the review.",
                          resolve_cues=["soc 2", "baa", "encrypt", "security review", "audit", "questionnaire"],
                          accept="That would help. Our security lead will want to see that."),
    "adoption": Objection(id="adoption", category="adoption",
                          text="Frankly, my teams barely use what we bought last year. Why would I renew?",
                          pushback="Training sessions didn't help last time. What would be different?",
                          resolve_cues=["adoption plan", "success plan", "enablement", "usage", "champion"],
                          accept="A real adoption plan with owners would change the conversation."),
    "integration": Objection(id="integration", category="integration",
                             text="My worry is the integration effort. My engineers are already stretched.",
                             pushback="Every vendor says it's easy. What does it actually take?",
                             resolve_cues=["connector", "pilot", "hours", "we handle", "professional services"],
                             accept="If it's really that contained, a pilot could work."),
    "competitor": Objection(id="competitor", category="competitor",
                            text="We're also looking at another vendor that seems to do the same thing.",
                            pushback="They told me they do that too. Why should I believe you?",
                            resolve_cues=["lineage", "governance", "reference", "compare", "customer"],
                            accept="Fair. Send me that comparison."),
    "timing": Objection(id="timing", category="timing",
                        text="I'm not sure this is a priority for us this quarter.",
                        pushback="Everything is urgent according to vendors.",
                        resolve_cues=["cost of", "deadline", "risk", "delay"],
                        accept="Okay, that makes the timing case clearer."),
}


def categorize_objection(text: str, competitors: list[str] | None = None) -> str:
    low = text.lower()
    for cat, pattern in _CATEGORY_CUES.items():
        if re.search(pattern, low):
            return cat
        if cat == "competitor" and any(n and re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", low) for n in competitors or []):
            return cat
    return "timing"


def _goal_for(stage: str | None, deal_type: str | None) -> Goal:
    if deal_type == "renewal":
        return "renewal_at_risk"
    if stage in ("proposal", "negotiation"):
        return "pricing_negotiation"
    if stage == "demo":
        return "demo_follow_up"
    return "discovery"


def build_scenario(base: Persona | None, *, scenario_id: str, title: str, name: str, role: str, company: str,
                   industry: str | None, competitor: str | None, stage: str | None, deal_type: str | None,
                   objection_texts: list[str], source: str) -> Persona:
    """A persona for a real deal or call: the matching library card when there is one, overridden by facts."""
    data = base.model_dump() if base else Persona(
        id=scenario_id, title=title, name=name, role=role, company=company, industry=industry or "unknown",
        hidden_facts=[
            HiddenFact(id="impact", topic="impact", fact="If this drags on we lose weeks of analyst time every quarter."),
            HiddenFact(id="decision", topic="decision", fact="I recommend it, but our CFO signs anything over fifty thousand."),
            HiddenFact(id="budget", topic="budget", fact="There is budget, but it was set before we saw your pricing."),
        ],
        objections=[_CANNED["price"]],
    ).model_dump()
    data.update(id=scenario_id, title=title, name=name, role=role, company=company, source=source,
                goal=_goal_for(stage, deal_type))
    if industry:
        data["industry"] = industry
    if competitor:
        data["competitor"] = competitor
    if objection_texts:
        objs: list[dict[str, Any]] = []
        for text in objection_texts:
            canned = _CANNED[categorize_objection(text, [competitor] if competitor else None)].model_copy()
            if canned.id not in {o["id"] for o in objs}:
                objs.append(canned.model_dump())
        data["objections"] = objs
    return Persona(**data)
