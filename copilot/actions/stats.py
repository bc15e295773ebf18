"""Adoption metrics from the ledger, and the calibration that feeds them back into confidence.

- adoption rate = (approved + edited) / decided, where decided = approved + edited + rejected
  (expired actions were never decided by a person; they are counted separately)
- edit distance: Levenshtein distance between the canonical JSON of the proposed and the final payload
  (0 for approved-as-is), stored on the action when it is decided
- time to decision: seconds from proposal to decision (median and mean)
- execution failures: transitions to ``failed`` in the audit trail (a retried failure still counts)

Calibration (shown on every new proposal): a Beta prior per (kind, owner) centred on the tool's own
confidence c with strength n0 = ``PRIOR_STRENGTH``, i.e. Beta(a = c * n0, b = (1 - c) * n0). After
``accepted`` of ``decided`` earlier proposals of that kind for that owner, the confidence shown is the
posterior mean (a + accepted) / (n0 + decided): the tool's estimate when there is no history, moving
toward the owner's observed acceptance rate as decisions accumulate.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from copilot.actions.models import ActionRow

PRIOR_STRENGTH = 4.0


def calibrated(tool_confidence: float, accepted: int, decided: int, strength: float = PRIOR_STRENGTH) -> float:
    a = tool_confidence * strength
    return (a + accepted) / (strength + decided)


def iso_week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def _group() -> dict[str, Any]:
    return {"proposed": 0, "approved": 0, "edited": 0, "rejected": 0, "expired": 0, "decided": 0,
            "executed": 0, "failures": 0, "_edits": [], "_times": []}


def _finish(g: dict[str, Any]) -> dict[str, Any]:
    edits, times = g.pop("_edits"), g.pop("_times")
    g["adoption_rate"] = round((g["approved"] + g["edited"]) / g["decided"], 4) if g["decided"] else None
    g["mean_edit_distance"] = round(statistics.fmean(edits), 2) if edits else None
    g["median_decision_seconds"] = round(statistics.median(times), 1) if times else None
    g["mean_decision_seconds"] = round(statistics.fmean(times), 1) if times else None
    return g


def compute(rows: Iterable[ActionRow], failures: dict[str, int], *, rep_label=lambda r: r,
            min_group: int = 0) -> dict[str, Any]:
    """Totals and breakdowns by kind, tool, rep, team and week (ISO week of the decision, or of the
    proposal while undecided). ``failures`` maps action id to its count of transitions to failed.
    Groups with fewer than ``min_group`` proposals are suppressed (exec views)."""
    dims = ("kind", "tool", "rep", "team", "week")
    total = _group()
    by: dict[str, dict[str, dict[str, Any]]] = {d: defaultdict(_group) for d in dims}
    for r in rows:
        keys = {"kind": r.kind, "tool": r.tool, "rep": rep_label(r.owner_id), "team": r.team_id or "(none)",
                "week": iso_week(r.decided_at or r.created_at)}
        groups = [total, *(by[d][keys[d]] for d in dims)]
        for g in groups:
            g["proposed"] += 1
            if r.decision in ("approved", "edited", "rejected", "expired"):
                g[r.decision] += 1
            if r.decision in ("approved", "edited", "rejected"):
                g["decided"] += 1
                if r.decided_at is not None:
                    g["_times"].append((r.decided_at - r.created_at).total_seconds())
            if r.decision in ("approved", "edited") and r.edit_distance is not None:
                g["_edits"].append(r.edit_distance)
            if r.state == "executed":
                g["executed"] += 1
            g["failures"] += failures.get(r.id, 0)
    out: dict[str, Any] = {"total": _finish(total)}
    for d in dims:
        out[f"by_{d}"] = {k: _finish(v) for k, v in sorted(by[d].items()) if v["proposed"] >= min_group}
    out["calibration"] = {"prior_strength": PRIOR_STRENGTH,
                          "rule": "confidence = (tool_confidence * n0 + accepted) / (n0 + decided), per kind and owner"}
    return out
