"""Classify a trainee's turn: discovery question about a topic, pitch, objection handling, close, rambling.

Pattern cues decide when they fire (they are precise); embedding similarity to labelled exemplars decides
otherwise and ranks topics when no keyword names one. That combination works with the real MiniLM model
and with the hashing embedder the tests use.

A turn in Chinese is read with Chinese cues (``ZH``): questions end with ？ or 吗 or hold a question word,
open ones ask 什么/怎么/为什么/哪些/谁/多少 or 讲讲, and words are counted as jieba's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from copilot.core.embeddings import Embedder
from copilot.core.lang import has_han, word_count

TOPIC_CUES: dict[str, str] = {
    "impact": r"\bimpact|\bcost(s|ing)? (you|the business|of)|what happens\b|happens (to|when)|changed for|difference (for|to)|at stake|how long does (that|it) take|how often|how much (time|money)"
              r"|consequence|affect(s|ing)? |mean for|hours (a|per)|what does that cost|cost (the|your)",
    "budget": r"\bbudget|what number|expecting to (pay|spend)|\bfund(ed|ing)\b|spend on (this|tools|software)|allocated|price range|afford|set aside|money (set|for)",
    "decision": r"\bdecision|\bdecide|sign(s)?[- ]off|\bsigns\b|approv|who else|stakeholder|buying process"
                r"|final say|who (would|will|needs to) (be involved|sign|approve)|procurement process|involved"
                r"|\bwho (builds|decides|makes|owns|approves|has the)",
    "timeline": r"\btimeline|by when|deadline|go[- ]live|when do you need|time ?frame|urgen|when (would|does) (this|it)",
    "competition": r"other (vendors|options|tools)|alternatives|evaluating|competitor"
                   r"|comparing|looking at anyone",  # and the competitors' names, given per turn
    "pain": r"challeng|problem|\bpain|struggl|frustrat|not working|\bissues?\b|broken|keeps you up|hardest|prompted"
            r"|driving|why now|behind (the|this|that)|going wrong|\bbreak|made you|led you|caught your|brought you"
            r"|in the first place",
    "success": r"success|look like|criteria|measure|\bkpis?\b|\bgoals?\b|win for you",
    "adoption": r"adoption|usage|\busing\b|rolled out|onboard|\bused\b",
    "integration": r"integrat|connect|\bapis?\b|\bstack\b|snowflake|warehouse|engineering (time|effort)",
    "security": r"security|hipaa|compliance|\baudit|soc ?2|privacy|\bphi\b",
    "current": r"\btoday\b|currently|current (setup|process|stack|tool)|how do you (handle|do|manage)|walk me through",
}

TOPIC_EXEMPLARS: dict[str, list[str]] = {
    "pain": ["What is the biggest challenge your team faces with data pipelines?",
             "What's not working in your current process?"],
    "impact": ["What does that problem cost the business each quarter?",
               "How does that affect your team's ability to deliver?"],
    "budget": ["How much have you set aside for this project?", "Is there funding allocated for this?"],
    "decision": ["Who else needs to sign off on this?", "How does your team make purchasing decisions?"],
    "timeline": ["When do you need this in place?", "What deadline are you working against?"],
    "competition": ["Which other vendors are you evaluating?", "What alternatives are you considering?"],
    "success": ["What would success look like for you in six months?"],
    "current": ["How do you handle this today?", "Walk me through your current setup."],
    "adoption": ["How many of your teams are actively using the product?"],
    "integration": ["What does your data stack look like?"],
    "security": ["What does your security review process involve?"],
}

ACT_EXEMPLARS: dict[str, list[str]] = {
    "pitch": ["Our platform gives you end-to-end lineage and automated monitoring out of the box.",
              "Let me tell you about our features and dashboards."],
    "value": ["Customers like you cut incident time in half, which paid back the license in four months.",
              "If you save ten engineer hours a week, that's well above the price."],
    "discount": ["I can give you twenty percent off if you sign this week.", "Let me knock the price down for you."],
    "close": ["Can we book the technical demo for next Tuesday at 10am?", "Let's schedule the next step."],
    "small_talk": ["Thanks for making the time today.", "How was your weekend?"],
}

_Q_OPEN = re.compile(r"^\s*((and|so|but|then|okay|ok|great|right),? )?(what|how|why|walk me|tell me|describe|help me understand|which|who|when|where"
                     r"|talk me|could you walk|can you walk|can you tell|could you tell|can you describe)\b", re.I)
_Q_OPEN_LATE = re.compile(r"[,;:]\s*(so |and |but )?(what|how|why|who|which|walk me|tell me)\b", re.I)
_Q_CLOSED = re.compile(r"^\s*(do|does|did|is|are|was|were|can|could|would|will|have|has|had|should|any)\b", re.I)
_PITCH = re.compile(r"\bour (platform|product|solution|tool|software|suite)|\bwe (offer|provide|have a|"
                    r"support|give you)|\bfeatures?\b|\bout of the box\b|\bbest[- ]in[- ]class\b|\bnew (version|release|feature)"
                    r"|we (just )?released|our (new|latest)\b", re.I)
_VALUE = re.compile(r"\broi\b|return on|\bpay(s|back| for itself)|\bsav(e|es|ed|ing|ings)\b|\bvalue\b|cost of "
                    r"(doing nothing|inaction|waiting|the problem|downtime)|case study|customers? (like you|such as)"
                    r"|\breference\b|\bhours\b|\bresults?\b|outcome|\bbusiness case\b|\brisk\b|\bcompar|doesn't do|can't (do|trace)"
                    r"|\bunlike\b|versus|costs? (far |much )?more|worth more|closed the same", re.I)
_NO_DISCOUNT = re.compile(r"(rather not|won't|not going to|instead of|rather than|than) (a )?(cut|discount|drop|lower)", re.I)
_DISCOUNT = re.compile(r"discount|% off|percent off|(lower|cut|drop|reduce|knock)\w* (the |our )?(price|cost|number)"
                       r"|price (cut|break)|free (month|year|licen)|throw in|special price|best price", re.I)
_CLOSE = re.compile(r"next step|schedule|\bbook\b|calendar|\binvite\b|set up (a|the)|\bsign\b|\bpilot\b|move forward"
                    r"|\bmeet again\b|follow[- ]up (call|meeting)|put (something|time) (in|on)|lock in|kick ?off", re.I)
_DATE = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|tomorrow|next week|this week|\d{1,2}(:\d\d)?\s?(am|pm)"
                   r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}|\d{1,2}(st|nd|rd|th)\b"
                   r"|end of (the )?(week|month))", re.I)
_PROPOSE = re.compile(r"\b(can|could|shall|should) we\b|\blet's\b|\bhow about\b|would (you|it) (be open|work)|are you (free|open)"
                      r"|work for you|i'll send (the|an|a calendar) invite|\bpencil\b|\bjust sign\b", re.I)
_PRESSURE = re.compile(r"\bjust (sign|commit|give|say yes|agree)|\btoday only\b|sign (it )?today|right now|"
                       r"\bexpires\b|only if you sign|if you sign (this|today)", re.I)


# Chinese cues, the same roles as the English patterns above.
TOPIC_CUES_ZH: dict[str, str] = {
    "impact": r"影响|代价|损失|意味着|多少时间|多少钱|后果|带来了什么|耽误|花了多少",
    "budget": r"预算|资金|经费|拨款|打算投入|价格区间|花多少|准备了多少",
    "decision": r"决策|拍板|签字|审批|还有谁|哪些人参与|谁(?:来)?(?:决定|批准|负责)|采购流程|谁说了算",
    "timeline": r"时间表|什么时候(?:需要|要|上线|用上)|截止|上线时间|期限|时间节点|多久(?:要|需要)",
    "competition": r"其他(?:厂商|供应商|方案|产品|家)|竞品|在看(?:哪些|别的)|评估(?:了)?(?:哪些|别的)|还看了",
    "pain": r"挑战|问题|痛点|困难|难题|头疼|为什么现在|起因|出了什么|卡在|最难|不满意",
    "success": r"成功|指标|衡量|目标|KPI|效果|怎样算好",
    "adoption": r"使用率|在用|推广|用得|使用情况",
    "integration": r"集成|对接|接口|技术栈|数据仓库|工程(?:时间|投入|量)",
    "security": r"安全|合规|审计|隐私|等保|SOC ?2|HIPAA",
    "current": r"现在(?:是)?怎么|目前(?:是)?(?:怎么|如何)|现有|现在的流程|平时怎么|讲讲|介绍一下(?:现在|目前)",
}
_Q_ZH = re.compile(r"[？?]\s*$|[吗呢]\s*[。]?\s*$|什么|怎么|怎样|如何|为什么|哪些|哪个|哪位|谁|多少|几|讲讲|说说|介绍一下|是否")
_Q_OPEN_ZH = re.compile(r"什么|怎么|怎样|如何|为什么|哪些|哪个|哪位|谁|多少|讲讲|说说|介绍一下|具体")
_Q_CLOSED_ZH = re.compile(r"^(?:(?!什么|怎么|怎样|如何|为什么|哪些|哪个|谁|多少|讲讲|说说).)*(?:吗|是不是|有没有|能不能|会不会|对不对)[？?。]?\s*$")
_PITCH_ZH = re.compile(r"我们的(?:平台|产品|方案|解决方案|工具|软件|套件)|我们(?:提供|支持|有一个|能做到)|功能|开箱即用|业界领先"
                       r"|最新版本|新功能")
_VALUE_ZH = re.compile(r"投资回报|ROI|回本|节省|省下|价值|案例|像您这样的客户|参考客户|小时|成效|商业论证|风险|不像|相比|对比"
                       r"|回报", re.I)
_NO_DISCOUNT_ZH = re.compile(r"(?:不|没有?)(?:打算|准备|会)?(?:打折|降价|让价)|而不是(?:打折|降价)")
_DISCOUNT_ZH = re.compile(r"折扣|打折|打个?[\d一二三四五六七八九]+(?:\.\d)?折|优惠|便宜(?:一点|些|点)|降价|让利|减免|免费(?:一个月|一年|赠送)|特价|最低价")
_CLOSE_ZH = re.compile(r"下一步|安排|(?<!大)约(?!束|定俗)|预约|日历|邀请|签(?:约|合同)|试点|推进|再(?:聊|见面|开会|沟通)|跟进会|锁定|启动")
_DATE_ZH = re.compile(r"周[一二三四五六日]|星期[一二三四五六日天]|明天|后天|下周|本周|这周|\d{1,2}\s*点|\d{1,2}月\d{1,2}[日号]|月底|周末")
_PROPOSE_ZH = re.compile(r"我们(?:可以|能不能|要不要)|要不要|怎么样|方便吗|可以吗|行吗|有空吗|您看|好不好")
_PRESSURE_ZH = re.compile(r"今天(?:就)?签|马上签|现在就(?:签|定)|只有今天|就要过期|错过(?:就)?没有")


@dataclass
class TurnAct:
    """What the trainee did in one turn."""

    act: str  # discovery | pitch | value | discount | close | rambling | small_talk | statement
    topics: list[str] = field(default_factory=list)
    open_question: bool = False
    question: bool = False
    dated: bool = False
    pressure: bool = False
    words: int = 0
    value_cues: bool = False
    discount_cues: bool = False
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def topic(self) -> str | None:
        return self.topics[0] if self.topics else None


def _cos(a: list[float], b: list[float]) -> float:
    num = sum(x * y for x, y in zip(a, b, strict=False))
    den = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0
    return num / den


def _questions(text: str) -> list[str]:
    if has_han(text):
        parts = [p.strip() for p in re.split(r"(?<=[。？！?!；])", text.strip()) if p.strip()]
        return [p for p in parts if _Q_ZH.search(p) and not p.endswith(("。", "！"))]
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return [p for p in parts if p.endswith("?") or _Q_OPEN.match(p) and len(p.split()) > 2]


def names_pattern(names: Iterable[str | None]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive match of any of ``names`` (company or competitor names from the data)."""
    parts = sorted({re.escape(n.strip()) for n in names if n and len(n.strip()) > 1}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.I) if parts else None


def brand_words(company: str) -> list[str]:
    """The company's name and its first word ("Acme" for "Acme Analytics"), which reps say when they pitch."""
    words = company.split()
    first = words[0] if words and len(words[0]) >= 4 and words[0].lower() != "the" else None
    return [n for n in (company.strip(), first) if n]


class TurnClassifier:
    """Embeds the exemplars once (lazily) and classifies turns; one per embedder.

    ``company`` is the seller's name: saying it is a pitch cue. Competitor names come per turn, from the
    scenario, since they are the buyer's and differ by persona.
    """

    def __init__(self, embedder: Embedder, *, company: str = "") -> None:
        self.embedder = embedder
        self._brand = names_pattern(brand_words(company))
        self._topic_vecs: dict[str, list[list[float]]] | None = None
        self._act_vecs: dict[str, list[list[float]]] | None = None

    def _ensure(self) -> None:
        if self._topic_vecs is not None:
            return
        labels = [(k, t) for k, ts in TOPIC_EXEMPLARS.items() for t in ts]
        acts = [(k, t) for k, ts in ACT_EXEMPLARS.items() for t in ts]
        vecs = self.embedder.embed([t for _, t in labels] + [t for _, t in acts])
        self._topic_vecs, self._act_vecs = {}, {}
        for (k, _), v in zip(labels, vecs[: len(labels)], strict=True):
            self._topic_vecs.setdefault(k, []).append(v)
        for (k, _), v in zip(acts, vecs[len(labels):], strict=True):
            self._act_vecs.setdefault(k, []).append(v)

    def _nearest(self, vec: list[float], table: dict[str, list[list[float]]]) -> dict[str, float]:
        return {k: max(_cos(vec, v) for v in vs) for k, vs in table.items()}

    def _pitches(self, text: str) -> int:
        return len(_PITCH.findall(text)) + len(_PITCH_ZH.findall(text)) + (len(self._brand.findall(text)) if self._brand else 0)

    def classify(self, text: str, *, competitors: Iterable[str | None] = ()) -> TurnAct:
        """What the turn does; ``competitors`` are names that make a question about the competition."""
        text = (text or "").strip()
        zh = has_han(text)
        words = word_count(text)
        questions = _questions(text)
        low = text.lower()
        rivals = names_pattern(competitors)
        named_rival = rivals is not None and any(rivals.search(q) for q in questions)
        cues = TOPIC_CUES_ZH if zh else TOPIC_CUES
        topics = [t for t, pat in cues.items() if any(re.search(pat, q.lower()) for q in questions)
                  or t == "competition" and named_rival]
        if zh:
            act = TurnAct(act="statement", words=words, question=bool(questions),
                          open_question=any(_Q_OPEN_ZH.search(q) and not _Q_CLOSED_ZH.match(q) for q in questions),
                          dated=bool(_DATE_ZH.search(text)), pressure=bool(_PRESSURE_ZH.search(text)),
                          value_cues=bool(_VALUE_ZH.search(text)),
                          discount_cues=bool(_DISCOUNT_ZH.search(text)) and not _NO_DISCOUNT_ZH.search(text))
        else:
            act = TurnAct(act="statement", words=words, question=bool(questions),
                          open_question=any(_Q_OPEN.match(q) and not _Q_CLOSED.match(q) or _Q_OPEN_LATE.search(q)
                                            for q in questions),
                          dated=bool(_DATE.search(text)), pressure=bool(_PRESSURE.search(text)),
                          value_cues=bool(_VALUE.search(text)),
                          discount_cues=bool(_DISCOUNT.search(text)) and not _NO_DISCOUNT.search(text))
        if not text:
            return act
        self._ensure()
        assert self._topic_vecs is not None and self._act_vecs is not None
        vec = self.embedder.embed([text])[0]
        act.scores = self._nearest(vec, self._act_vecs)
        if act.discount_cues:
            act.act = "discount"
        elif (_CLOSE_ZH if zh else _CLOSE).search(low) and (act.dated or act.pressure or (_PROPOSE_ZH if zh else _PROPOSE).search(low)):
            act.act = "close"
        elif questions and (topics or act.open_question):
            act.act = "discovery"
            if not topics:
                qvec = self.embedder.embed([" ".join(questions)])[0]
                near = self._nearest(qvec, self._topic_vecs)
                best = max(near, key=lambda k: near[k])
                if near[best] >= 0.35:
                    topics = [best]
        elif words > 75 and not questions:
            act.act = "rambling"
        elif act.value_cues and self._pitches(text) < 2:
            act.act = "value"
        elif self._pitches(text):
            act.act = "pitch"
        elif questions:
            act.act = "discovery"
        else:
            best = max(act.scores, key=lambda k: act.scores[k])
            act.act = best if act.scores[best] >= 0.55 else "statement"
        act.topics = topics
        return act
