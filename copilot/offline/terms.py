"""Words of library sections and questions: tokens, a crude stemmer, stopwords, and the shorthand and
same-meaning words that let a question match a section written in other words. Used by ``sections``
(scoring and quoting) and ``competitors``."""

from __future__ import annotations

import re

from copilot.core.lang import HAN, HAN_RUN, ZH_STOP, segment

_WORD = re.compile(rf"[a-z0-9]+(?:[.,/-][a-z0-9]+)*|[{HAN}]+")
STOP = frozenset(["a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were", "be", "been", "being", "with", "how", "do", "does", "did", "done", "we", "i", "you", "our", "my", "your", "what", "which", "who", "whom", "when", "where", "why", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "it", "its", "this", "that", "these", "those", "they", "them", "their", "there", "here", "about", "at", "as", "by", "from", "into", "out", "up", "if", "so", "not", "no", "any", "all", "some", "me", "us", "he", "she", "his", "her", "than", "then", "also", "just", "get", "got", "have", "has", "had", "need", "needs", "want", "wants", "tell", "give", "show", "please", "know", "let", "like", "much", "many", "what's", "whats", "hows", "how's", "there's", "vs", "versus", "between", "more", "most", "other", "another", "same", "such", "only", "very", "through", "via"]) | ZH_STOP


def stem(word: str) -> str:
    """A crude, symmetric stemmer: strip one common ending, keep at most seven letters.

    'migrate', 'migrating' and 'migration' all give 'migrat'; 'implement' and 'implementation' give
    'impleme'. It over-conflates a little ('strategy', 'strategic'), which costs less here than a miss.
    """
    w = word.lower()
    if not w.isalpha() or len(w) <= 3:
        return w
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith("ss")):
            w = w[: len(w) - len(suffix)] + repl
            break
    return w[:7]



_SUFFIXES = (("ings", ""), ("ations", "at"), ("ation", "at"), ("ating", "at"), ("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("e", ""))


_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"])}
# A number word that numbers a step of something ('week one', 'Week Two', 'stage three'): the number. Not 'one'
# alone ('one of my SDRs'), nor ordinals ('third week' read as 3 cost 2.5 points on three batches).
_COUNTED = re.compile(r"\b(weeks?|days?|months?|stages?|steps?|phases?|tiers?|levels?|parts?)\s+("
                      + "|".join(_NUMBER_WORDS) + r")\b")


def words(text: str) -> list[str]:
    """Lower-case words and whole numbers ('5', '120', '3.5'); 'closed/won' and 'multi-year' give two words;
    a numeric ordinal is its number ('3rd week' meets 'Week 3'), and so is a number word after a step's name
    ('week one' meets 'Week 1')."""
    out = []
    low = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", r"\1", text.lower())
    low = _COUNTED.sub(lambda m: f"{m.group(1)} {_NUMBER_WORDS[m.group(2)]}", low)
    for tok in _WORD.findall(low):
        if HAN_RUN.match(tok):  # Chinese: jieba's words
            out += segment(tok)
            continue
        out += [p for p in re.split(r"[/-]", tok) if p] if not re.fullmatch(r"[\d.,]+", tok) else [tok]
    return out


def tokens(text: str) -> list[str]:
    """Stems of the content words ('notes' gives 'not', which must not meet the stopword 'not')."""
    return [stem(w) for w in words(text) if w not in STOP]


def query_terms(question: str) -> list[str]:
    """Stems of a question's content words, in order, without repeats."""
    seen: dict[str, None] = {}
    for w in words(question):
        if w not in STOP and (len(w) > 1 or w.isdigit()):
            seen.setdefault(stem(w), None)
    return list(seen)


# Words that give a question its form rather than its topic ("how long", "how often", "how quickly"):
# a section answers "how long is a quote valid" by holding "quote" and "valid", not "long".
QUESTION_FORM = frozenset(stem(w) for w in ("long", "often", "soon", "fast", "quick", "quickly", "late", "early"))


_DEFINED = re.compile(r"((?:[\w&'-]+\s+){1,8})\(([A-Z][A-Za-z&]{1,5})\)")


def abbreviations(texts: list[str]) -> dict[str, list[str]]:
    """Abbreviations the texts define, as the stems of what they stand for: "Professional Services (PS)"
    gives {"ps": ["profess", "servic"]}, "Rules of Engagement (ROE)" gives {"roe": ["rule", "engagem"]}.

    The library's own definitions, so a question that says "PS" finds "Professional Services" and one
    that spells it out finds the sections that only say "PS".
    """
    out: dict[str, list[str]] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            abbr = m.group(2)
            letters = abbr[:-1] if abbr.endswith("s") and abbr[:-1].isupper() else abbr
            key = stem(abbr.lower())
            if key in STOP or key in out or not letters.isupper():
                continue
            before = m.group(1).split()
            for k in range(len(letters), len(before) + 1):
                phrase = before[-k:]
                heads = "".join(w[0] for w in phrase).upper()
                content = "".join(w[0] for w in phrase if w.lower() not in STOP).upper()
                if letters.upper() in (heads, content) and phrase[0][0].upper() == letters[0]:
                    out[key] = tokens(" ".join(phrase))
                    break
    return out


# Business shorthand people type and pages spell out (or the other way round): "demand gen" for "Demand
# Generation", "sales ops" for "Sales Operations". The library's own "(PS)" definitions come on top.
COMMON_SHORT: dict[str, list[str]] = {stem(k): tokens(v) for k, v in {
    "gen": "generation", "ops": "operations", "mgmt": "management", "mgr": "manager", "eng": "engineering",
    "mktg": "marketing", "exec": "executive", "execs": "executives", "reqs": "requirements", "req": "requirement",
    "docs": "documentation", "doc": "document", "admin": "administrator", "info": "information",
    "config": "configuration", "env": "environment", "prod": "production", "perf": "performance",
    "biz": "business", "dev": "developer", "devs": "developers", "rev": "revenue", "acct": "account",
    "comp": "compensation", "onboard": "onboarding", "approvals": "approval", "impl": "implementation",
    # sales roles and objects; the library's own "(XX)" definitions win over these
    "ae": "account executive", "aes": "account executives", "sdr": "sales development representative",
    "bdr": "business development representative", "csm": "customer success manager", "ce": "customer engineer",
    "poc": "proof of concept", "eb": "economic buyer", "qbr": "quarterly business review",
    "opp": "opportunity", "opps": "opportunities", "sfdc": "salesforce", "pipe": "pipeline",
    "intro": "introduction", "intros": "introductions", "mtg": "meeting", "mtgs": "meetings", "convo": "conversation",
    "eval": "evaluation", "evals": "evaluations",
    # technical shorthand a seller types: 'certs', 'k8s', 'infra'
    "cert": "certificate", "certs": "certificates", "k8s": "kubernetes", "infra": "infrastructure",
    "auth": "authentication",
}.items()}


# Words a question and a heading use for the same thing ("lawyer" / "attorney", "tools" / "tech stack",
# "pros" / "strengths"): a section holding one counts as holding the others. Kept small and generic.
SAME: list[frozenset[str]] = [frozenset(stem(w) for w in group) for group in (
    ("lawyer", "attorney", "counsel"), ("tools", "stack", "software"), ("pros", "strengths", "advantages"),
    ("cons", "weaknesses", "drawbacks", "disadvantages", "limitations"), ("extend", "extension", "extensions"),
    ("determine", "identify", "detect", "check"), ("buy", "purchase", "procure"),
    ("trial", "poc", "pilot"), ("contract", "agreement"), ("notify", "inform", "email"),
    ("eligible", "eligibility", "qualify", "requirements"), ("choose", "select", "selection", "pick"),
)]
