"""Conversation analytics from transcript segments: talk ratio, longest monologue, questions,
interactivity, filler words, silence, and customer-side text sentiment.

Sentiment is a small lexicon score of what the *customer* said (with negation); the rep's speech is
never scored for emotion.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, Field

from copilot.core.speech import Segment

FILLERS = ("um", "uh", "erm", "hmm", "like", "you know", "i mean", "sort of", "kind of", "basically", "actually")
_POS = set(["great", "good", "love", "like", "excellent", "helpful", "happy", "glad", "impressed", "easy", "value", "valuable", "works", "excited", "interested", "perfect", "useful", "fast", "clear", "confident", "agree", "yes", "sure", "absolutely", "fantastic", "nice", "improve", "improved", "win", "benefit", "appreciate", "thanks", "thank", "promising", "strong"])
_NEG = set(["concern", "concerned", "worry", "worried", "problem", "issue", "issues", "risk", "risky", "expensive", "costly", "slow", "hard", "difficult", "frustrated", "frustrating", "unhappy", "disappointed", "pain", "painful", "blocker", "blocked", "fail", "failed", "failing", "broken", "delay", "delayed", "unclear", "complex", "complicated", "cancel", "churn", "low", "poor", "bad", "not_sure", "doubt", "skeptical", "struggle", "struggling", "budget_cut"])
_NEGATORS = {"not", "no", "never", "don't", "didn't", "isn't", "wasn't", "aren't", "won't", "can't", "without"}
_QUESTION_START = re.compile(r"^(who|what|when|where|why|how|which|can|could|would|will|do|does|did|is|are|"
                             r"should|have|has)\b", re.I)


class SideStats(BaseModel):
    talk_seconds: float = 0.0
    talk_ratio: float = 0.0
    longest_monologue: float = 0.0
    questions: int = 0
    words: int = 0
    fillers: dict[str, int] = Field(default_factory=dict)


class SegmentSentiment(BaseModel):
    start: float
    end: float
    score: float = Field(description="-1 (negative) .. +1 (positive)")
    label: str


class CallAnalytics(BaseModel):
    duration: float
    sides: dict[str, SideStats]
    interactivity: float = Field(description="speaker switches per minute")
    silence_seconds: float
    silence_ratio: float
    customer_sentiment: list[SegmentSentiment] = Field(default_factory=list)
    customer_sentiment_mean: float | None = None


def side_of(seg: Segment) -> str:
    return seg.role or seg.speaker or "unknown"


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.match(text.strip()))


def questions_in(text: str) -> list[str]:
    parts = re.split(r"(?<=[.?!])\s+", text.strip())
    return [p for p in parts if p.endswith("?") or (_QUESTION_START.match(p) and not p.endswith("."))]


def sentiment(text: str) -> float:
    words = re.findall(r"[a-z']+", text.lower())
    score, hits = 0.0, 0
    for i, w in enumerate(words):
        pol = 1 if w in _POS else -1 if w in _NEG else 0
        if not pol:
            continue
        if any(p in _NEGATORS for p in words[max(0, i - 3): i]):
            pol = -pol
        score += pol
        hits += 1
    return 0.0 if not hits else max(-1.0, min(1.0, score / (hits + 1)))


def analyze(segments: list[Segment], duration: float | None = None) -> CallAnalytics:
    segs = sorted(segments, key=lambda s: s.start)
    duration = duration or (max((s.end for s in segs), default=0.0))
    sides: dict[str, SideStats] = {}
    total_talk = sum(max(0.0, s.end - s.start) for s in segs) or 1.0
    prev, run, run_side, switches = None, 0.0, None, 0
    for s in segs:
        side = side_of(s)
        st = sides.setdefault(side, SideStats())
        st.talk_seconds += max(0.0, s.end - s.start)
        st.questions += len(questions_in(s.text))
        low = " " + re.sub(r"[^a-z' ]", " ", s.text.lower()) + " "
        st.words += len(low.split())
        counts = Counter({f: low.count(f" {f} ") for f in FILLERS})
        for f, n in counts.items():
            if n:
                st.fillers[f] = st.fillers.get(f, 0) + n
        if side == run_side:
            run += s.end - s.start
        else:
            if prev is not None:
                switches += 1
            run_side, run = side, s.end - s.start
        st.longest_monologue = max(st.longest_monologue, round(run, 2))
        prev = s
    for st in sides.values():
        st.talk_ratio = round(st.talk_seconds / total_talk, 3)
        st.talk_seconds = round(st.talk_seconds, 2)
    # silence: time covered by no segment
    covered, cursor = 0.0, 0.0
    for s in segs:
        a, b = max(s.start, cursor), s.end
        if b > a:
            covered += b - a
        cursor = max(cursor, s.end)
    silence = max(0.0, duration - covered)
    cust = [SegmentSentiment(start=s.start, end=s.end, score=round(v, 3),
                             label="positive" if v > 0.1 else "negative" if v < -0.1 else "neutral")
            for s in segs if s.role == "customer" for v in [sentiment(s.text)]]
    return CallAnalytics(
        duration=round(duration, 2), sides=sides,
        interactivity=round(switches / (duration / 60), 2) if duration else 0.0,
        silence_seconds=round(silence, 2), silence_ratio=round(silence / duration, 3) if duration else 0.0,
        customer_sentiment=cust,
        customer_sentiment_mean=round(sum(c.score for c in cust) / len(cust), 3) if cust else None,
    )
