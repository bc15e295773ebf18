"""``copilot keys create|list|revoke``: API keys for the HTTP API. A key is printed once, at creation;
only a salted digest is stored."""

from __future__ import annotations

import typer

from copilot.core.domain import OPERATOR
from integrations.cli.common import (
    JSON_HELP,
    cli_errors,
    console,
    err_console,
    get_copilot,
    print_json,
    table,
)

keys_app = typer.Typer(help="API keys for the HTTP API: create (shown once), list, revoke.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


@keys_app.command("create")
@cli_errors
def create(user: str = typer.Option(..., "--user", help="user id, email or full name the key acts as"),
           name: str = typer.Option("", "--name", help="a label, e.g. 'chat UI'"),
           json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    principal = cp.principal(user)
    info, key = cp.keys_create(OPERATOR, principal.user_id, name=name)
    if json_:
        print_json({**info.to_dict(), "key": key})
        return
    console.print(f"API key {info.id} for {principal.label}:")
    console.print(key, markup=False, highlight=False, soft_wrap=True)
    err_console.print("Store it now: it is not shown again. Send it as 'Authorization: Bearer <key>'.")


@keys_app.command("list")
@cli_errors
def list_(user: str = typer.Option(None, "--user", help="only this user's keys"),
          json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    rows = [k.to_dict() for k in get_copilot().keys_list(OPERATOR, user)]
    if json_:
        print_json(rows)
        return
    console.print(table("API keys", ["id", "user", "name", "active", "created", "last used", "revoked"],
                        [(r["id"], r["user_id"], r["name"], "yes" if r["active"] else "no", r["created_at"],
                          r["last_used_at"], r["revoked_at"]) for r in rows]))


@keys_app.command("revoke")
@cli_errors
def revoke(key_id: str = typer.Argument(..., help="key id (from 'keys list') or the key itself"),
           json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    info = get_copilot().keys_revoke(OPERATOR, key_id)
    if json_:
        print_json(info.to_dict())
    else:
        console.print(f"revoked API key {info.id} of {info.user_id}")
