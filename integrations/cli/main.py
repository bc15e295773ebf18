"""The ``copilot`` command: a thin adapter over ``copilot.app.Copilot``. Each command group lives in its
own module and registers itself here."""

from __future__ import annotations

import typer

from integrations.cli import actions as cli_actions
from integrations.cli import admin, ask, backup, crm_import, db, knowledge
from integrations.cli import calls as cli_calls
from integrations.cli import config as cli_config
from integrations.cli import eval as cli_eval
from integrations.cli import forecast as cli_forecast
from integrations.cli import health as cli_health
from integrations.cli import keys as cli_keys
from integrations.cli import roleplay as cli_roleplay
from integrations.cli import serve as cli_serve
from integrations.cli import slack as cli_slack
from integrations.cli import trust as cli_trust
from integrations.cli import worker as cli_worker
from integrations.cli import workspace as cli_workspace

app = typer.Typer(
    name="copilot",
    help="Open-source AI sales copilot: cited answers, call summaries, follow-ups, coaching, forecasts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

admin.register(app)
ask.register(app)
knowledge.register(app)
crm_import.register(app)
cli_actions.register(app)
cli_roleplay.register(app)
cli_calls.register(app)
cli_eval.register(app)
cli_forecast.register(app)
cli_health.register(app)
cli_config.register(app)
cli_trust.register(app)
cli_keys.register(app)
cli_serve.register(app)
cli_slack.register(app)
db.register(app)
cli_worker.register(app)
backup.register(app)
cli_workspace.register(app)  # after forecast and roleplay: it adds 'forecast history' and 'roleplay assign'


def run() -> None:
    app()


if __name__ == "__main__":
    run()
