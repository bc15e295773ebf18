"""Counts of actions by state and by decision, for the metrics endpoint."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from copilot.actions.models import ActionRow


def state_counts(engine: Engine) -> dict[str, int]:
    """Counts by state, and by decision as ``decision:<x>``, straight from the ledger table."""
    with Session(engine) as s:
        out = {str(st): int(n) for st, n in s.execute(select(ActionRow.state, func.count()).group_by(ActionRow.state))}
        for dec, n in s.execute(select(ActionRow.decision, func.count()).where(ActionRow.decision.is_not(None))
                                .group_by(ActionRow.decision)):
            out[f"decision:{dec}"] = int(n)
    return out
