"""Conversation analytics from transcript segments: talk ratio, longest monologue, questions,
interactivity, filler words, silence, and customer-side text sentiment.

Sentiment is a small lexicon score of what the *customer* said (with negation); the rep's speech is
never scored for emotion.

Chinese turns get their own cues: questions end with a full-width question mark or a question particle
(吗, 呢) or hold a question word (什么, 怎么, 多少, 哪, 是否); fillers are 嗯, 呃, 那个, 就是说, 然后呢, 对吧;
words are counted as jieba's; sentiment has a Chinese lexicon with 不/没/别 as negators.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, Field

from copilot.core.lang import has_han, segment
from copilot.core.speech import Segment

FILLERS = ("um", "uh", "erm", "hmm", "like", "you know", "i mean", "sort of", "kind of", "basically", "actually")
_POS = set(["great", "good", "love", "like", "excellent", "helpful", "happy", "glad", "impressed", "easy", "value", "valuable", "works", "excited", "interested", "perfect", "useful", "fast", "clear", "confident", "agree", "yes", "sure", "absolutely", "fantastic", "nice", "improve", "improved", "win", "benefit", "appreciate", "thanks", "thank", "promising", "strong"])
_NEG = set(["concern", "concerned", "worry", "worried", "problem", "issue", "issues", "risk", "risky", "expensive", "costly", "slow", "hard", "difficult", "frustrated", "frustrating", "unhappy", "disappointed", "pain", "painful", "blocker", "blocked", "fail", "failed", "failing", "broken", "delay", "delayed", "unclear", "complex", "complicated", "cancel", "churn", "low", "poor", "bad", "not_sure", "doubt", "skeptical", "struggle", "struggling", "budget_cut"])
_NEGATORS = {"not", "no", "never", "don't", "didn't", "isn't", "wasn't", "aren't", "won't", "can't", "without"}
FILLERS_ZH = ("嗯", "呃", "那个", "就是说", "然后呢", "对吧", "这个这个")
_POS_ZH = ("不错", "很好", "喜欢", "满意", "有帮助", "有价值", "方便", "清楚", "认可", "同意", "感兴趣", "期待", "放心",
           "太好了", "好的", "谢谢", "有用", "顺利", "提升")
_NEG_ZH = ("担心", "顾虑", "问题", "风险", "太贵", "贵了", "昂贵", "慢", "困难", "复杂", "麻烦", "失望", "不满", "痛点",
           "卡住", "延迟", "推迟", "取消", "流失", "预算紧", "砍预算", "不确定", "怀疑", "故障", "出错")
_NEGATORS_ZH = ("不", "没", "别", "无")
_QUESTION_ZH = re.compile(r"[？?]|[吗呢](?:[。！…]*$)|什么|怎么|多少|哪|是否|能不能|可不可以|有没有|几")
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
    if has_han(text):
        parts = [p.strip() for p in re.split(r"(?<=[。？！?!；])", text.strip()) if p.strip()]
        return [p for p in parts if _QUESTION_ZH.search(p) and not p.endswith(("。", "！"))]
    parts = re.split(r"(?<=[.?!])\s+", text.strip())
    return [p for p in parts if p.endswith("?") or (_QUESTION_START.match(p) and not p.endswith("."))]


def _sentiment_zh(text: str) -> float:
    score, hits = 0.0, 0
    for lexicon, pol in ((_POS_ZH, 1), (_NEG_ZH, -1)):
        for w in lexicon:
            for m in re.finditer(re.escape(w), text):
                flip = any(n in text[max(0, m.start() - 2): m.start()] for n in _NEGATORS_ZH)
                score += -pol if flip else pol
                hits += 1
    return max(-1.0, min(1.0, score / (hits + 1))) if hits else 0.0


def sentiment(text: str) -> float:
    if has_han(text):
        return _sentiment_zh(text)
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
        if has_han(s.text):
            st.words += len([w for w in segment(re.sub(r"[^\u4e00-\u9fff]", "", s.text)) if w.strip()])
            counts += Counter({f: s.text.count(f) for f in FILLERS_ZH})
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
