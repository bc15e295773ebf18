"""``copilot import crm PATH --mapping NAME|FILE``: load a CRM export through a declarative mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from copilot.app import ImportReport, shipped_mappings
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

import_app = typer.Typer(name="import", help="Import data: CRM exports (CSV or JSON) through a column mapping.",
                         no_args_is_help=True)
MAX_ERROR_ROWS = 20


def register(app: typer.Typer) -> None:
    import_app.command("crm", help="Import a CRM export (a file or a folder of CSV/JSON files).")(crm)
    import_app.command("mappings", help="List the shipped CRM mappings.")(mappings)
    app.add_typer(import_app, name="import")


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


@cli_errors
def crm(
    path: Path = typer.Argument(..., help="export file, or the folder holding its files"),
    mapping: str = typer.Option(..., "--mapping", "-m", help=f"shipped mapping ({', '.join(shipped_mappings())}) or a YAML file"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    cp = get_copilot()
    with _progress_bar(err_console.is_terminal) as progress:
        report = cp.import_crm(OPERATOR, path, mapping, progress=progress)
    if json_:
        print_json(report.to_dict())
        return
    show(report)


@cli_errors
def mappings(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    rows = get_copilot().crm_mappings()
    if json_:
        print_json(rows)
        return
    console.print(table("Shipped CRM mappings", ["name", "description"], [(r["name"], r["description"]) for r in rows]))


def show(report: ImportReport) -> None:
    """The human summary: counts per entity, dirty-data fixes, row errors with file:line."""
    console.print(table(f"Imported {report.source} with mapping {report.mapping} in {report.seconds:.1f}s",
                        ["entity", "created", "updated", "unchanged", "in store"],
                        [(e, c["created"], c["updated"], c["unchanged"], report.totals.get(e, ""))
                         for e, c in report.counts.items()]))
    data = report.to_dict()
    if data["fixes"]:
        console.print(table(f"Dirty data fixed ({report.fix_count})", ["kind", "count", "example"],
                            [(k, f["count"], f["examples"][0] if f["examples"] else "")
                             for k, f in data["fixes"].items()]))
    if report.error_count:
        shown = report.errors[:MAX_ERROR_ROWS]
        title = f"Rows not imported ({report.error_count})"
        if report.error_count > len(shown):
            title += f"; first {len(shown)} shown, --json lists up to {len(report.errors)}"
        console.print(table(title, ["where", "problem"], [(e["where"], e["message"]) for e in shown]))
    for note in report.notes:
        err_console.print(f"[yellow]note:[/yellow] {note}")
    console.print(f"Import run {report.run_id} stored.")
