"""``copilot init``, ``users`` and ``status``."""

from __future__ import annotations

import getpass
from datetime import datetime

import typer
from sqlalchemy import func, select

from integrations.cli.common import (
    JSON_HELP,
    cli_errors,
    console,
    err_console,
    get_copilot,
    print_json,
    table,
)
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, Team, User
from knowledge.crm.people import ensure_admin


def register(app: typer.Typer) -> None:
    app.command("init", help="Create the data directory and an admin user; --demo builds the demo company.")(init)
    app.command("users", help="Who is who: id, name, email, role, team.")(users)
    app.command("status", help="What is configured, data sizes and data freshness.")(status)


@cli_errors
def init(
    demo: bool = typer.Option(False, "--demo", help="generate the demo company (deterministic)"),
    admin_name: str = typer.Option(None, "--admin", help="admin user's name (default: you)"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    cp = get_copilot()
    name = admin_name or getpass.getuser()
    result: dict = {"home": str(cp.settings.resolved_home), "admin": ensure_admin(cp.crm, name)}
    if demo:
        from copilot.demo.build import build_demo

        result["demo"] = build_demo(cp, progress=not json_)
    if json_:
        print_json(result)
    else:
        console.print(f"Initialized [bold]{result['home']}[/bold]; admin user id: [bold]admin[/bold] ({name})")
        if demo:
            console.print(f"Demo company: {result['demo']}")


@cli_errors
def users(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    with cp.crm.session() as s:
        teams = {t.id: t.name for t in s.scalars(select(Team))}
        rows = [
            {"id": u.id, "name": u.name, "email": u.email, "role": u.role, "team": teams.get(u.team_id or ""),
             "team_id": u.team_id}
            for u in s.scalars(select(User).order_by(User.role, User.team_id, User.name))
        ]
    if json_:
        print_json(rows)
        return
    console.print(table("Users", ["id", "name", "email", "role", "team"],
                        [(r["id"], r["name"], r["email"], r["role"], r["team"]) for r in rows]))


@cli_errors
def status(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    st = cp.settings
    with cp.crm.session() as s:
        counts = {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                  for m in (Team, User, Account, Contact, Deal, Activity, Call)}
        newest = max(
            (d for d in (s.scalar(select(func.max(Deal.updated_at))), s.scalar(select(func.max(Activity.occurred_at))))
             if d is not None),
            default=None,
        )
    age_h = (datetime.now() - newest).total_seconds() / 3600 if newest else None
    info = {
        "home": str(st.resolved_home),
        "llm": st.llm if st.llm != "none" else "none (offline engine)",
        "llm_base_url": st.llm_base_url,
        "embeddings": st.embeddings,
        "speech": st.speech,
        "database": st.crm_url.split("@")[-1],
        "chroma": st.chroma_url or str(st.chroma_dir),
        "shared_data": str(st.shared_data),
        "counts": counts,
        "newest_crm_data": newest.isoformat() if newest else None,
        "freshness_hours": round(age_h, 1) if age_h is not None else None,
        "stale": bool(age_h is not None and age_h > st.freshness_hours),
    }
    if json_:
        print_json(info)
        return
    console.print(table("Configuration", ["setting", "value"],
                        [(k, v) for k, v in info.items() if k not in ("counts",)]))
    console.print(table("Data", ["table", "rows"], counts.items()))
    if info["stale"]:
        err_console.print(f"[yellow]warning:[/yellow] newest CRM data is {age_h:.0f} hours old")
