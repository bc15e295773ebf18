"""``copilot slack``: run the Slack app (``--socket`` for Socket Mode) and ``copilot slack map`` Slack ids."""

from __future__ import annotations

import logging
import sys

import typer

from copilot.core.domain import OPERATOR
from integrations.cli.common import JSON_HELP, cli_errors, console, err_console, get_copilot, print_json

slack_app = typer.Typer(help="Slack: run the app (Socket Mode) and map Slack users to CRM users.",
                        invoke_without_command=True, no_args_is_help=False)


def register(app: typer.Typer) -> None:
    app.add_typer(slack_app, name="slack")


@slack_app.callback()
@cli_errors
def slack(ctx: typer.Context,
          socket: bool = typer.Option(False, "--socket", help="run in Socket Mode (needs COPILOT_SLACK_APP_TOKEN)")) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if not socket:
        err_console.print("Run 'copilot slack --socket' (Socket Mode), or set COPILOT_SLACK_BOT_TOKEN and "
                          "COPILOT_SLACK_SIGNING_SECRET and run 'copilot serve' (HTTP mode at /slack/events). "
                          "See integrations/slack/README.md.")
        raise typer.Exit(2)
    from integrations.slack.app import run_socket_mode

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    cp = get_copilot()
    err_console.print(f"Sales Copilot on Slack (Socket Mode; data: {cp.settings.resolved_home}, llm: {cp.settings.llm})")
    run_socket_mode(cp, cp.settings)


@slack_app.command("map", help="Map a Slack user id (e.g. U012AB3CD) to a CRM user (id, email or full name).")
@cli_errors
def map_user(slack_id: str = typer.Argument(..., help="Slack member id (profile > More > Copy member ID)"),
             user: str = typer.Argument(..., help="CRM user: id, email or full name"),
             json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    principal = get_copilot().link_slack(OPERATOR, slack_id, user)
    if json_:
        print_json({"slack_id": slack_id, "user_id": principal.user_id, "name": principal.name})
    else:
        console.print(f"Slack user {slack_id} is now {principal.name} ({principal.user_id}, {principal.role.value})")
