"""``copilot actions list|show|approve|edit|reject|retry|stats|verify``: the human confirmation loop.

Approval binds to what was shown: ``approve`` prints the payload and approves the hash of exactly what it
printed (or the ``--hash`` printed earlier by ``show``), so a payload changed in between is refused.
A stuck action (left ``executing`` by a crashed worker) is never re-sent by itself: ``retry --mark-failed``
records that it did not go out, ``retry --force-resend`` sends it again.
"""

from __future__ import annotations

import json
from typing import Any

import click
import typer
import yaml

from copilot.app import Action, State, payload_hash
from copilot.core.errors import UserError
from integrations.cli.common import (
    AS_HELP,
    JSON_HELP,
    acting,
    cli_errors,
    console,
    err_console,
    get_copilot,
    print_json,
    table,
)

actions_app = typer.Typer(help="Proposed actions: review, approve, edit, reject, retry; adoption stats; audit.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")


def _row(a: Action) -> tuple[Any, ...]:
    return (a.id, a.kind, a.state.value, a.owner_id, f"{a.confidence:.2f}", a.summary()[:70],
            a.created_at.strftime("%Y-%m-%d %H:%M"))


def _show(a: Action) -> None:
    console.print(f"[bold]{a.id}[/bold] {a.kind} [{a.state.value}] owner {a.owner_id}, proposed by {a.tool}, "
                  f"confidence {a.confidence:.2f}")
    console.print(f"rationale: {a.rationale}")
    for c in a.citations:
        console.print(f"  source: {c.location()}")
    console.print(yaml.safe_dump(a.payload, sort_keys=True, allow_unicode=True).rstrip(), markup=False)
    console.print(f"payload hash: {a.payload_hash}")
    if a.error:
        console.print(f"[red]error:[/red] {a.error}", markup=True)


def _outcome(a: Action, json_: bool, *, failure_expected: bool = False) -> None:
    if json_:
        print_json(a)
    else:
        console.print(f"{a.id}: {a.state.value}" + (f" -> {a.result}" if a.result else ""), highlight=False)
    if a.state is State.FAILED and not failure_expected:
        err_console.print(f"[red]error:[/red] execution failed: {a.error}; fix it, then 'copilot actions retry {a.id}'")
        raise typer.Exit(1)


@actions_app.command("list")
@cli_errors
def list_(who: str = typer.Option(None, "--as", help=AS_HELP),
          all_: bool = typer.Option(False, "--all", help="every state, not only pending"),
          stuck: bool = typer.Option(False, "--stuck", help="actions left executing by a crashed worker"),
          json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    p = acting(who)
    items = get_copilot().actions_list(p, states=list(State) if all_ else None, stuck=stuck)
    if json_:
        print_json(items)
        return
    title = "Stuck actions (executing)" if stuck else ("Actions" if all_ else "Pending actions")
    console.print(table(title, ["id", "kind", "state", "owner", "conf", "summary", "created"], map(_row, items)))


@actions_app.command("show")
@cli_errors
def show(action_id: str, who: str = typer.Option(None, "--as", help=AS_HELP),
         json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    p = acting(who)
    cp = get_copilot()
    a = cp.actions_show(p, action_id)
    if json_:
        print_json({**a.model_dump(mode="json"), "history": cp.actions_history(p, action_id)})
        return
    _show(a)
    console.print(table("History", ["seq", "at", "actor", "from", "to", "note"],
                        [(e["seq"], e["at"], e["actor"], e["from"], e["to"], e["note"] or (e["diff"] or ""))
                         for e in cp.actions_history(p, action_id)]))


@actions_app.command("approve")
@cli_errors
def approve(action_id: str, who: str = typer.Option(None, "--as", help=AS_HELP),
            shown: str = typer.Option(None, "--hash", help="payload hash you reviewed (from 'show')"),
            confirm: list[str] = typer.Option([], "--confirm-recipient", help="allow this outside address"),
            no_execute: bool = typer.Option(False, "--no-execute", help="approve only; a worker executes later"),
            json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    p = acting(who)
    cp = get_copilot()
    if shown is None:
        a = cp.actions_show(p, action_id)
        if not json_:
            _show(a)
        shown = payload_hash(a.payload)  # the hash of exactly what was displayed
    result = cp.actions_approve(p, action_id, shown_hash=shown, confirm_recipients=confirm, execute=not no_execute)
    _outcome(result, json_)


def _parse_value(raw: str, current: Any) -> Any:
    if isinstance(current, list) and not raw.lstrip().startswith("["):
        return [x.strip() for x in raw.split(",") if x.strip()]
    if isinstance(current, str) or current is None and not raw.lstrip().startswith(("[", "{")):
        return raw.replace("\\n", "\n")
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise UserError(f"cannot read value {raw!r}: {exc}") from None


def apply_sets(payload: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """``field=value`` edits; dotted paths reach nested fields (``fields.stage=demo``); lists take commas."""
    out = json.loads(json.dumps(payload))
    for item in sets:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise UserError(f"--set {item!r} is not field=value", hint="e.g. --set subject='New subject'")
        keys = path.strip().split(".")
        node = out
        for k in keys[:-1]:
            node = node.setdefault(k, {})
            if not isinstance(node, dict):
                raise UserError(f"--set {path}: {k} is not a group of fields")
        node[keys[-1]] = _parse_value(raw, node.get(keys[-1]))
    return out


@actions_app.command("edit")
@cli_errors
def edit(action_id: str, who: str = typer.Option(None, "--as", help=AS_HELP),
         sets: list[str] = typer.Option([], "--set", help="field=value (repeatable); without it opens $EDITOR"),
         confirm: list[str] = typer.Option([], "--confirm-recipient", help="allow this outside address"),
         no_execute: bool = typer.Option(False, "--no-execute", help="record the edit; a worker executes later"),
         json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    p = acting(who)
    cp = get_copilot()
    a = cp.actions_show(p, action_id)
    shown = payload_hash(a.payload)
    if sets:
        new = apply_sets(a.payload, sets)
    else:
        text = click.edit(yaml.safe_dump(a.payload, sort_keys=True, allow_unicode=True), extension=".yaml")
        if text is None:
            raise UserError("the editor was closed without saving; nothing changed")
        try:
            new = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"the edited payload is not valid YAML/JSON: {exc}; nothing changed") from None
    result = cp.actions_edit(p, action_id, payload=new, shown_hash=shown, confirm_recipients=confirm,
                         execute=not no_execute)
    _outcome(result, json_)


@actions_app.command("reject")
@cli_errors
def reject(action_id: str, who: str = typer.Option(None, "--as", help=AS_HELP),
           reason: str = typer.Option("", "--reason", help="why (feeds the adoption report)"),
           json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    a = get_copilot().actions_reject(acting(who), action_id, reason=reason)
    _outcome(a, json_)


@actions_app.command("retry")
@cli_errors
def retry(action_id: str, who: str = typer.Option(None, "--as", help=AS_HELP),
          force_resend: bool = typer.Option(False, "--force-resend",
                                            help="run a stuck (executing) action again; it may already have gone out"),
          mark_failed: bool = typer.Option(False, "--mark-failed", help="record a stuck action as failed, no resend"),
          reason: str = typer.Option("", "--reason"),
          json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    if force_resend and mark_failed:
        raise UserError("choose one of --force-resend and --mark-failed")
    a = get_copilot().actions_retry(acting(who), action_id, force_resend=force_resend, mark_failed=mark_failed,
                                    reason=reason)
    _outcome(a, json_, failure_expected=mark_failed)  # marking it failed is what was asked: success


@actions_app.command("run")
@cli_errors
def run_approved(action_id: str = typer.Argument(None, help="one approved action; omit to run every approved one"),
                 json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Execute approved actions that were approved with --no-execute (the worker's job, by hand)."""
    cp = get_copilot()
    done = cp.actions_run(action_id)
    if json_:
        print_json(done)
        return
    for a in done:
        console.print(f"{a.id}: {a.state.value}" + (f" ({a.error})" if a.error else ""), highlight=False)
    if not done:
        console.print("no approved action waits for execution")
    if any(a.state is State.FAILED for a in done):
        raise typer.Exit(1)


@actions_app.command("stats")
@cli_errors
def stats(who: str = typer.Option(None, "--as", help=AS_HELP),
          json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    p = acting(who)
    data = cp.actions_stats(p)
    if json_:
        print_json(data)
        return
    cols = ["group", "proposed", "decided", "adoption", "mean edit dist", "median decision s", "executed",
            "failures"]
    for dim in ("kind", "tool", "rep", "team", "week"):
        rows = [(k, g["proposed"], g["decided"], "" if g["adoption_rate"] is None else f"{g['adoption_rate']:.0%}",
                 g["mean_edit_distance"], g["median_decision_seconds"], g["executed"], g["failures"])
                for k, g in data[f"by_{dim}"].items()]
        console.print(table(f"Adoption by {dim}", cols, rows))
    t = data["total"]
    console.print(f"total: {t['proposed']} proposed, {t['decided']} decided, adoption "
                  f"{'n/a' if t['adoption_rate'] is None else format(t['adoption_rate'], '.0%')}, "
                  f"{t['expired']} expired, {t['failures']} execution failures")


@actions_app.command("verify")
@cli_errors
def verify(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    report = get_copilot().actions_verify()
    if json_:
        print_json(report)
    elif report.ok:
        console.print(f"audit chain intact: {report.events} events")
    else:
        for problem in report.problems:
            err_console.print(f"[red]tampered:[/red] {problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)
