"""How the rows of a CRM answer are cut, once the slots are read: two values compared show both, 'the 2nd best'
keeps that one, 'reps with more than 10 wins' keeps those groups. Used by ``parser`` as the query is built."""

from __future__ import annotations

from typing import Any

Bounds = tuple[float | None, float | None]


def ranking(*, metric: str, group: str | None, order: str | None, limit: int | None, compare: list[str],
            rank: int | None, rank_order: str | None, bounds: Bounds | None, rates: Bounds | None = None,
            versus: str | None = None) -> dict[str, Any]:
    """The query's metric, order, limit, rank and group bounds. ``bounds``: a count each group must reach ('more than
    10 won deals'), read only when the question groups; ``rates``: a rate each must reach ('under a 60% win rate');
    ``versus``: 'above' or 'below' the figure over all the groups."""
    if len(compare) == 2 and limit == 1:
        limit = None  # 'who closed more, kary or zane? numbers pls': both figures, the larger first
    if rank and not compare and (group or metric == "list"):
        order, limit = rank_order, None  # 'my 2nd biggest account': that one only
    else:
        rank = None
    vmin = vmax = least = None
    rated = metric in ("win_rate", "loss_rate")
    if group and bounds and bounds[0] is not None and metric not in ("list", "count"):
        least = int(bounds[0])  # 'win rate by sector, only sectors w/ at least 40 closed deals': a group's size
    elif group and bounds:
        metric, (vmin, vmax) = "count", bounds  # 'who has more than 10 won deals': all of them, not the leader
    if group and rates and rated:
        vmin, vmax = rates  # 'which reps are under a 60% win rate': all of them
    if vmin is not None or vmax is not None:
        limit = None if limit == 1 else limit
    if versus and not compare:  # 'who beats the team's win rate': every rep above it, best first
        metric = "count" if metric == "list" else metric
        order, limit, rank = order or ("desc" if versus == "above" else "asc"), None if limit == 1 else limit, None
    else:
        versus = None
    return {"metric": metric, "order": order, "limit": limit, "rank": rank, "value_min": vmin, "value_max": vmax,
            "versus_all": versus, "min_records": least,
            "include_empty": vmax is not None and group == "rep" and metric == "count"}  # 'fewer than 5 open deals': none is fewer
