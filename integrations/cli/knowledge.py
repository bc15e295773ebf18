"""``copilot ingest`` and ``copilot forget``."""

from __future__ import annotations

from pathlib import Path

import typer

from copilot.core.domain import OPERATOR
from copilot.core.errors import UserError
from integrations.cli.common import (
    AS_HELP,
    JSON_HELP,
    acting,
    cli_errors,
    console,
    get_copilot,
    print_json,
    table,
)


def register(app: typer.Typer) -> None:
    app.command("ingest", help="Index documents (md, txt, html, pdf, docx; files or folders) and/or the CRM.")(ingest)
    app.command("forget", help="Erase an account, a contact or a source from every store (admin).")(forget)


@cli_errors
def ingest(
    paths: list[Path] = typer.Argument(None, help="files or folders to index"),
    doc_type: str = typer.Option(None, "--type", help="document type for files without front matter"),
    crm: bool = typer.Option(False, "--crm", help="also (re)index the CRM records as text"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    if not paths and not crm:
        raise UserError("nothing to ingest", hint="name files or folders, or pass --crm")
    cp = get_copilot()
    reports = {}
    if paths:
        reports["documents"] = cp.ingest(OPERATOR, list(paths), doc_type=doc_type, progress=not json_)
    if crm:
        reports["crm"] = cp.sync_crm(OPERATOR, progress=not json_)
    data = {name: r.to_dict() for name, r in reports.items()}
    if json_:
        print_json(data)
        return
    for name, rep in data.items():
        rows = [(k, v if not isinstance(v, list) else len(v)) for k, v in rep.items()]
        console.print(table(f"Ingest: {name}", ["", "value"], rows))
        for err in rep.get("errors", [])[:20]:
            console.print(f"[yellow]skipped:[/yellow] {err}", highlight=False)


@cli_errors
def forget(
    account: str = typer.Option(None, "--account", help="account id or exact name"),
    contact: str = typer.Option(None, "--contact", help="contact id, email or exact name"),
    source: str = typer.Option(None, "--source", help="an ingested file path or source id"),
    as_: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Erase from every store, compact the databases, and print a receipt (counts only, no names)."""
    if sum(x is not None for x in (account, contact, source)) != 1:
        raise UserError("forget takes exactly one of --account, --contact or --source")
    receipt = get_copilot().forget(acting(as_), account=account, contact=contact, source=source)
    if json_:
        print_json(receipt)
        return
    console.print(table(f"Erased {receipt.subject} ({receipt.erased_at})", ["store", "what", "removed"],
                        receipt.rows()))
    left = sum(receipt.residual.values())
    if left:
        console.print(f"[yellow]{left} file(s) under the data directory still hold a name or email:[/yellow] "
                      + ", ".join(f"{k} {v}" for k, v in receipt.residual.items()), highlight=False)
