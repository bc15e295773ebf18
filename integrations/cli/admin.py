"""``copilot init``, ``users`` and ``status``."""

from __future__ import annotations

import getpass
from datetime import datetime

import typer
from sqlalchemy import func, select

from integrations.cli.common import (
    JSON_HELP,
    acting,
    cli_errors,
    console,
    err_console,
    get_copilot,
    print_json,
    table,
)
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, Team, User
from knowledge.crm.people import ensure_admin
from knowledge.crm.users import UserChange


def register(app: typer.Typer) -> None:
    app.command("init", help="Create the data directory and an admin user; --demo builds the demo company.")(init)
    users_app = typer.Typer(help="Who is who: list people; admins add, change or deactivate them.",
                            invoke_without_command=True, no_args_is_help=False)
    users_app.callback()(users)
    users_app.command("add", help="Add a person: role, team (created if new), manager, Slack id.")(users_add)
    users_app.command("set", help="Change a person's role, team, manager, email, title or Slack id.")(users_set)
    users_app.command("deactivate", help="Deactivate a person: they can no longer act; their records stay.")(
        users_deactivate)
    app.add_typer(users_app, name="users")
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
def users(ctx: typer.Context, json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    if ctx.invoked_subcommand:
        return
    rows = get_copilot().users()
    if json_:
        print_json(rows)
        return
    console.print(table("Users", ["id", "name", "email", "role", "team", "manager", "active"],
                        [(r["id"], r["name"], r["email"], r["role"], r["team"], r["manager"],
                          "" if r["active"] else "no") for r in rows]))


def _change(role: str | None, team: str | None, manager: str | None, email: str | None, slack_id: str | None,
            title: str | None, name: str | None = None) -> UserChange:
    return UserChange(name=name, role=role, team=team, manager=manager, email=email, slack_id=slack_id, title=title)


_ROLE = typer.Option(None, "--role", help="rep, manager, exec or admin")
_TEAM = typer.Option(None, "--team", help="team id or name (created if new; '' for none)")
_MGR = typer.Option(None, "--manager", help="manager's id, email or name ('' for none)")
_EMAIL = typer.Option(None, "--email")
_SLACK = typer.Option(None, "--slack-id", help="Slack member id (U...)")
_TITLE = typer.Option(None, "--title")
_AS = typer.Option(None, "--as", help="the admin making the change (id, email or name)")


@cli_errors
def users_add(name: str = typer.Argument(..., help="full name"), role: str = typer.Option("rep", "--role"),
              team: str = _TEAM, manager: str = _MGR, email: str = _EMAIL, slack_id: str = _SLACK,
              title: str = _TITLE, who: str = _AS, json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    row = get_copilot().add_user(acting(who), name, _change(role, team, manager, email, slack_id, title))
    print_json(row) if json_ else console.print(f"added {row['id']}: {row['name']} ({row['role']}, {row['team']})")


@cli_errors
def users_set(user: str = typer.Argument(..., help="id, email or full name"), role: str = _ROLE, team: str = _TEAM,
              manager: str = _MGR, email: str = _EMAIL, slack_id: str = _SLACK, title: str = _TITLE,
              name: str = typer.Option(None, "--name"), who: str = _AS,
              json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    row = get_copilot().set_user(acting(who), user, _change(role, team, manager, email, slack_id, title, name))
    print_json(row) if json_ else console.print(f"{row['id']}: {row['name']} ({row['role']}, {row['team']}, "
                                                f"manager {row['manager'] or 'none'})")


@cli_errors
def users_deactivate(user: str = typer.Argument(..., help="id, email or full name"), who: str = _AS,
                     json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    row = get_copilot().deactivate_user(acting(who), user)
    print_json(row) if json_ else console.print(f"deactivated {row['id']}: {row['name']}")


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
