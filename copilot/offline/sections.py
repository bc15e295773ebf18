"""Section-level quoting for offline library answers: find the section that answers, quote it whole.

Why sections and not sentences: a handbook answer is usually a list, a table row, a number or a
condition ("valid for 120 days unless..."); picking the two best sentences drops exactly those. So
retrieved chunks are split back into their sections (chunks keep sub-headings as ``## ...`` lines),
each section is scored against the question with BM25 over the retrieved pool plus a heading match,
and the best one is quoted whole up to a budget, with its heading path ("Page > Section > Sub").
A longer section is cut by ``copilot.offline.quoting.window`` to the lines that answer (whole lines:
list items and table rows stay intact).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from copilot.offline.terms import COMMON_SHORT, QUESTION_FORM, SAME, abbreviations, query_terms, tokens

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
MAX_OVERLAP, MIN_OVERLAP = 40, 8  # words a chunk repeats from the one before it (knowledge.chunking.OVERLAP = 30)


@dataclass
class Weights:
    """How much each signal counts in a section's score (set on the dev split of evals/datasets/handbook.yaml)."""

    head: float = 1.5  # a question word in the section's own heading
    context: float = 1.0  # ... in the page title or a parent heading
    coverage: float = 0.5  # share of the question's words found anywhere in the section
    phrase: float = 0.15  # per pair of adjacent question words found adjacent
    prior: float = 0.4  # retrieval rank of the passage: prior / (1 + rank)
    short: float = 0.5  # factor for a section of under 8 words
    quantity: float = 0.15  # the section holds the kind of quantity the question asks for (a duration, a share)
    page: float = 0.5  # the page a question word names alone (its title, and no other page of the pool)


W = Weights()


@dataclass
class Unit:
    """One section of a retrieved passage: where it is, its markdown body, and which passage it came from."""

    title: str
    path: list[str]
    body: str
    passage: int  # index in the search result (its citation)
    rank: int  # retrieval rank of the passage (0 = best)
    source: str = ""
    type: str | None = None
    order: int = 0  # position among the units built from the same search result (document order within a passage)
    score: float = 0.0
    coverage: float = 0.0  # idf-weighted share of the question's words found in the section or its headings
    votes: int | None = None  # rankers that put this section first: keywords, meaning, retrieval (None: unranked)
    dense: float | None = None  # the embedder's question-to-section similarity (None: not compared)
    dense_head: float | None = None  # ... and question-to-heading-path similarity
    terms: Counter[str] = field(default_factory=Counter)
    head_terms: set[str] = field(default_factory=set)  # the section's own heading
    context_terms: set[str] = field(default_factory=set)  # the page title and the parent headings

    @property
    def where(self) -> str:
        """'Page > Section > Sub', without markdown emphasis and without the title twice."""
        return " > ".join(_plain(p) for p in [self.title, *self.own_path])

    @property
    def section(self) -> str:
        return " > ".join(_plain(p) for p in self.own_path)

    @property
    def own_path(self) -> list[str]:
        return self.path[1:] if self.path[:1] == [self.title] else self.path


def _plain(heading: str) -> str:
    return re.sub(r"[*_`]{2,}", "", heading).strip()


def split_units(text: str, section: str) -> list[tuple[list[str], str]]:
    """(heading path, body) for the text before the first sub-heading and for each ``#`` sub-heading."""
    base = [p for p in section.split(" > ") if p] if section else []
    out: list[tuple[list[str], str]] = []
    path, fenced = list(base), False
    buf: list[str] = []
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if m:
            if "\n".join(buf).strip():
                out.append((path, "\n".join(buf).strip()))
            heading = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", m.group(2))  # '## [Values Interview](../x.md)'
            path, buf = base + [p.strip() for p in heading.split(" > ") if p.strip()], []
            continue
        buf.append(line)
    if "\n".join(buf).strip():
        out.append((path, "\n".join(buf).strip()))
    return out


_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^<>\s]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>", re.I)


def clean(markdown: str) -> str:
    """Readable text: links become their text, images, HTML tags, comments and template tags go; lines kept."""
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\{\{[^}]*\}\}", "", text)
    text = re.sub(r"</t[dh]>\s*", " | ", text, flags=re.I)
    text = re.sub(r"</tr>|<br\s*/?>|</p>|</li>", "\n", text, flags=re.I)
    text = re.sub(r"</?strong>", "**", text, flags=re.I)
    text = _AUTOLINK.sub(r"\1", text)  # '<finance@example.com>', '<https://...>': an address, not a tag
    text = re.sub(r"<[^>]+>", "", text)
    lines = []
    for line in text.splitlines():
        spaced = line.expandtabs(4)
        lead = len(spaced) - len(spaced.lstrip())
        # Runs of spaces become one; the indent keeps its depth (a nested list stays nested), at most three deep.
        line = " " * min(3, (lead + 1) // 2) + re.sub(r"[ \t]+", " ", line.strip())
        if re.fullmatch(r"\s*\|?\s*:?-{3,}.*", line):  # markdown table separator row
            continue
        if "|" in line and not line.lstrip().startswith("|"):  # an HTML row: drop the trailing cell mark
            line = re.sub(r"(\s*\|\s*)+$", "", line)
        if line.strip(" |"):
            lines.append(line)
    return "\n".join(lines).strip()


def build_units(passages: list, citations: list, ranks: list[int] | None = None) -> list[Unit]:
    """Every section of every passage, with term counts for scoring; ``ranks``: each passage's retrieval rank.

    A long section is stored as several chunks; the ones retrieved together are joined back into one
    section, so its answer is not cut at a chunk boundary (step 5 of 10 at the end of one chunk).
    """
    units: list[Unit] = []
    for i, (p, cit) in enumerate(zip(passages, citations, strict=True)):
        for path, body in split_units(p.text, p.section or ""):
            units.append(Unit(title=p.title, path=path, body=body, passage=i, rank=ranks[i] if ranks else i,
                              source=cit.source_id, type=p.type, order=len(units)))
    units = join_chunks(units)
    for u in units:
        u.terms = Counter(tokens(u.body))
        own = u.own_path  # a page's opening has no heading of its own
        u.head_terms = set(tokens(own[-1])) if own else set()
        u.context_terms = set(tokens(" ".join([u.title, *own[:-1]])))
    return units


def _overlap(first: str, then: str) -> int:
    """How many leading words of ``then`` repeat the last words of ``first`` (the chunker's overlap), or 0."""
    a, b = first.split(), then.split()
    for n in range(min(len(a), len(b), MAX_OVERLAP), MIN_OVERLAP - 1, -1):
        if a[-n:] == b[:n]:
            return n
    return 0


def _drop_words(text: str, n: int) -> str:
    """``text`` without its first ``n`` words, line breaks kept."""
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    return text[ends[n - 1]:].lstrip() if 0 < n <= len(ends) else text


def join_chunks(units: list[Unit]) -> list[Unit]:
    """Join the parts of one section that sit in consecutive chunks: the later one opens with the last
    words of the earlier one. The joined section keeps the better retrieval rank of its parts."""
    out = list(units)
    joined = True
    while joined:
        joined = False
        for a in out:
            for b in out:
                if a is b or (a.source, a.path) != (b.source, b.path) or a.passage == b.passage:
                    continue
                n = _overlap(a.body, b.body)
                if n:
                    a.body = f"{a.body}\n{_drop_words(b.body, n)}".strip()
                    a.rank = min(a.rank, b.rank)
                    out.remove(b)
                    joined = True
                    break
            if joined:
                break
    return out


def _same(u: Unit) -> None:
    for group in SAME:
        have = [t for t in group if u.terms.get(t)]
        if have:
            n = max(u.terms[t] for t in have)
            for t in group:
                u.terms[t] = max(u.terms[t], n)
        for found in (u.head_terms, u.context_terms):
            if found & group:
                found.update(group)


def _expand(u: Unit, short: dict[str, list[str]]) -> None:
    """Count an abbreviation in a section as the words it stands for, and those words as the abbreviation
    (idempotent). The question keeps its own words, so "PS" weighs as one word, not two."""
    for key, stems in short.items():
        if u.terms.get(key):
            for t in stems:
                u.terms[t] = max(u.terms[t], u.terms[key])
        elif all(u.terms.get(t) for t in stems):
            u.terms[key] = min(u.terms[t] for t in stems)
        for found in (u.head_terms, u.context_terms):
            if key in found:
                found.update(stems)
            elif found.issuperset(stems):
                found.add(key)


def score_units(units: list[Unit], question: str) -> None:
    """Score each section against the question: its own heading, its body (BM25), where it sits, and coverage.

    Document frequencies come from the pool itself: a word every retrieved section shares says nothing
    about which of them answers. The section's own heading weighs most (handbook headings are often the
    question itself: "Can the customer pay by credit card?"); the page title and parent headings pick
    the page but not the section, so they weigh less. Coverage rewards a section that has all of the
    question's words over one that repeats one of them.
    """
    short = {**COMMON_SHORT, **abbreviations([t for u in units for t in (u.title, *u.path, u.body)])}
    q = query_terms(question)
    if not units or not q:
        return
    for u in units:
        _expand(u, short)
        _same(u)
    n = len(units)
    df = Counter(t for u in units for t in set(u.terms) | u.head_terms | u.context_terms if t in q)
    avg = sum(sum(u.terms.values()) for u in units) / n or 1.0
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in q}
    total = sum(idf.values()) or 1.0
    pairs = [f"{a} {b}" for a, b in zip(q, q[1:], strict=False)]
    wants = _wanted_quantity(question)
    form = {t for t in q if t in QUESTION_FORM}  # "how long", "how often": the form of the question, not its topic
    topical = (total - sum(idf[t] for t in form)) or 1.0
    named = _named_pages(units, q)
    for u in units:
        length = sum(u.terms.values())
        match = covered = on_topic = 0.0
        for t in q:
            tf = u.terms.get(t, 0)
            body = tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg)) if tf else 0.0
            match += idf[t] * (body + W.head * (t in u.head_terms) + W.context * (t in u.context_terms))
            if tf or t in u.head_terms or t in u.context_terms:
                covered += idf[t]
                on_topic += 0.0 if t in form else idf[t]
        joined = " ".join(tokens(" ".join([*u.path[-1:], u.body])))
        phrase = sum(1 for pair in pairs if pair in joined)
        u.coverage = on_topic / topical
        u.score = (match + W.coverage * covered) / total + W.phrase * phrase + W.prior / (1 + u.rank)
        if wants and wants.search(u.body):  # 'how long should a trial last': the section that names a duration
            u.score += W.quantity
        if u.source in named:
            u.score += W.page
        if length < 8 and _only_links(u.body):  # a heading with a link under it is not an answer
            u.score *= W.short


def _named_pages(units: list[Unit], q: list[str]) -> set[str]:
    """Pages a question word names alone: it is in the page's title and in no other page of the pool, title or
    text ('greg' for 'Greg README')."""
    pages: dict[str, set[str]] = {}
    titled: dict[str, set[str]] = {}
    for u in units:
        title = set(tokens(u.title))
        for t in set(q):
            if t in title:
                titled.setdefault(t, set()).add(u.source)
            if t in title or u.terms.get(t) or t in u.head_terms or t in u.context_terms:
                pages.setdefault(t, set()).add(u.source)
    return {next(iter(s)) for t, s in titled.items() if len(s) == 1 and pages.get(t) == s}


def _only_links(body: str) -> bool:
    """A body that is links, images or bare URLs and little else ('- [Slides](...)'); 'Not applicable for
    internal candidates.' is short but an answer."""
    rest = re.sub(r"!?\[[^\]]*\]\([^)]*\)|https?://\S+|[-*>|:`]", " ", body)
    return len(rest.split()) < 4


_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s*(?:-\s*\d+\s*)?(?:business |working |calendar )?"
                       r"(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?|quarters?|years?)\b", re.I)
_MONEY = re.compile(r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:k|m|usd|eur|dollars|元|万)\b", re.I)
_SHARE = re.compile(r"\d\s*%|\bpercent", re.I)
_COUNT = re.compile(r"\b\d+\b")


def _wanted_quantity(question: str) -> re.Pattern[str] | None:
    """What a 'how long / how many / what percentage' question wants a section to hold, or None."""
    low = question.lower()
    if re.search(r"\bhow (?:long|soon|quickly|fast|often)\b|\bwithin how\b|\bhow many (?:days|weeks|months|hours)\b"
                 r"|多久|多长时间|几天", low):
        return _DURATION
    if re.search(r"\bpercent|\bwhat share\b|\bhow much of\b|百分|比例", low):
        return _SHARE
    if re.search(r"\bhow much (?:does|do|is|are|will|would|did)\b|\bwhat (?:does|do|will) [\w ]{1,40}\bcost\b|"
                 r"\b(?:list )?price (?:of|for)\b|多少钱|价格|报价", low):
        return _MONEY
    if re.search(r"\bhow many\b|\bminimum\b|\bmaximum\b|\bat least\b|\bat most\b|多少|几个", low):
        return _COUNT
    return None
