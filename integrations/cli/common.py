"""What every CLI command shares: the Copilot instance, ``--as`` resolution, output and errors.

Conventions (DESIGN.md section 6): ``--json`` prints exactly one JSON document on stdout; logs and
progress go to stderr; exit 0 on success, 1 for a user error with a one-line message naming the fix,
2 for wrong usage (typer's own).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from copilot.app import Copilot
from copilot.core.domain import Principal
from copilot.core.errors import CopilotError
from copilot.core.settings import load_settings

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

AS_HELP = "who is acting: user id, email or full name"
JSON_HELP = "print one JSON document on stdout"

_copilot: Copilot | None = None


def get_copilot() -> Copilot:
    """The process's Copilot, built from settings on first use."""
    global _copilot
    if _copilot is None:
        _copilot = Copilot(load_settings())
    return _copilot


def set_copilot(copilot: Copilot | None) -> None:
    """Tests and the API use this to run commands against a specific Copilot."""
    global _copilot
    _copilot = copilot


def acting(who: str | None) -> Principal:
    if not who:
        raise CopilotError("this command acts for someone", hint="pass --as USER (id, email or full name)")
    return get_copilot().principal(who)


def cli_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn CopilotErrors into one line on stderr and exit code 1; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CopilotError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, default=str) + "\n")


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    t = Table(title=title, title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    return t
