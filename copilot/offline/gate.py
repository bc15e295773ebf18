"""The library gate: how likely is a question to ask how things are done (the case library) rather than for records?

Keyword forms (``copilot.offline.forms``) catch the rule questions seen so far; each new batch of real
questions found new ones ("do i get full quota credit on the new deal", "is there an extra field I should
fill in that feeds the forecast"), and the CRM, forecast, health or call handler answered them with
records. The gate reads the question's form instead of listing forms: words outside a closed vocabulary
(function words, the CRM reader's words, a few modal and rule words) become X, numbers N, and a logistic
model over 1-3-grams of that shape, trained by ``evals/library_gate.py`` on the dev splits, gives the
probability. Masking the topic words keeps it from learning one library's subjects.

The engine uses it as a veto only: a question it would send to a record handler goes to the library when
the gate is sure (``LIBRARY_SURE``) and the question names no record. Pure Python, no embedder: it behaves
the same with the hashing embedder of the tests.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

WEIGHTS = Path(__file__).parent / "data" / "library_gate.json"
MAX_N = 3
# At this probability a record handler's question goes to the library. Checked on handbook batches 10-13
# against the generated and hand-written CRM test questions: it caught 9 of the 11 record-handler misroutes
# there while sending 0 of 99 hand-written and 1 of 838 generated CRM questions away (trained on batches 1-9).
LIBRARY_SURE = 0.8
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'&-]*|[?%$]")


def shape(text: str, keep: set[str] | frozenset[str]) -> str:
    """The question's form: kept words as they are, numbers as N, every other word as X."""
    out = []
    for t in _TOKEN.findall(text.lower()):
        t = t.strip("'")
        out.append(t if t in keep else "N" if t[:1].isdigit() else "X")
    return " ".join(out)


@lru_cache(maxsize=1)
def _model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    data["keep"] = frozenset(data["keep"])
    return data


def library_probability(text: str) -> float:
    """0..1: how likely ``text`` (English, as the CRM reader normalized it) asks for a rule, not records."""
    model = _model()
    toks = shape(text, model["keep"]).split()
    grams = {" ".join(toks[i:i + n]) for n in range(1, MAX_N + 1) for i in range(len(toks) - n + 1)}
    z = model["intercept"] + sum(model["grams"].get(g, 0.0) for g in grams)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
