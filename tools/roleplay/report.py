"""Progress reports: trend per rubric check, the weakest check, and the next scenario to practise."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from copilot.core.domain import Principal
from tools.roleplay.personas import Persona
from tools.roleplay.scoring import DISCLAIMER, Rubric
from tools.roleplay.store import RoleplayScoreRow

_DIFFICULTY = {"easy": 0, "realistic": 1, "tough": 2}


def _rate(vals: list[bool]) -> float | None:
    return round(sum(vals) / len(vals), 2) if vals else None


def criterion_trends(rows: list[RoleplayScoreRow], rubric: Rubric) -> list[dict[str, Any]]:
    out = []
    for check in rubric.checks:
        vals = [bool(r.checks[check.id]) for r in rows if r.checks.get(check.id) is not None]
        half = len(vals) // 2
        early, recent = _rate(vals[:half]) if half else None, _rate(vals[-3:])
        trend = "n/a"
        if early is not None and recent is not None:
            trend = "improving" if recent > early + 0.1 else "declining" if recent < early - 0.1 else "steady"
        out.append({"check": check.id, "label": check.label, "group": check.group, "attempts": len(vals),
                    "pass_rate": _rate(vals), "recent_rate": recent, "trend": trend,
                    "history": "".join("+" if v else "-" for v in vals[-10:])})
    return out


def recommend(weakest: str | None, scenarios: list[Persona], passed: set[str]) -> dict[str, Any] | None:
    if not scenarios:
        return None
    pool = [p for p in scenarios if weakest and weakest in p.targets] or scenarios
    pool.sort(key=lambda p: (p.id in passed, _DIFFICULTY[p.difficulty], p.id))
    best = pool[0]
    why = f"targets your weakest check '{weakest}'" if weakest and weakest in best.targets else "a fresh scenario"
    return {"scenario": best.id, "title": best.title, "difficulty": best.difficulty, "why": why}


def _summary(rows: list[RoleplayScoreRow], rubric: Rubric, scenarios: list[Persona]) -> dict[str, Any]:
    trends = criterion_trends(rows, rubric)
    rated = [t for t in trends if t["recent_rate"] is not None]
    weakest = min(rated, key=lambda t: (t["recent_rate"], -rubric.groups.get(t["group"], 0)))["check"] if rated else None
    passed = {r.scenario_id for r in rows if r.passed and r.scenario_id}
    scores = [r.score for r in rows]
    return {"sessions": len(rows), "passed": sum(1 for r in rows if r.passed),
            "average": round(sum(scores) / len(scores), 1) if scores else None,
            "last": scores[-1] if scores else None, "scores": scores[-10:], "criteria": trends,
            "weakest": weakest, "recommendation": recommend(weakest, scenarios, passed)}


def build_report(principal: Principal, rows: list[RoleplayScoreRow], rubric: Rubric,
                 scenarios: list[Persona]) -> dict[str, Any]:
    """``rows`` are already filtered by the principal's scope (own scores, or the team's for a manager)."""
    by_trainee: dict[str, list[RoleplayScoreRow]] = defaultdict(list)
    for r in rows:
        by_trainee[r.trainee_id].append(r)
    report: dict[str, Any] = {"principal": principal.user_id, "role": principal.role.value,
                              "disclaimer": DISCLAIMER, **_summary(rows, rubric, scenarios)}
    report["trainees"] = {tid: {k: v for k, v in _summary(rs, rubric, scenarios).items() if k != "criteria"}
                          for tid, rs in sorted(by_trainee.items())}
    return report
