"""Quoting a long section within a budget: the lines that answer, with the lines around them, in order.

A section is quoted whole when it fits. When it does not, its lines (or, for one huge paragraph, its
sentences) are weighed by the question's words they hold: rarer words in the section count more, and words
the heading path already holds count less. Each line is then worth its own weight plus a share of the
nearest answering line's, fading with distance; the items of a list are worth at least the line that
introduces the list ("... is calculated as follows:"). The lines worth most are kept while the quote fits,
shown in document order with "..." for each gap. An off-topic line longer than ``SHORT_LINE`` is cut to its
first sentence first, so a long list keeps every item.

Why not the best run of whole lines: a section's answer is often two lines far apart ("accept or reject
within 5 business days" at the top of a rules list, the referral rates at the bottom); a run can only
hold one of them. (Figures: docs/ask.md.)
"""

from __future__ import annotations

import math
import re
from collections import Counter

from copilot.core.lang import language
from copilot.offline.terms import query_terms, tokens

# A question that asks for an amount or a time wants the lines that hold a number ("<5 mins", "24 hours").
_QUANTITY = re.compile(r"\b(how (quick|quickly|fast|soon|long|many|much|often|late|early)|when|deadline|sla|"
                       r"within|percent\w*|minimum|maximum|limit|threshold|number|cost|price)\b"
                       r"|多少|几|多久|多长|什么时候|何时|比例|百分|占比|提[升高]到|缩短到|降[低到]", re.I)
_NUMBER = re.compile(r"\d")
SHORT_LINE = 160  # an off-topic line longer than this is shortened to its first sentence
ON_TOPIC = 0.5  # a line is on topic when its question words weigh at least this share of the best line's
GAP = "..."
# A full stop that ends no sentence: a list number ("2. Ask the customer"), an abbreviation, an initial.
_NOT_AN_END = re.compile(r"^\s*(?:[-*+]\s*)?\d{1,3}\.$|(?:^|\s)(?:[A-Za-z]|e\.g|i\.e|vs|approx|incl|esp|dr|mr|"
                         r"ms|mrs|inc|ltd|fig|cf)\.$", re.I)
_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")


def sentences(text: str) -> list[str]:
    """The sentences of a line. '2. Ask the customer. In most cases, it's not!' is two, not three: a list
    number, 'e.g.' or an initial ends no sentence."""
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        piece = text[start:m.start()]
        if piece.strip() and not _NOT_AN_END.search(piece.rstrip()):
            out.append(piece.strip())
            start = m.end()
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


def _first_sentence(line: str) -> str:
    head = sentences(line)[0] if line.strip() else line
    if len(head) > SHORT_LINE:
        head = head[:SHORT_LINE].rsplit(" ", 1)[0]
    return head if head == line.strip() else f"{head} {GAP}"


def _blocks(text: str, budget: int) -> list[str]:
    blocks: list[str] = []
    for line in text.splitlines():
        if len(line) <= budget:
            blocks.append(line)
        else:  # one huge paragraph: its sentences are the blocks
            blocks += sentences(line)
    return blocks


HEADING_SHARE = 0.3  # all batches: 0.894 -> 0.895 (0.6: 0.893)


def _weights(blocks: list[str], question: str, where: str = "") -> list[float]:
    q = set(query_terms(question))
    found = [q & set(tokens(b)) for b in blocks]
    # A question word on every line of the section ("lead" in a section about leads) picks no line, and one its
    # heading path holds picks little: the heading is why the section was chosen ('SDR' and 'promotion' under
    # 'SDR Team > SDR Promotion Process'); the line must answer the rest ('doesn't pass').
    spread = Counter(t for f in found for t in f)
    heading = set(tokens(where))
    weights = [sum(math.log(1 + len(blocks) / spread[t]) * (HEADING_SHARE if t in heading else 1.0) for t in f)
               for f in found]
    if _QUANTITY.search(question):
        weights = [w * 2 if w and _NUMBER.search(b) else w for w, b in zip(weights, blocks, strict=True)]
    return weights


def window(text: str, question: str, budget: int, where: str = "") -> str:
    """``text`` whole if it fits ``budget`` characters, else the lines that answer ``question`` and the lines
    around them, in document order, with "..." for what is left out (see the module's docstring)."""
    if len(text) <= budget:
        return text
    blocks = _blocks(text, budget)
    weights = _weights(blocks, question, where)
    top = max(weights, default=0.0)
    keep = [w >= ON_TOPIC * top > 0 for w in weights]
    if language(text) == "zh" and any(keep):
        # Chinese prose packs a sentence with facts: quote the on-topic sentences themselves, in order.
        out = f" {GAP} ".join(b for b, k in zip(blocks, keep, strict=True) if k)
        return out if len(out) <= budget else out[: budget - 3] + GAP
    values = _values(blocks, weights, keep)  # read on the lines as written: a list's intro ends in ':'
    blocks = [b if k or len(b) <= SHORT_LINE else _first_sentence(b) for b, k in zip(blocks, keep, strict=True)]
    if sum(len(b) + 1 for b in blocks) <= budget + 1:
        return "\n".join(blocks)
    out = _render(blocks, _choose(blocks, values, budget))
    return out if len(out) <= budget else out[: budget - 3].rsplit(" ", 1)[0] + GAP


_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)]|\|)\s")  # a list item or a table row
_NUMBERED = re.compile(r"\s*\d{1,3}[.)]\s")
# A line that introduces what follows ('calculated as follows:', 'key paid features: [trim as needed]').
_INTRO = re.compile(r":\**\s*(?:\[[^\]]*\]|\([^)]*\))?\s*$")
_QUOTED = re.compile(r"^\s*(?:>\s?)+")  # a blockquote's marks: its list is still a list ('> - Code navigation')
CONTEXT = 0.5  # a line next to an answering line is worth this share of that line's weight, halving each line away


def _values(blocks: list[str], weights: list[float], keep: list[bool]) -> list[float]:
    """Each block's worth to the quote. An answering line (``keep``): its question words. Another line: its
    question words plus half the weight of the nearest answering line, halving with each line away (a line
    before an answer counts half as much as one after it, except the item an answer is nested under, which
    counts as much). An item of a list: at least the worth of the line that introduces the list ('... is
    calculated as follows:'), since the list is what that line says."""
    n = len(blocks)
    seed = [w if k else 0.0 for w, k in zip(weights, keep, strict=True)]
    near = [0.0] * n
    for i in range(1, n):
        near[i] = 0.5 * max(seed[i - 1], near[i - 1])
    back = 0.0
    for i in range(n - 2, -1, -1):
        back = 0.5 * max(seed[i + 1], back)
        near[i] = max(near[i], 0.5 * back)
    for i in range(n):  # 'Any exception needs SVP approval' above the nested 'e.g. an unexpected leave'
        parent = _parent(blocks, i) if seed[i] else None
        if parent is not None:
            near[parent] = max(near[parent], 0.5 * seed[i])
    values = [w + (0.0 if k else CONTEXT * x) for w, k, x in zip(weights, keep, near, strict=True)]
    # The line that opened the list we are in: its indent, whether it is an item itself (then its list is the
    # items under it: deeper, or numbered under a bullet), whether it is numbered, and its worth.
    intro: tuple[int, bool, bool, float] | None = None
    bare = [_QUOTED.sub("", b) for b in blocks]
    for i in range(1, n):
        if _INTRO.search(bare[i - 1]):
            prev = bare[i - 1]
            intro = (_indent(prev), bool(_ITEM.match(prev)), _numbered(prev), values[i - 1])
        line = bare[i]
        if not line.strip() and intro is not None:
            continue  # a blank line between a list's intro and its items ('>' alone in a blockquote)
        if intro is not None and _ITEM.match(line) and (
                not intro[1] or _indent(line) > intro[0] or _numbered(line) != intro[2]):
            values[i] = max(values[i], weights[i] + intro[3])
        else:
            intro = None
    return values


def _parent(blocks: list[str], i: int, reach: int = 8) -> int | None:
    """The line an indented item is nested under: the nearest line above it that is indented less."""
    depth = _indent(blocks[i])
    for j in range(i - 1, max(-1, i - 1 - reach), -1):
        if _indent(blocks[j]) < depth:
            return j
    return None


def _numbered(line: str) -> bool:
    return bool(_NUMBERED.match(line))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _choose(blocks: list[str], values: list[float], budget: int) -> set[int]:
    """The blocks worth most to the quote (see ``_values``), taken while the quote still fits."""
    chosen: set[int] = set()
    for i in sorted(range(len(blocks)), key=lambda i: (-values[i], i)):
        if len(_render(blocks, chosen | {i})) <= budget:
            chosen.add(i)
    return chosen


def _render(blocks: list[str], chosen: set[int]) -> str:
    lines: list[str] = []
    last = -1
    for i in sorted(chosen):
        if i != last + 1:
            lines.append(GAP)
        lines.append(blocks[i])
        last = i
    if last < len(blocks) - 1:
        lines.append(GAP)
    return "\n".join(lines)
