"""``copilot backup DEST`` and ``copilot restore SRC``: a snapshot of the whole data home (every table, the
vector and keyword indexes, the files) as a folder or a .tar.gz, restorable into a new home on any engine."""

from __future__ import annotations

from pathlib import Path

import typer

from copilot.core.domain import OPERATOR
from integrations.cli.common import JSON_HELP, cli_errors, console, get_copilot, print_json


def register(app: typer.Typer) -> None:
    app.command("backup", help="Snapshot the data home into a new folder or .tar.gz.")(backup)
    app.command("restore", help="Restore a backup into a new, empty data home (any database engine).")(restore)


@cli_errors
def backup(dest: Path = typer.Argument(..., help="a new folder, or a file ending in .tar.gz"),
           json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    result = get_copilot().backup(OPERATOR, dest)
    if json_:
        print_json(result)
        return
    rows = sum(result["tables"].values())
    chunks = sum(result["vectors"].values())
    console.print(f"Backed up to {result['path']}: {rows} rows in {len(result['tables'])} tables (schema "
                  f"{result['revision']}), {chunks} vectors, {result['files']} files.")


@cli_errors
def restore(src: Path = typer.Argument(..., help="a folder or .tar.gz written by 'copilot backup'"),
            json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    result = get_copilot().restore(OPERATOR, src)
    if json_:
        print_json(result)
        return
    console.print(f"Restored {sum(result['tables'].values())} rows, {sum(result['vectors'].values())} vectors and "
                  f"{result['files']} files from {result['from']} (schema {result['revision']}, now "
                  f"{result['upgraded_to']}).")
