"""What the web workspace shows, in Slack replies: ``/copilot needs [account]``, ``/copilot tag ACCOUNT | THEME |
note`` (and ``tag remove ID``), ``/copilot timeline DEAL``, ``/copilot forecast history [team X | rep Y]`` and
``/copilot assign TRAINEE | SCENARIO [| YYYY-MM-DD]`` (``assign remove ID``), ``/copilot assignments``."""

from __future__ import annotations

from datetime import date

from copilot.app import Copilot
from copilot.core.domain import Principal
from copilot.core.errors import UserError

LIMIT = 3500


def _parts(rest: str) -> list[str]:
    return [p.strip() for p in rest.split("|")]


def needs_text(cp: Copilot, principal: Principal, rest: str) -> str:
    if rest:
        one = cp.account_needs(principal, rest)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(one.counts.items(), key=lambda kv: -kv[1])) or "none"
        tags = [f"• `{t.id}` *{t.theme}*: {t.note or '-'} ({t.by}, {t.at:%Y-%m-%d})" for t in one.tags]
        ev = [f"• {e.theme}: {e.text} _({e.citation.location()})_" for e in one.evidence[:8]]
        return "\n".join([f"*Needs of {one.account}* since {one.since}: {counts}", "*Pre-sales tags*",
                          *(tags or ["none yet"]), "*Evidence*", *ev])[:LIMIT]
    view = cp.needs_map(principal, limit=10)
    what = "segment" if view.segments else "account"
    lines = [f"• *{r.label}*: " + ", ".join(f"{t['id']} {r.counts.get(t['id'], 0)}" for t in view.themes
                                           if r.counts.get(t["id"])) for r in view.rows]
    return "\n".join([f"*Customer needs by {what}* since {view.since} (most signals first)", *lines,
                      *(f"_{n}_" for n in view.notes)])[:LIMIT]


def tag_text(cp: Copilot, principal: Principal, rest: str) -> str:
    if rest.lower().startswith("remove "):
        tag_id = rest[7:].strip()
        cp.untag_account(principal, tag_id)
        return f"Removed tag `{tag_id}`."
    parts = _parts(rest)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        themes = ", ".join(t["id"] for t in cp.needs_themes())
        raise UserError("write it as `/copilot tag ACCOUNT | THEME | note`", hint=f"themes: {themes}")
    made = cp.tag_account(principal, parts[0], parts[1], parts[2] if len(parts) > 2 else "")
    return f"Tagged *{made.theme}* (`{made.id}`); whoever sees the account sees it."


def timeline_text(cp: Copilot, principal: Principal, rest: str) -> str:
    if not rest:
        raise UserError("name a deal: `/copilot timeline DEAL` (its id or exact name)")
    return cp.deal_timeline(principal, rest).render()[:LIMIT]


def history_text(cp: Copilot, principal: Principal, rest: str) -> str:
    kind, _, name = rest.strip().partition(" ")
    view = cp.forecast_history(principal, team=name.strip() if kind == "team" and name else None,
                               rep=name.strip() if kind == "rep" and name else None)
    lines = [f"• {p.as_of} → {p.period}: P50 {p.p50:,.0f} (P10 {p.p10:,.0f}-P90 {p.p90:,.0f}), stage-weighted "
             f"{p.predicted['stage_weighted']:,.0f}, actual {p.actual:,.0f}" for p in view.points]
    acc = [f"{a.method}: mean abs. error {a.mape:.0%}, bias {a.bias:+.0%}" for a in view.accuracy]
    return "\n".join([f"*Forecast against actual: {view.subject}*", *lines, *acc, *view.notes])[:LIMIT]


def assign_text(cp: Copilot, principal: Principal, rest: str) -> str:
    if rest.lower().startswith("remove "):
        ref = rest[7:].strip()
        cp.roleplay_unassign(principal, ref)
        return f"Withdrew `{ref}`."
    parts = _parts(rest)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise UserError("write it as `/copilot assign TRAINEE | SCENARIO | YYYY-MM-DD` (the date is optional)")
    try:
        due = date.fromisoformat(parts[2]) if len(parts) > 2 and parts[2] else None
    except ValueError:
        raise UserError(f"{parts[2]!r} is not a date", hint="write it as YYYY-MM-DD") from None
    made = cp.roleplay_assign(principal, parts[0], parts[1], due_on=due)
    return f"Assigned *{made.scenario}* to {made.trainee}" + (f", due {made.due_on}" if made.due_on else "") + \
        f" (`{made.id}`)."


def assignments_text(cp: Copilot, principal: Principal) -> str:
    rows = cp.roleplay_assignments(principal)
    if not rows:
        return "No role-play scenarios assigned."
    return "*Assigned scenarios*\n" + "\n".join(
        f"• `{a.id}` {a.trainee}: *{a.scenario}* ({a.status}" + (f", due {a.due_on}" if a.due_on else "")
        + (f", score {a.score:.0f}" if a.score is not None else "") + f"); start it with `/copilot roleplay {a.scenario_id}`"
        for a in rows[:20])[:LIMIT]


def sessions_text(cp: Copilot, principal: Principal, rest: str) -> str:
    rows = cp.roleplay_sessions(principal, trainee=rest or None)
    if not rows:
        return "No role-play sessions yet."
    return "*Role-play sessions, newest first*\n" + "\n".join(
        f"• `{x.id}` {x.started_at:%Y-%m-%d}: *{x.scenario}* ({x.status}, {x.turns} turns"
        + (f", score {x.score:.0f}" if x.score is not None else "") + ")" for x in rows)[:LIMIT]
