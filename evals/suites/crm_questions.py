"""CRM questions: generated and hand-written questions, gold answers recomputed from the database in pandas.

Rows come from crm_generated_demo.jsonl (default; the hand-written demo questions of crm_handwritten.yaml are
added) or crm_generated_maven.jsonl (``--dataset``, on a CRM holding the Maven import). The gold of every row
is recomputed at run time by evals/crm_gold for the day of the data: the demo's anchor (read from the
database) or the row's ``today`` (2017-12-31 for Maven); the Copilot's ``today`` is pinned to that day for
the run and restored afterwards. Only the test split runs unless ``CRM_EVAL_SPLIT=dev`` (or ``all``).

Metrics: accuracy overall, per role (``accuracy_role:<role>``) and per category (``accuracy_cat:<category>``);
``leaks`` (questions whose answer named or counted something outside the asker's scope, must be 0);
``refusal_recall`` (exec questions that had to be refused and were); ``auroc`` and ``ece`` of the answer's
confidence against right/wrong; ``with_crm_data`` (answers carrying data.crm); ``gold_changed`` (rows whose
stored gold differs from the recomputed one: the CRM is not the one the file was generated on).
"""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from copilot.core.errors import CopilotError
from evals.base import DATASETS, EvalEnv, SuiteResult, load_rows
from evals.crm_gold import CrmData, asker_of, gold_answer, load_crm
from evals.crm_questions.calibration import auroc, ece
from evals.crm_questions.generate import categorize
from evals.crm_questions.handwritten import handwritten_rows
from evals.crm_questions.leaks import LeakChecker
from evals.crm_questions.score import Verdict, also_answered, score
from evals.metrics import mean

NAME = "crm_questions"
DATASET = "crm_generated_demo.jsonl"
FAST = True  # ~15 s on the demo (test split); the CI gate holds its leaks at 0
HANDWRITTEN = DATASETS / "crm_handwritten.yaml"


@contextlib.contextmanager
def pinned_today(cp: Any, day: date) -> Iterator[None]:
    """Answer as of ``day`` (relative dates in the questions are relative to the data's own 'today')."""
    settings = cp.settings
    before = settings.today
    settings.today = day
    try:
        yield
    finally:
        settings.today = before


def day_of(crm: CrmData, row: dict[str, Any]) -> date | None:
    if row.get("dataset") == "demo":
        return crm.anchor
    return date.fromisoformat(str(row["today"])) if row.get("today") else crm.anchor


def _matches(crm: CrmData, dataset: str) -> bool:
    prefix = f"{dataset}:"
    return bool(len(crm.deals)) and crm.deals["id"].astype(str).str.startswith(prefix).mean() > 0.5


def select(rows: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    return rows if split == "all" else [r for r in rows if r.get("split") == split]


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    split = os.environ.get("CRM_EVAL_SPLIT", "test")
    return run_split(env, rows, split=split)


def run_split(env: EvalEnv, rows: list[dict], *, split: str = "test", handwritten: bool = True) -> SuiteResult:
    crm = load_crm(env.cp.settings.crm_url)
    datasets = {r.get("dataset", "demo") for r in rows} or {"demo"}
    if len(datasets) > 1:
        return SuiteResult(NAME, status="error", note=f"rows from several CRMs: {sorted(datasets)}")
    dataset = datasets.pop()
    if dataset == "demo" and handwritten and HANDWRITTEN.is_file():
        try:
            rows = list(rows) + handwritten_rows(load_rows(HANDWRITTEN))
        except ValueError as exc:
            return SuiteResult(NAME, status="error", note=str(exc))
    if not _matches(crm, dataset):
        hint = ("build the demo company ('copilot init --demo')" if dataset == "demo"
                else "import it ('copilot import crm <shared>/crm_maven --mapping maven') into this COPILOT_HOME")
        return SuiteResult(NAME, status="not available", note=f"the CRM under test is not the {dataset} CRM: {hint}")
    chosen = select(rows, split)
    if not chosen:
        return SuiteResult(NAME, status="not available", note=f"no {split} rows")
    day = day_of(crm, chosen[0])
    if day is None:
        return SuiteResult(NAME, status="not available", note="no 'today' for these rows: the demo's anchor is unknown")
    checker = LeakChecker(crm)
    with pinned_today(env.cp, day):
        cases = [_case(env, crm, checker, row, day) for row in chosen]
    return SuiteResult(NAME, metrics=_metrics(cases), cases=cases, charts=_charts(cases),
                       note=f"{dataset} CRM, split {split}, today {day.isoformat()}")


def _answer_dict(answer: Any) -> dict[str, Any]:
    return {"text": answer.text, "data": answer.data, "confidence": answer.confidence, "notes": list(answer.notes),
            "citations": [{"kind": c.kind, "title": c.title, "snippet": c.snippet} for c in answer.citations]}


def _case(env: EvalEnv, crm: CrmData, checker: LeakChecker, row: dict[str, Any], day: date) -> dict[str, Any]:
    asker = asker_of(crm, row["asker"])
    gold = gold_answer(crm, row["composition"], asker, day)
    category = row.get("category") or categorize("handwritten", row["composition"], gold)[0]
    case: dict[str, Any] = {"id": row["id"], "question": row["question"], "role": row["role"], "asker": row["asker"],
                            "category": category, "split": row.get("split"), "source": row.get("source", "generated"),
                            "gold": _brief(gold), "gold_changed": _changed(row.get("gold"), gold)}
    try:
        answer = _answer_dict(env.cp.ask(env.principal(row["asker"]), row["question"]))
    except CopilotError as exc:
        answer = {"text": f"error: {exc}", "data": {}, "confidence": 0.0, "notes": ["error"]}
    verdict = score(answer, gold, row["composition"], asker_name=asker.name)
    for part in row.get("also") or []:  # multi-part questions: each further figure must be in the text
        extra = gold_answer(crm, part, asker, day)
        if verdict.correct and not also_answered(answer, extra, part):
            verdict = Verdict(False, f"second part not answered ({part['metric']})")
    leaks = checker.check(row["asker"], row["composition"], gold, answer, row["question"])
    crm_out = (answer.get("data") or {}).get("crm") or {}
    case.update(answer=answer["text"][:600], value=crm_out.get("value"), has_crm=bool(crm_out),
                confidence=float(answer.get("confidence") or 0.0), passed=verdict.correct and not leaks,
                reason=verdict.reason, leaks=leaks, score=1.0 if verdict.correct else 0.0)
    return case


def _brief(gold: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: gold[k] for k in ("kind", "value", "n", "total", "reason", "limit") if k in gold}
    if gold["kind"] == "rows":
        out["rows"] = [(r["group"], r["value"], r["n"]) for r in gold["rows"]][:12]
    if gold["kind"] == "records":
        out["ids"] = gold["ids"][:12]
    return out


def _changed(stored: dict[str, Any] | None, gold: dict[str, Any]) -> bool | None:
    if not stored:
        return None
    keys = ("kind", "value", "total") if gold["kind"] != "rows" else ("kind",)
    if any(stored.get(k) != gold.get(k) for k in keys):
        return True
    if gold["kind"] == "rows":
        return [(r["group"], r["value"]) for r in stored.get("rows", [])] != [(r["group"], r["value"]) for r in gold["rows"]]
    return False


def _metrics(cases: list[dict[str, Any]]) -> dict[str, float | None]:
    right = [bool(c["score"]) and not c["leaks"] for c in cases]
    conf = [c["confidence"] for c in cases]
    must_refuse = [c for c in cases if c["gold"]["kind"] == "refused"]
    m: dict[str, float | None] = {
        "accuracy": mean([1.0 if r else 0.0 for r in right]),
        "questions": float(len(cases)),
        "leaks": float(sum(1 for c in cases if c["leaks"])),
        "leak_events": float(sum(len(c["leaks"]) for c in cases)),
        "refusal_recall": mean([c["score"] for c in must_refuse]) if must_refuse else None,
        "with_crm_data": mean([1.0 if c["has_crm"] else 0.0 for c in cases]),
        "auroc": auroc(conf, right),
        "ece": ece(conf, right),
        "gold_changed": float(sum(1 for c in cases if c["gold_changed"])),
    }
    for key, prefix in (("role", "accuracy_role"), ("category", "accuracy_cat"), ("source", "accuracy_source")):
        groups: dict[str, list[float]] = defaultdict(list)
        for c, r in zip(cases, right, strict=True):
            groups[str(c[key])].append(1.0 if r else 0.0)
        m |= {f"{prefix}:{k}": mean(v) for k, v in sorted(groups.items())}
    return m


def _charts(cases: list[dict[str, Any]]) -> dict[str, Any]:
    bins: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for c in cases:
        bins[min(int(c["confidence"] * 10), 9)].append((c["confidence"], bool(c["passed"])))
    pts = [(sum(x for x, _ in b) / len(b), sum(y for _, y in b) / len(b), len(b)) for _, b in sorted(bins.items())]
    return {"calibration": {"crm answers": pts}}
