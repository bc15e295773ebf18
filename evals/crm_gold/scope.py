"""Who may see which rows, written again from docs/crm-query.md ("Scope") for the gold answers.

- rep: records they own; manager: records owned by their reporting tree (users whose manager_id chain
  reaches them) or their own; a manager with no reports recorded: their team's records (the record's team is
  theirs, or its owner is in their team, or it is their own); exec and admin: every record (execs get
  aggregates only, see query.py).
- contacts have no owner: they are visible when their account is.
- records with neither owner nor team are shared and visible to everyone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from evals.crm_gold.data import CrmData

MIN_GROUP = 3


@dataclass(frozen=True)
class Asker:
    user_id: str
    role: str  # rep | manager | exec | admin
    name: str = ""
    team_id: str | None = None

    @property
    def aggregates_only(self) -> bool:
        return self.role == "exec"


def asker_of(crm: CrmData, who: str) -> Asker:
    """A user by id, email or name; 'admin' works without an admin row (like the eval runner)."""
    ids = crm.user_ids(who)
    if not ids:
        if who == "admin":
            return Asker("admin", "admin", "admin")
        raise KeyError(f"no user {who!r} in this CRM")
    row = crm.users.set_index("id").loc[sorted(ids)[0]]
    return Asker(sorted(ids)[0], str(row["role"]), str(row["name"]), row["team_id"] or None)


def team_member_ids(crm: CrmData, team_id: str | None) -> set[str]:
    if not team_id:
        return set()
    return set(crm.users.loc[crm.users["team_id"] == team_id, "id"])


def report_tree_ids(crm: CrmData, manager_id: str) -> set[str]:
    """Users whose chain of manager_id links reaches ``manager_id``."""
    mgr = dict(zip(crm.users["id"], crm.users["manager_id"], strict=True))
    out = set()
    for uid in mgr:
        seen, cur = set(), mgr.get(uid)
        while isinstance(cur, str) and cur not in seen:
            if cur == manager_id:
                out.add(uid)
                break
            seen.add(cur)
            cur = mgr.get(cur)
    return out - {manager_id}


def pseudonym(name: str) -> str:
    """The documented stand-in for a person's name in an exec's aggregate answer."""
    return "Person-" + hashlib.sha256(name.encode()).hexdigest()[:6]


def visible(crm: CrmData, asker: Asker, obj: str) -> pd.Series:
    """Boolean mask over ``crm.<obj>``: the rows this asker's scope lets through (before exec rules)."""
    df = crm.table(obj)
    if asker.role in ("exec", "admin"):
        return pd.Series(True, index=df.index)
    owner, team = df["owner_id"], df["team_id"]
    shared = owner.isna() & team.isna()
    if asker.role == "manager" and report_tree_ids(crm, asker.user_id):
        mine = owner.isin(report_tree_ids(crm, asker.user_id) | {asker.user_id})
    elif asker.role == "manager":
        members = team_member_ids(crm, asker.team_id) | {asker.user_id}
        mine = owner.isin(members) | (team.notna() & (team == asker.team_id))
    else:
        mine = owner == asker.user_id
    return (mine | shared).fillna(False).astype(bool)


def visible_ids(crm: CrmData, asker: Asker, obj: str) -> set[str]:
    df = crm.table(obj)
    return set(df.loc[visible(crm, asker, obj), "id"])
