"""Intent routing: nearest labelled exemplars in embedding space plus keyword cues.

Exemplars are embedded once per embedder; a question's score for an intent is its best cosine
similarity to that intent's exemplars plus a bonus for each strong cue it contains. Cues make the
router usable with weak embedders (the hashing embedder in tests); the embedding carries paraphrases.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from copilot.core.embeddings import Embedder

EXEMPLARS: dict[str, list[str]] = {
    "account_status": [
        "what's going on with Acme?", "give me an update on the Globex account", "what's the latest with Initech",
        "status of the Umbrella account", "brief me on Hooli before my call", "what happened recently with Stark",
        "where do we stand with Wayne Enterprises", "summarize the account Soylent",
    ],
    "champion": [
        "who is the champion at Acme?", "who are our contacts at Globex", "who is the economic buyer at Initech",
        "who should I talk to at Umbrella", "who is the decision maker at Hooli", "who do we know at Stark",
    ],
    "my_deals": [
        "what are my open deals closing this month?", "show my pipeline", "which of my deals close this quarter",
        "list deals in negotiation", "my deals over 50k", "what deals do I have in proposal stage",
        "which deals does my team have closing next month", "open opportunities closing soon",
    ],
    "deal": [
        "tell me about the Acme - Observe deal", "what stage is the Globex deal in", "when does the Initech deal close",
        "what's the next step on the Umbrella renewal", "how big is the Hooli deal",
    ],
    "objection": [
        "how do we handle the price objection?", "the customer says we are too expensive", "they want a discount",
        "how do I respond to security concerns", "they say they will build it themselves",
        "how to handle 'we have no budget this year'", "the prospect worries about integration effort",
        "customer complains about low adoption at renewal",
    ],
    "competitor": [
        "how do we compare to Contoso?", "battle card for Fabrikam", "why do we win against Tailspin",
        "the competitor is cheaper than us", "what are our differentiators versus the incumbent",
        "how do we beat a competitor in a bake-off",
    ],
    "knowledge": [
        "what is our discount policy?", "what does the product do", "which discovery questions should I ask",
        "explain MEDDPICC", "what's in the renewal playbook", "do we have a win story in healthcare",
        "what are the security certifications", "how is pricing structured",
    ],
    "pipeline": [
        "what's our win rate by rep last quarter?", "won revenue in Q2 2017", "average deal size by product",
        "pipeline value by team", "how many deals did we win this year", "sales cycle length by sector",
        "why did our win rate drop?", "revenue by month",
    ],
    "forecast": [
        "what will my team close this quarter?", "forecast for this quarter", "what's our commit number",
        "how much will we land in Q3", "quarter forecast for the company", "are we going to hit the number",
    ],
    "at_risk": [
        "which deals are at risk?", "what deals are slipping", "show stalled deals", "which deals need attention",
        "deals with no next step", "risky deals in my pipeline",
    ],
    "call_summary": [
        "summarize my last call with Acme", "what objections came up in the call with Globex",
        "what were the next steps from the call", "recap the Initech call",
    ],
    "followup": [
        "draft a follow-up email to Acme", "write a follow up after the call with Globex",
        "send a recap email to the customer", "prepare a follow-up for Initech",
    ],
    "roleplay": [
        "I want to practice a discovery call", "start a role play", "let me practise handling a price objection",
        "coach me with a simulated customer",
    ],
    "help": ["what can you do?", "help", "hi", "hello there", "how do I use you"],
}

# "What should I focus on today?", "where should my team spend its time this week", "what are my priorities": the
# asker's own deals that need them first (the at-risk list), never a playbook passage. The question ends at the time
# word, so "what should I focus on in a discovery call" stays a library question.
FOCUS_CUE = (r"\b(?:what|which|where|who)\b[^?.!]{0,30}\bshould (?:i|we|my team|the team)\b[^?.!]{0,12}?\b(?:focus(?: on)?|"
             r"work on|prioriti[sz]e|spend (?:my|our|its|their) time|tackle|chase|do)\b(?: first| next)?"
             r"(?: (?:on |for )?(?:today|tomorrow|tonight|this (?:week|morning|afternoon|month|quarter)|next week|now|"
             r"right now))?\s*\W*$|\b(?:my|my team'?s|our team'?s) (?:top )?priorities\b")
# 'which team needs help', 'which of my reps is struggling': where the risk sits, per team or rep
NEEDS_HELP = (r"\b(?:which|what|who)\b[^?.!]{0,25}\b(?:teams?|reps?|sellers?|people|of (?:my|the|our) (?:team|reps))?\b[^?.!]{0,15}"
              r"\b(?:needs?|could use|would benefit from) (?:(?:the )?most |some |more )?(?:help|attention|coaching|support)\b|"
              r"\b(?:which|what|who)\b[^?.!]{0,25}\b(?:is|are) (?:struggling|falling behind|behind)\b")
CUES: dict[str, list[str]] = {
    "champion": [r"\bchampion", r"decision[- ]maker", r"economic buyer", r"\bcontacts? (at|for)\b", r"who (do we know|should i (talk|speak))"],
    "competitor": [r"\bcompare", r"\bvs\.?\b", r"\bversus\b", r"battle ?card", r"\bcompetit", r"\bagainst\b"],
    "objection": [r"\bobjection", r"\bhandle\b", r"push(es)? back", r"too (expensive|high|pricey)", r"\bdiscount",
                  r"\brespond to\b", r"\bconcern", r"worri", r"build it (themselves|ourselves)",
                  r"what (do|should) i (say|answer|tell)", r"\b(they|customer|buyer|prospect) (says?|thinks?|wants?)\b"],
    "forecast": [r"\bforecast", r"\b(our|my|team'?s?|the) commit\b", r"commit (number|category)",
                 r"\b(my|our|the team'?s?) number\b(?! of\b)", r"\bon (track|pace)\b",
                 r"will (we|my team|i) (close|land)", r"hit (the|our) number", r"best case"],
    "at_risk": [FOCUS_CUE, r"at[- ]risk", r"\b(deals?|opps?|accounts?)\b.*\b(prioriti[sz]e|focus on)\b",
                r"\b(prioriti[sz]e|focus on)\b.*\b(deals?|opps?|accounts?)\b", r"\bslipping", r"\bstall", r"need(s)? attention", r"\brisky\b", r"no next step",
                NEEDS_HELP],
    "pipeline": [r"win rate", r"\brevenue\b", r"average deal", r"deal size", r"cycle (length|time)", r"pipeline value",
                 r"how many deals", r"\bby (rep|team|product|sector|month|quarter|account)\b"],
    "my_deals": [r"\bmy (open )?(deals|pipeline|opportunities)", r"\bopen (deals|opportunities)", r"\bclosing\b",
                 r"deals (in|over|under|above|below)"],
    "account_status": [r"going on with", r"\bupdate on\b", r"\blatest (with|on)\b", r"\bstatus of\b", r"brief me",
                       r"where do we stand", r"where are we (with|on)\b", r"catch me up", r"anything new\b"],
    "call_summary": [r"\bcall with\b", r"\blast call\b", r"\brecap\b.*\bcall\b", r"\bsummari[sz]e\b.*\bcall"],
    "followup": [r"follow[- ]?up(?![- ](?:prompts?|questions?|query|queries)\b)", r"recap email", r"\bdraft\b.*\bemail"],
    "roleplay": [r"role[- ]?play", r"(?<!\bin )(?<!\bbest )\bpracti[cs]e\b(?!s)", r"simulated (customer|buyer)"],
    "help": [r"^\s*(help|hi|hello|hey)\b", r"what can you do"],
}
CUES["knowledge"] = [r"\bpolicy\b", r"\bplaybook\b", r"\bcertification", r"\bwhat does .* do\b", r"\bfaq\b"]
CUES["deal"] = [r"\bthe [\w .&'-]+ deal\b", r"\bdeal (close|stage)", r"next step on\b"]
CUE_BONUS = 0.25


@dataclass(frozen=True)
class Route:
    intent: str
    score: float
    runner_up: str
    margin: float
    cued: frozenset[str] = frozenset()  # intents whose keyword cues the question contains
    ranked: tuple[str, ...] = ()  # every intent, best first


class Router:
    def __init__(self, embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None
        self._labels: list[str] = []

    def _index(self) -> tuple[np.ndarray, list[str]]:
        with self._lock:
            if self._matrix is None:
                labels, texts = [], []
                for intent, examples in EXEMPLARS.items():
                    labels += [intent] * len(examples)
                    texts += examples
                self._matrix = self._embed_cached(texts)
                self._labels = labels
        return self._matrix, self._labels

    def _embed_cached(self, texts: list[str]) -> np.ndarray:
        """The exemplar vectors never change for one embedder: a cold process reads them from disk
        (keyed by the embedder's name and the exemplars' text) instead of embedding ~90 sentences."""
        key = hashlib.sha256(json.dumps([self.embedder.name, texts]).encode()).hexdigest()[:16]
        path = self.cache_dir / f"router-{key}.npy" if self.cache_dir else None
        if path is not None and path.exists():
            with contextlib.suppress(OSError, ValueError):
                cached = np.load(path)
                if cached.shape[0] == len(texts):
                    return cached
        matrix = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        if path is not None:
            with contextlib.suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
                np.save(tmp, matrix)
                os.replace(tmp, path)
        return matrix

    def scores(self, question: str) -> dict[str, float]:
        matrix, labels = self._index()
        q = np.asarray(self.embedder.embed([question])[0], dtype=np.float32)
        sims = matrix @ q / (np.linalg.norm(matrix, axis=1) * (np.linalg.norm(q) or 1.0) + 1e-9)
        best: dict[str, float] = {}
        for label, sim in zip(labels, sims.tolist(), strict=True):
            best[label] = max(best.get(label, -1.0), sim)
        low = question.lower()
        for intent, patterns in CUES.items():
            hits = sum(1 for p in patterns if re.search(p, low))
            if hits:
                best[intent] = best.get(intent, 0.0) + CUE_BONUS * min(hits, 2)
        return best

    def route(self, question: str) -> Route:
        ranked = sorted(self.scores(question).items(), key=lambda kv: kv[1], reverse=True)
        (top, s1), (second, s2) = ranked[0], ranked[1]
        return Route(top, s1, second, s1 - s2, cued=cued_intents(question), ranked=tuple(k for k, _ in ranked))


def cued_intents(question: str) -> frozenset[str]:
    low = question.lower()
    return frozenset(i for i, patterns in CUES.items() if any(re.search(p, low) for p in patterns))
