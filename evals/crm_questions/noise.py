"""Chat style on top of a rendered question: lower case, fillers, shorthand, and typos.

Typos are swaps of two neighbouring letters (sometimes a dropped letter) in ordinary words of four letters
or more; names (people, teams, products, competitors, accounts) get one only in a small share of questions,
and never their first letter. Numbers, money and period codes (Q3, YTD) are left alone.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

PREFIXES = ["", "", "", "", "hey ", "quick q: ", "can you tell me ", "pls ", "need this for my 1:1 - ",
            "for the forecast call: ", "qq ", "hi, ", "ok so "]
SUFFIXES = ["", "", "", "?", "?", " pls", " asap", " thx", " - need it for the EB review", " for QBR", "??",
            " (for my pipeline review)"]
SHORTHAND = [(r"\bwith\b", "w/", 0.25), (r"\bwithout\b", "w/o", 0.5), (r"\bnumber of\b", "# of", 0.3),
             (r"\bversus\b", "vs", 0.5), (r"\bplease\b", "pls", 0.5), (r"\bopportunities\b", "opps", 0.3),
             (r"\band\b", "&", 0.08), (r"\bthe\b ", "", 0.12)]
KEEP = re.compile(r"^(q[1-4]|ytd|qtd|eoy|eoq|qoq|mom|ae|aes|eb|qbr|w/o?|\d.*|\$.*)$", re.IGNORECASE)


@dataclass
class Noise:
    typos: list[tuple[str, str]] = field(default_factory=list)
    name_typo: bool = False
    lowercased: bool = False


def swap(rng: random.Random, word: str, *, keep_first: bool = True) -> str:
    lo = 1 if keep_first else 0
    letters = [i for i in range(lo, len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()
               and word[i] != word[i + 1]]
    if not letters:
        return word
    i = rng.choice(letters)
    if rng.random() < 0.15 and len(word) > 5:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def name_words(names: list[str]) -> set[str]:
    return {w.lower() for n in names for w in re.findall(r"[A-Za-z]+", n)}


def add_noise(rng: random.Random, text: str, names: list[str], *, typo_rate: float = 0.45,
              name_typo_rate: float = 0.1) -> tuple[str, Noise]:
    """The chat-style question and what was done to it."""
    noise = Noise()
    for pattern, repl, p in SHORTHAND:
        if rng.random() < p:
            text = re.sub(pattern, repl, text, count=1)
    text = (rng.choice(PREFIXES) + text.rstrip("?") + rng.choice(SUFFIXES)).strip()
    text = re.sub(r"\s+", " ", text)
    if rng.random() < 0.75:
        text, noise.lowercased = text.lower(), True
    protected = name_words(names)
    words = text.split(" ")
    plain = [i for i, w in enumerate(words) if len(w.strip("?,.:()'")) >= 4 and not KEEP.match(w.strip("?,.:()'"))
             and w.strip("?,.:()'").lower().removesuffix("'s") not in protected]
    n = 0 if rng.random() > typo_rate else (1 if rng.random() < 0.75 else 2)
    for i in rng.sample(plain, min(n, len(plain))):
        new = swap(rng, words[i])
        if new != words[i]:
            noise.typos.append((words[i], new))
            words[i] = new
    if rng.random() < name_typo_rate:
        named = [i for i, w in enumerate(words) if len(w.strip("?,.:()'")) >= 5
                 and w.strip("?,.:()'").lower().removesuffix("'s") in protected]
        if named:
            i = rng.choice(named)
            new = swap(rng, words[i])
            if new != words[i]:
                noise.typos.append((words[i], new))
                noise.name_typo = True
                words[i] = new
    return " ".join(words), noise
