"""Right or wrong: an Answer (as a dict: text, data, confidence, notes) against a gold answer.

- value: ``data.crm.value`` within 0.5% (counts exact; a rate may be 0.43 or 43) AND the figure appears in
  the text, in any usual format ($1,234,567, $1.2M, 850k, 43%, 43.5 %, 76 days);
- rows: the same groups with the same values; top-N: the same ordered top groups (ties at equal values
  accepted), and for "which one leads" the winner named in the text;
- records: the same set of ids when everything matched is shown, else the same total with only matching
  records shown; ordered lists (largest N) by position, ties accepted;
- refused (execs): refused (a note with 'refused', or the text says it cannot show) with no records, no
  figure and, for a narrow filter, not the hidden figure in the text.
An answer without ``data.crm`` is wrong unless a refusal was expected and it refused, or the filters only
matched records outside the asker's scope (gold ``scoped_out``) and it refused to show them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from evals.crm_questions.numbers import date_in_text, number_in_text

TOLERANCE = 0.005
EXACT = {"count", "activity_count"}
REFUSAL = re.compile(r"\brefus|\bcan(?:'|no|’)?t (?:show|share|list|give|provide|break|reveal)"
                     r"|\bcannot (?:show|share|list|give|provide|reveal)|\bnot able to (?:show|share)"
                     r"|\bunable to (?:show|share)|\bnot (?:allowed|permitted) to|\btoo few\b", re.IGNORECASE)


@dataclass
class Verdict:
    correct: bool
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def close(a: Any, b: Any, metric: str) -> bool:
    """Two figures agree: exact for counts, 0.5% otherwise; a rate may be given as a fraction or percent."""
    if a is None or b is None:
        return a is None and b is None
    if metric == "last_touch":
        return str(a)[:10] == str(b)[:10]
    try:
        x, g = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if metric in EXACT:
        return round(x) == round(g) and abs(x - round(x)) < 1e-9
    if metric in ("win_rate", "loss_rate") and g <= 1 and x > 1.0001:
        x /= 100
    return abs(x - g) <= TOLERANCE * abs(g) + 1e-9


def label(text: Any) -> str:
    """A group label in a comparable form: 'Q4 2026' / '2026-Q4' -> '2026q4', 'Nov 2026' -> '2026-11'."""
    s = str(text if text is not None else "none").strip().lower()
    if s in ("", "none", "null", "(none)", "unknown", "n/a", "-", "—", "no competitor", "(blank)", "unassigned"):
        return "none"
    m = re.fullmatch(r"(?:q([1-4])[\s\-/']*(\d{4})|(\d{4})[\s\-/]*q([1-4]))", s)
    if m:
        return f"{m.group(2) or m.group(3)}q{m.group(1) or m.group(4)}"
    d = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", s)
    if d:
        return f"{d.group(1)}-{int(d.group(2)):02d}"
    for i, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1):
        mm = re.fullmatch(rf"{name}[a-z]*\.?[\s,]*(\d{{4}})", s)
        if mm:
            return f"{mm.group(1)}-{i:02d}"
    return re.sub(r"[^a-z0-9-]+", "", s.replace("_", " "))


def same_group(answer: Any, gold: str) -> bool:
    a, g = label(answer), label(gold)
    return a == g or (len(a) >= 4 and (g.endswith(a) or a.endswith(g)))


def refused(answer: dict[str, Any]) -> bool:
    notes = " ".join(str(n) for n in answer.get("notes") or [])
    return "refused" in notes.lower() or bool(REFUSAL.search(answer.get("text") or ""))


def _crm(answer: dict[str, Any]) -> dict[str, Any] | None:
    crm = (answer.get("data") or {}).get("crm")
    return crm if isinstance(crm, dict) else None


def score(answer: dict[str, Any], gold: dict[str, Any], comp: dict[str, Any], *, asker_name: str = "") -> Verdict:
    crm = _crm(answer)
    kind = gold["kind"]
    if kind == "refused":
        return _refusal(answer, crm, gold)
    if gold.get("scoped_out") and refused(answer) and not (crm and (crm.get("records") or crm.get("value"))):
        return Verdict(True, "refused: outside the asker's scope")
    if crm is None:
        return Verdict(False, "no data.crm in the answer")
    metric = comp.get("metric", "list")
    if kind == "value":
        return _value(answer, crm, gold, metric)
    if kind == "rows":
        return _rows(answer, crm, gold, metric, asker_name)
    return _records(crm, gold)


def also_answered(answer: dict[str, Any], gold: dict[str, Any], comp: dict[str, Any]) -> bool:
    """A further part of a multi-part question: its figure is in the text (or, for an exec, it was refused)."""
    text = answer.get("text") or ""
    if gold["kind"] == "refused":
        return refused(answer)
    if gold["kind"] != "value" or gold["value"] is None:
        return True
    if comp.get("metric") == "last_touch":
        return date_in_text(text, date.fromisoformat(str(gold["value"])[:10]))
    return number_in_text(text, float(gold["value"]), comp.get("metric", "count"))


def _refusal(answer: dict[str, Any], crm: dict[str, Any] | None, gold: dict[str, Any]) -> Verdict:
    if not refused(answer):
        return Verdict(False, f"should be refused ({gold['reason']})")
    if crm and (crm.get("records") or crm.get("value") is not None or crm.get("rows")):
        return Verdict(False, "refused but still carries figures or records")
    hidden = gold.get("hidden")
    if isinstance(hidden, int | float) and hidden and number_in_text(answer.get("text") or "", float(hidden), "sum"):
        return Verdict(False, "refused but the text holds the hidden figure")
    return Verdict(True, "refused")


def _value(answer: dict[str, Any], crm: dict[str, Any], gold: dict[str, Any], metric: str) -> Verdict:
    got, want = crm.get("value"), gold["value"]
    if want is None:
        return Verdict(got is None, "" if got is None else f"expected no figure, got {got}")
    if got is None and metric in EXACT | {"sum", "pipeline"} and want == 0:
        got = 0
    if not close(got, want, metric):
        return Verdict(False, f"value {got} != {want}", {"got": got, "want": want})
    text = answer.get("text") or ""
    if metric == "last_touch":
        ok = date_in_text(text, date.fromisoformat(str(want)[:10]))
    else:
        ok = number_in_text(text, float(want), metric)
    return Verdict(ok, "" if ok else f"{want} not in the text")


def _match_rows(got_rows: list[dict[str, Any]], gold_rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for i, g in enumerate(gold_rows):
        for r in got_rows:
            if same_group(r.get("group"), g["group"]) and not any(r is o for o in out.values()):
                out[i] = r
                break
    return out


def _me_rest(rows: list[dict[str, Any]], asker_name: str) -> list[dict[str, Any]]:
    """Label an answer's two me-vs-rest rows 'me' and 'rest' (by their words, else by position)."""
    out = []
    for i, r in enumerate(rows[:2]):
        s = str(r.get("group", "")).lower()
        if re.search(r"\b(me|you|mine|yours)\b", s) or (asker_name and asker_name.lower() in s):
            g = "me"
        elif re.search(r"rest|other|team|everyone|peers", s):
            g = "rest"
        else:
            g = ("me", "rest")[i]
        out.append({**r, "group": g})
    return out


def _rows(answer: dict[str, Any], crm: dict[str, Any], gold: dict[str, Any], metric: str, asker_name: str) -> Verdict:
    got = [r for r in crm.get("rows") or [] if isinstance(r, dict)]
    if gold.get("compare") == ["me_vs_rest"]:
        got = _me_rest(got, asker_name)
    if gold.get("limit"):
        return _top(answer, got, gold, metric)
    want = gold["rows"]
    if gold.get("compare"):
        want = [w for w in want if not w.get("suppressed")]
        got = [r for r in got if r.get("value") is not None or not r.get("suppressed")]
    matched = _match_rows(got, want)
    missing = [w["group"] for i, w in enumerate(want) if i not in matched
               and not (gold.get("compare") and w["n"] == 0)]
    if missing:
        return Verdict(False, f"missing groups {missing[:3]}")
    extra = [r.get("group") for r in got if not any(r is m for m in matched.values())
             and not (r.get("value") in (0, None) and gold.get("compare"))]
    if extra:
        return Verdict(False, f"unexpected groups {extra[:3]}")
    for i, w in matched.items():
        if not close(matched[i].get("value"), w["value"], metric):
            return Verdict(False, f"{w['group']}: {matched[i].get('value')} != {w['value']}")
    return Verdict(True)


def _top(answer: dict[str, Any], got: list[dict[str, Any]], gold: dict[str, Any], metric: str) -> Verdict:
    ranked = gold.get("ranked") or gold["rows"]
    n = min(gold["limit"], len(ranked))
    if len(got) < n:
        return Verdict(False, f"{len(got)} groups, expected {n}")
    for i, r in enumerate(got[:n]):
        own = next((w for w in ranked if same_group(r.get("group"), w["group"])), None)
        if own is None:
            return Verdict(False, f"group {r.get('group')!r} not in the answer set")
        if not close(r.get("value"), own["value"], metric) or not close(own["value"], ranked[i]["value"], metric):
            return Verdict(False, f"position {i + 1}: {r.get('group')} {r.get('value')} (expected {ranked[i]['group']} "
                                  f"{ranked[i]['value']})")
    if n == 1 and not named_in_text(str(got[0].get("group", "")), answer.get("text") or ""):
        return Verdict(False, "the leader is not named in the text")
    return Verdict(True)


def named_in_text(group: str, text: str) -> bool:
    """The group's label (or its last word, 'Observe' for 'Acme Observe') appears in the text."""
    def flat(s: str) -> str:
        return re.sub(r"[^a-z0-9]", "", s.lower())
    last = group.split()[-1] if group.split() else ""
    return flat(group) in flat(text) or (len(last) >= 4 and last.lower() in text.lower())


def _norm_id(x: Any) -> str:
    return str(x.get("id") if isinstance(x, dict) else x)


def _in(rid: str, ids: list[str]) -> str | None:
    for g in ids:
        if rid == g or rid.endswith(":" + g):
            return g
    return None


def _records(crm: dict[str, Any], gold: dict[str, Any]) -> Verdict:
    shown = [_norm_id(r) for r in crm.get("records") or []]
    ids, total = gold["ids"], gold["total"]
    keys = dict(zip(ids, gold.get("keys") or [None] * len(ids), strict=False))
    hits = [_in(r, ids) for r in shown]
    if any(h is None for h in hits):
        return Verdict(False, f"record {shown[hits.index(None)]} does not match")
    if gold.get("limit") and gold.get("ordered"):
        n = min(gold["limit"], total)
        if len(shown) < n:
            return Verdict(False, f"{len(shown)} records, expected {n}")
        for i, h in enumerate(hits[:n]):
            if keys.get(h) != gold["keys"][i]:
                return Verdict(False, f"position {i + 1}: {h} (amount {keys.get(h)}) expected amount {gold['keys'][i]}")
        return Verdict(True)
    got_total = crm.get("total", len(shown))
    if total <= len(shown):
        ok = set(hits) == set(ids) and len(shown) == len(set(hits))
        return Verdict(ok, "" if ok else f"{len(set(hits))} of {total} records")
    if gold.get("limit"):
        return Verdict(len(shown) >= min(gold["limit"], total), "")
    return Verdict(got_total == total, "" if got_total == total else f"total {got_total} != {total}")
