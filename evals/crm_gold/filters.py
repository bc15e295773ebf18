"""The filters of docs/crm-query.md as boolean masks over one object's DataFrame (all ANDed).

A composition's ``filters`` use the contract's slot names; date windows carry either a relative
expression (``{"field": "close", "expr": {"kind": "this_quarter"}}``) or absolute ``start``/``end``.
A filter that does not apply to the object raises ``NotApplicable``: the generator must not write it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from evals.crm_gold.data import CrmData, day
from evals.crm_gold.dates import window_bounds
from evals.crm_gold.scope import Asker

DEAL_FIELDS = {"created": "created_on", "close": "close_date", "closed": "closed_on",
               "last_activity": "last_activity", "next_step": "next_step_date"}
ACCOUNT_FIELDS = {"created": "created_at", "last_activity": "last_activity"}
DEAL_ONLY = ("status", "stages", "forecast_categories", "product", "deal_type", "competitor", "amount_min",
             "amount_max", "min_pushes", "has_next_step", "min_days_in_stage")


class NotApplicable(ValueError):
    """A filter or metric that the contract does not define for this object."""


def effective_status(comp: dict[str, Any]) -> str:
    """The deal status a query means when it does not say (docs/crm-query.md, "status").

    win rate: closed (or won/lost if named); cycle length: won; pipeline: open; an explicit status wins
    otherwise; average deal size: won; a closed stage in ``stages`` means any; a ``closed`` window means
    closed; else open.
    """
    f = comp.get("filters") or {}
    metric = comp.get("metric", "list")
    status = f.get("status")
    if metric in ("win_rate", "loss_rate"):
        return status if status in ("won", "lost") else "closed"
    if metric == "cycle_length":
        return "lost" if status == "lost" else "won"
    if metric == "pipeline":
        return "open"
    if status:
        return str(status)
    if metric == "avg":
        return "won"
    if any(s in ("closed_won", "closed_lost") for s in f.get("stages") or []):
        return "any"
    if any(w.get("field") == "closed" for w in f.get("windows") or []):
        return "closed"
    return "open"


def _eq(series: pd.Series, value: str) -> pd.Series:
    return series.fillna("").astype(str).str.strip().str.lower() == value.strip().lower()


def _in_window(dates: pd.Series, start: date | None, end: date | None) -> pd.Series:
    keep = dates.notna()
    if start is not None:
        keep &= dates >= day(start)
    if end is not None:
        keep &= dates <= day(end)
    return keep


def _date_column(obj: str, field: str) -> str:
    if obj == "deals":
        return DEAL_FIELDS[field]
    if obj == "accounts" and field in ACCOUNT_FIELDS:
        return ACCOUNT_FIELDS[field]
    if obj in ("activities", "calls"):
        return "day"  # an activity or call has one date: when it happened
    raise NotApplicable(f"no {field} date on {obj}")


def filter_mask(crm: CrmData, obj: str, comp: dict[str, Any], asker: Asker, today: date) -> pd.Series:
    """Rows of ``crm.<obj>`` that pass every filter of the composition (the asker's scope is not applied)."""
    df = crm.table(obj)
    f = comp.get("filters") or {}
    keep = pd.Series(True, index=df.index)
    if obj != "deals":
        bad = [k for k in DEAL_ONLY if f.get(k) not in (None, [], "")]
        if bad:
            raise NotApplicable(f"the filter {bad[0]} applies to deals, not {obj}")
    else:
        status = effective_status(comp)
        if status != "any":
            keep &= df["status"].isin({"open": ["open"], "won": ["won"], "lost": ["lost"],
                                       "closed": ["won", "lost"]}[status])
        if f.get("stages"):
            keep &= df["stage"].isin(f["stages"])
        if f.get("forecast_categories"):
            keep &= df["forecast_category"].isin(f["forecast_categories"])
        for key, col in (("product", "product_name"), ("deal_type", "deal_type"), ("competitor", "competitor")):
            if f.get(key):
                keep &= _eq(df[col], f[key])
        if f.get("amount_min") is not None:
            keep &= df["amount"].notna() & (df["amount"] >= float(f["amount_min"]))
        if f.get("amount_max") is not None:
            keep &= df["amount"].notna() & (df["amount"] <= float(f["amount_max"]))
        if f.get("min_pushes"):
            keep &= df["pushes"] >= int(f["min_pushes"])
        if f.get("has_next_step") is not None:
            keep &= df["has_next_step"] == bool(f["has_next_step"])
        if f.get("min_days_in_stage"):
            days = (pd.Timestamp(today) - df["entered_stage"]).dt.days
            keep &= days.notna() & (days >= int(f["min_days_in_stage"]))
    owner = f.get("owner")
    if owner:
        ids = {asker.user_id} if owner == "me" else crm.user_ids(owner)
        keep &= df["owner_id"].isin(ids)
    team = f.get("team")
    if team:
        ids = {asker.team_id} if team == "mine" and asker.team_id else (set() if team == "mine" else crm.team_ids(team))
        keep &= df["team_id"].isin(ids)
    if f.get("manager"):
        if "manager_id" not in df:
            raise NotApplicable(f"the manager filter does not apply to {obj}")
        keep &= df["manager_id"].isin(crm.user_ids(f["manager"]))
    if f.get("account"):
        keep &= _eq(df["account_name"], f["account"])
    for w in f.get("windows") or []:
        start, end = window_bounds(w, today)
        keep &= _in_window(df[_date_column(obj, w["field"])], start, end)
    if f.get("inactive_days"):
        if obj not in ("deals", "accounts"):
            raise NotApplicable(f"inactivity applies to deals or accounts, not {obj}")
        since = day(today - timedelta(days=int(f["inactive_days"])))
        keep &= df["last_activity"].isna() | (df["last_activity"] < since)
    return keep.fillna(False).astype(bool)
