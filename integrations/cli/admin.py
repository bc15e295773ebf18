"""``copilot init``, ``users`` and ``status``."""

from __future__ import annotations

import getpass
import sys

import typer

from copilot.app import UserChange
from copilot.core.errors import UserError
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
    build_demo = _demo_builder() if demo else None
    cp = get_copilot()
    name = admin_name or getpass.getuser()
    result: dict = {"home": str(cp.settings.resolved_home), "admin": cp.ensure_admin(name)}
    if build_demo is not None:
        result["demo"] = build_demo(cp, progress=not json_)
    if json_:
        print_json(result)
    else:
        console.print(f"Initialized [bold]{result['home']}[/bold]; admin user id: [bold]admin[/bold] ({name})")
        if demo:
            console.print(f"Demo company: {result['demo']}")


def _demo_builder():  # -> demo.build.build_demo
    """The demo company lives in the source checkout's ``demo/`` package, which is not installed."""
    try:
        from demo.build import build_demo
    except ImportError:
        from copilot.core.settings import REPO_ROOT

        if not (REPO_ROOT / "demo" / "build.py").is_file():
            raise UserError("the demo company is not part of an installed copy",
                            hint="clone the repository and run 'make demo' or 'copilot init --demo' there") from None
        sys.path.insert(0, str(REPO_ROOT))  # the console script's path does not hold the checkout
        from demo.build import build_demo
    return build_demo


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
    info = get_copilot().status()
    counts = info["counts"]
    if json_:
        print_json(info)
        return
    console.print(table("Configuration", ["setting", "value"],
                        [(k, v) for k, v in info.items() if k not in ("counts",)]))
    console.print(table("Data", ["table", "rows"], counts.items()))
    if info["stale"]:
        err_console.print(f"[yellow]warning:[/yellow] the CRM was last imported or synced {info['freshness_hours']:.0f} "
                          "hours ago; re-run the import or sync")
