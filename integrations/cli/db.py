"""``copilot db status|upgrade``: the database schema (one Alembic history for every table).

A database whose schema is behind this version is refused by every other command with one line naming
``copilot db upgrade``; a new, empty database needs nothing (its tables are created on first use)."""

from __future__ import annotations

import typer

from copilot.core.domain import OPERATOR
from integrations.cli.common import JSON_HELP, cli_errors, console, get_copilot, print_json

db_app = typer.Typer(help="The database schema: status, upgrade to this version's newest revision.",
                     no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("status")
@cli_errors
def status(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Where the schema stands: current, empty, behind (run 'copilot db upgrade') or ahead."""
    st = get_copilot().db_status(OPERATOR)
    if json_:
        print_json(st)
        return
    console.print(f"{st['database']}: schema {st['state']} (at {st['current'] or 'none'}, newest {st['head']})")
    if st["state"] == "behind":
        console.print("Back up (copilot backup), then run 'copilot db upgrade'.")


@db_app.command("upgrade")
@cli_errors
def upgrade(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Upgrade the schema to the newest revision; rows are kept. Idempotent."""
    result = get_copilot().db_upgrade(OPERATOR)
    if json_:
        print_json(result)
        return
    if result["changed"]:
        console.print(f"{result['database']}: upgraded from {result['from'] or 'nothing'} to {result['to']}")
    else:
        console.print(f"{result['database']}: already at {result['to']}")
