"""The buyer: a state tracker plus a deterministic offline responder (and an LLM voice in llm_buyer.py).

The state machine decides everything that matters for training (which hidden fact is unlocked, which
objection is raised or resolved, patience, mood, when the call ends); the offline responder speaks from the
persona's response bank, the LLM voice only rephrases what the state machine allows. Either way the buyer
stays in role: it never pitches, never coaches, never gives in to the first push and never volunteers a
hidden fact.
"""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel, Field

from tools.roleplay.classify import TurnAct, brand_words, names_pattern
from tools.roleplay.personas import Persona

SELLER_LINE = re.compile(
    r"\bour (product|platform|solution|software|suite)\b|\bi can offer\b|\bwe can offer\b|\bdiscount for you\b"
    r"|\b(let me|i'll) (show|walk) you (how|our)|\byou should (buy|ask|try asking)"
    r"|\b(tip|coaching|a good rep|try asking me)\b", re.I)

GENERIC = {
    "pitch": ["That's a lot of features. I still don't see how any of it maps to my problem.",
              "I've heard that pitch from three vendors this month. What does it change for me?",
              "Slow down. You haven't asked me much yet."],
    "rambling": ["Sorry, you lost me there. What's the actual question?",
                 "I'm not following. Can you get to the point?"],
    "small_talk": ["Sure. What did you want to cover today?", "Thanks. Where do you want to start?"],
    "vague": ["Maybe. It depends what you mean.", "Sort of. It's complicated.", "Yes and no."],
    "general": ["That's a broad question. What specifically do you want to know?",
                "Hard to say in general. Ask me something more specific."],
    "repeat": ["I think I already answered that.", "We covered that a minute ago."],
    "discount_first": ["A discount on its own doesn't change much. I still have to justify why we need this at all.",
                       "I'm not going to make a decision because of a percentage off."],
    "discount_again": ["You keep coming back to price cuts. That's not what I'm worried about.",
                       "Another discount doesn't answer my concern."],
    "close_unresolved": ["I'm not ready to commit to anything yet.", "Hold on, we're not there yet."],
    "close_pushy": ["Please don't push me. I don't sign things on the first call.",
                    "That's a lot of pressure. I'm not agreeing to anything today."],
    "close_undated": ["Maybe. What exactly would that look like, and when?",
                      "Possibly. Propose something concrete and I'll look at my calendar."],
    "close_early": ["I don't know enough yet to agree to a next step. You haven't learned much about us.",
                    "Let's not jump ahead. I'm not sure you understand our situation yet."],
    "statement": ["Okay.", "Go on.", "Mm-hm. And?"],
    "patience_out": ["I'm going to have to jump to another meeting. Send me something in writing.",
                     "I think we're done for today. I'll reach out if anything changes."],
    "value_weak": ["That sounds generic. How does it apply to us specifically?"],
}


class BuyerState(BaseModel):
    """Everything the buyer remembers; JSON-serializable so a later process can continue the session."""

    revealed: list[str] = Field(default_factory=list)
    asked_topics: list[str] = Field(default_factory=list)
    raised: list[str] = Field(default_factory=list)
    resolved: list[str] = Field(default_factory=list)
    active: str | None = None
    handling: dict[str, int] = Field(default_factory=dict)
    discount_pushes: int = 0
    close_attempts: int = 0
    pushes: int = 0
    patience: float = 8.0
    mood: float = 0.0
    turns: int = 0
    ended: bool = False
    outcome: str | None = None  # next_step_agreed | buyer_ended | trainee_ended


class BuyerTurn(BaseModel):
    text: str
    ended: bool = False
    outcome: str | None = None
    revealed: list[str] = Field(default_factory=list)
    raised: str | None = None
    resolved: str | None = None
    act: str = ""
    topics: list[str] = Field(default_factory=list)
    mood: float = 0.0
    patience: float = 0.0


# The same reactions for a buyer who speaks Chinese (a persona card written in Chinese).
GENERIC_ZH: dict[str, list[str]] = {
    "pitch": ["功能挺多的，但我还是没看出来这和我的问题有什么关系。", "这个月我已经听三家讲过差不多的东西了，对我到底有什么改变？",
              "慢一点，你还没怎么问我情况呢。"],
    "rambling": ["不好意思，我没跟上。你具体想问什么？", "我有点听不明白，能说重点吗？"],
    "small_talk": ["好的，今天你想聊什么？", "谢谢。从哪里开始？"],
    "vague": ["也许吧，看你指的是什么。", "算是吧，情况比较复杂。", "可以说是，也可以说不是。"],
    "general": ["这个问题太宽了，你具体想了解什么？", "笼统地说很难讲，问得具体一点吧。"],
    "repeat": ["这个我刚才好像已经回答过了。", "我们刚刚聊过这个。"],
    "discount_first": ["光打折改变不了什么，我还是得说明我们为什么需要它。", "我不会因为一个折扣就做决定。"],
    "discount_again": ["你老是回到降价上，可我担心的不是这个。", "再打折也解决不了我的顾虑。"],
    "close_unresolved": ["我现在还不能答应什么。", "等一下，我们还没到那一步。"],
    "close_pushy": ["请别逼我，第一次通话我不会签任何东西。", "压力有点大，今天我不会答应任何事。"],
    "close_undated": ["也许吧。具体是什么安排，什么时候？", "有可能。你提一个具体的时间，我看看日程。"],
    "close_early": ["我对你们了解还不够，现在谈下一步太早了。你还没了解我们的情况。", "先别急，我不确定你理解我们的处境。"],
    "statement": ["好的。", "你接着说。", "嗯，然后呢？"],
    "patience_out": ["我得去开下一个会了，你把材料发邮件给我吧。", "今天就先到这里吧，有需要我再联系你。"],
    "value_weak": ["听起来比较泛，具体到我们身上是怎样的？"],
}


def _pick(options: list[str], seed: str) -> str:
    if not options:
        return ""
    h = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=4).digest(), "little")
    return options[h % len(options)]


class BuyerSimulator:
    """Deterministic buyer for one persona. ``step`` updates the state and returns the reply."""

    def __init__(self, persona: Persona, *, seed: str = "") -> None:
        self.persona = persona
        self.seed = seed or persona.id
        self.lines = GENERIC_ZH if persona.lang == "zh" else GENERIC

    def new_state(self) -> BuyerState:
        return BuyerState(patience=self.persona.patience)

    def opening(self) -> str:
        return self.persona.opening

    def _line(self, key: str, state: BuyerState) -> str:
        return _pick(self.lines.get(key) or GENERIC[key], f"{self.seed}:{key}:{state.turns}")

    def _objection(self, oid: str):  # noqa: ANN202
        return next(o for o in self.persona.objections if o.id == oid)

    def _raise_next(self, state: BuyerState) -> str | None:
        for o in self.persona.objections:
            if o.id not in state.raised:
                state.raised.append(o.id)
                state.active = o.id
                return o.id
        return None

    def _addresses(self, act: TurnAct, text: str, oid: str) -> bool:
        o = self._objection(oid)
        low = text.lower()
        specific = any(c.lower() in low for c in o.resolve_cues)
        return act.act in ("value", "pitch", "statement", "discovery") and (act.value_cues or specific)

    def step(self, state: BuyerState, act: TurnAct, text: str) -> BuyerTurn:
        """Advance one trainee turn. Never reveals a fact unless ``act`` is an open question on its topic."""
        p = self.persona
        state.turns += 1
        raised_before = len(state.raised)
        parts: list[str] = []
        revealed: list[str] = []
        raised: str | None = None
        resolved: str | None = None
        state.patience -= 0.25
        if act.act == "discovery":
            new_topics = [t for t in act.topics if t not in state.asked_topics]
            facts = [f for f in p.hidden_facts if f.topic in act.topics and f.id not in state.revealed]
            if act.open_question and facts:
                for f in facts[:1]:
                    state.revealed.append(f.id)
                    revealed.append(f.id)
                    parts.append(f.fact)
                state.mood = min(3.0, state.mood + 1)
            elif facts:
                parts.append(facts[0].vague or self._line("vague", state))
                state.patience -= 0.25
            elif act.topics and act.topics[0] in p.answers:
                parts.append(p.answers[act.topics[0]])
            elif act.topics and not new_topics:
                parts.append(self._line("repeat", state))
                state.patience -= 0.75
            else:
                parts.append(self._line("general", state))
            state.asked_topics.extend(t for t in new_topics if t not in state.asked_topics)
        elif act.act == "discount":
            state.discount_pushes += 1
            state.pushes += 1
            state.patience -= 0.75
            state.mood -= 0.5
            parts.append(self._line("discount_first" if state.discount_pushes == 1 else "discount_again", state))
        elif act.act == "close":
            state.close_attempts += 1
            if act.pressure:
                state.pushes += 1
            parts.extend(self._close(state, act))
        elif act.act == "rambling":
            state.patience -= 2.0
            state.mood -= 1
            parts.append(self._line("rambling", state))
        elif act.act == "pitch":
            state.patience -= 1.25
            state.mood -= 0.5
            parts.append(self._line("pitch", state))
        elif act.act == "small_talk":
            parts.append(self._line("small_talk", state))
        # objection handling applies to whatever the trainee said while an objection is open
        if state.active and act.act not in ("discount", "close", "rambling"):
            if self._addresses(act, text, state.active):
                oid = state.active
                state.handling[oid] = state.handling.get(oid, 0) + 1
                o = self._objection(oid)
                if state.handling[oid] >= p.effort:
                    state.resolved.append(oid)
                    state.active = None
                    resolved = oid
                    state.mood = min(3.0, state.mood + 1)
                    parts = [o.accept or ("好，这有帮助。" if self.lines is GENERIC_ZH else "Okay, that helps.")]
                else:
                    parts = [o.pushback or self._line("value_weak", state)]
            elif act.act == "value":
                parts = [self._line("value_weak", state)]
        elif act.act == "value" and not parts:
            parts.append(self._line("statement", state))
        if act.act == "statement" and not parts:
            parts.append(self._line("statement", state))
        # raise the next objection when the conversation calls for it
        if not state.ended and state.active is None and len(state.raised) < len(p.objections):
            due = {"easy": 4, "realistic": 3, "tough": 2}[p.difficulty]
            wanted = len(state.raised) < p.required_objections
            nxt = next(o.id for o in p.objections if o.id not in state.raised)
            if act.act == "pitch" or (wanted and state.turns >= due and resolved is None and not revealed
                                      and not self._addresses(act, text, nxt)):
                raised = self._raise_next(state)
                if raised:
                    parts.append(self._objection(raised).text)
        if not state.ended and state.patience <= 0:
            state.ended, state.outcome = True, "buyer_ended"
            parts.append(self._line("patience_out", state))
        text_out = " ".join(x for x in parts if x) or self._line("statement", state)
        if raised is None and len(state.raised) > raised_before:
            raised = state.raised[-1]
        return BuyerTurn(text=text_out, ended=state.ended, outcome=state.outcome, revealed=revealed, raised=raised,
                         resolved=resolved, act=act.act, topics=act.topics, mood=state.mood, patience=state.patience)

    def _close(self, state: BuyerState, act: TurnAct) -> list[str]:
        p = self.persona
        if act.pressure and state.pushes <= 1:
            state.patience -= 1.5
            state.mood -= 1
            return [self._line("close_pushy", state)]
        if state.active:
            state.patience -= 0.75
            return [self._line("close_unresolved", state), self._objection(state.active).text]
        if len(state.resolved) < p.required_objections:
            raised = self._raise_next(state)
            if raised:
                return ["别急。" if self.lines is GENERIC_ZH else "Not so fast.", self._objection(raised).text]
        if not state.revealed:
            state.patience -= 0.5
            return [self._line("close_early", state)]
        if not act.dated:
            return [self._line("close_undated", state)]
        state.ended, state.outcome = True, "next_step_agreed"
        return [p.accept_next_step]


def is_seller_line(text: str, company: str = "") -> bool:
    """True when a buyer line slipped into the seller's role or into coaching (used to guard both modes);
    with the seller's ``company``, also when the buyer praises it the way a seller would ("Acme helps ...")."""
    if SELLER_LINE.search(text):
        return True
    brand = names_pattern(brand_words(company))
    return bool(brand and re.search(brand.pattern + r"\s+(helps|gives|lets|will)\b", text, re.I))
