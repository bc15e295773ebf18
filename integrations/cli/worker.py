"""``copilot worker``: consume the job queue (call transcription, ingestion, CRM re-indexing) and run its
periodic housekeeping, in the foreground until SIGINT or SIGTERM. Start as many as the work needs, on any
machine that reaches the database, the broker and the data directory."""

from __future__ import annotations

import logging
import sys

import typer

from integrations.cli.common import cli_errors, err_console, get_copilot


def register(app: typer.Typer) -> None:
    app.command("worker", help="Run a job-queue worker (transcription, ingestion, housekeeping).")(worker)


@cli_errors
def worker(threads: int = typer.Option(1, "--threads", min=1, max=32, help="jobs run at once in this process"),
           log_level: str = typer.Option("info", "--log-level", help="debug, info, warning, error")) -> None:
    logging.basicConfig(stream=sys.stderr, level=log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cp = get_copilot()
    cp.db_check()  # a schema behind this version: one line naming 'copilot db upgrade'
    from integrations.slack.app import worker_jobs

    slack = worker_jobs(cp, cp.settings)  # Slack's shared recordings, when the bot token is set
    err_console.print(f"copilot worker: {threads} thread(s), queue {cp.jobs_broker()}, "
                      f"data {cp.settings.resolved_home}, Slack jobs {'on' if slack else 'off (no bot token)'}")
    try:
        cp.worker_run(threads)
    finally:
        cp.close()
