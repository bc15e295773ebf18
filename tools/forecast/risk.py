"""Risk flags on open deals, each with the reason in words; the thresholds are sales ops' rules
(``risk_rules.yaml`` beside this module, overridable from the data home)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.core.yaml_files import load_validated
from tools.forecast.data import DealRec, Snapshot
from tools.forecast.features import DealState
from tools.forecast.schemas import RiskFlag

LATE = ("proposal", "negotiation")
OpenStage = Literal["prospecting", "qualification", "discovery", "demo", "proposal", "negotiation"]
SHIPPED_RULES = Path(__file__).parent / "risk_rules.yaml"


def _late() -> list[OpenStage]:
    return ["proposal", "negotiation"]


class RiskRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stall_days: int = Field(default=21, ge=1, le=365)
    oversize: float = Field(default=2.5, gt=1, le=50)
    late_stages: list[OpenStage] = Field(default_factory=_late)


def load_risk_rules(path: Path) -> RiskRules:
    """Validate a deal-risk rules file; a problem is one ConfigError naming the key (or the YAML line)."""
    return load_validated(path, RiskRules, see=SHIPPED_RULES)


def rep_norms(snap: Snapshot, day: int) -> dict[str | None, float]:
    """Median amount of each rep's deals created before ``day`` (their norm)."""
    amounts: dict[str | None, list[float]] = {}
    for d in snap.deals:
        if d.amount and d.created_day is not None and d.created_day <= day:
            amounts.setdefault(d.owner_id, []).append(float(d.amount))
    return {k: statistics.median(v) for k, v in amounts.items() if len(v) >= 3}


def flags_for(d: DealRec, st: DealState, day: int, snap: Snapshot, norms: dict[str | None, float], *,
              stall_days: int = 21, oversize: float = 2.5, live: bool = True,
              late: Sequence[str] = LATE) -> list[RiskFlag]:
    """``live`` means the as-of date is today: fields without history (next step) may be used."""
    out: list[RiskFlag] = []
    act = snap.activity.get(d.id)
    days = sorted(x for v in (act.days.values() if act else []) for x in v if x <= day)
    last = days[-1] if days else None
    created = d.created_day if d.created_day is not None else day
    quiet = day - (last if last is not None else created)
    tracked = bool(snap.activity)  # a CRM with no activity log at all (e.g. Maven) cannot show stalls
    if tracked and quiet >= stall_days:
        when = f"last activity {date.fromordinal(last)}" if last is not None else "no activity logged since it was created"
        out.append(RiskFlag(code="stalled", why=f"no activity for {quiet} days ({when}); threshold {stall_days}"))
    if st.pushes >= 2:
        out.append(RiskFlag(code="pushed", why=f"close date pushed {st.pushes} times"))
    if tracked:
        contacts = {c for x, c in (act.contacts if act else []) if x <= day}
        if len(contacts) <= 1:
            out.append(RiskFlag(code="single_threaded",
                                why="only one contact engaged" if contacts else "no contact engaged in any activity"))
    if live and not (d.next_step or "").strip():
        out.append(RiskFlag(code="no_next_step", why="no next step recorded on the deal"))
    norm = norms.get(d.owner_id)
    if norm and st.amount and st.amount > oversize * norm:
        out.append(RiskFlag(code="oversized",
                            why=f"amount {st.amount:,.0f} is {st.amount / norm:.1f}x the rep's median deal ({norm:,.0f})"))
    if st.stage in late:
        recent = sum(1 for x in days if day - 30 < x <= day)
        before = sum(1 for x in days if day - 60 < x <= day - 30)
        if before >= 2 and recent < before / 2:
            out.append(RiskFlag(code="fading", why=f"late stage ({st.stage}) with falling engagement: {recent} "
                                                   f"activities in the last 30 days versus {before} the 30 days before"))
    return out
