"""``copilot eval``: run the eval suites, print a table per suite, write results.json and report.html."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from copilot.core.errors import UserError
from integrations.cli.common import (
    JSON_HELP,
    cli_errors,
    console,
    err_console,
    get_copilot,
    print_json,
    table,
)


def register(app: typer.Typer) -> None:
    app.command("eval", help="Run eval suites (retrieval qa routing calls followups roleplay forecast safety).")(
        eval_cmd)


def _judge(llm: str | None):  # type: ignore[no-untyped-def]
    if not llm:
        return None
    from copilot.core.llm import build_chat_model

    return build_chat_model(get_copilot().settings.model_copy(update={"llm": llm}))


@cli_errors
def eval_cmd(
    suites: list[str] = typer.Argument(None, help="suites to run (default: all)"),
    dataset: Path = typer.Option(None, "--dataset", help="a dataset file for the suite, or a folder of them"),
    llm: str = typer.Option(None, "--llm", help="LLM id (openai:<model>) for the agent under test and the judge"),
    repeat: int = typer.Option(1, "--repeat", help="run each suite N times; reports pass^N"),
    out: Path = typer.Option(Path("eval-results"), "--out", help="folder for results.json and report.html"),
    compare_to: Path = typer.Option(None, "--compare", help="a previous results.json: show deltas"),
    thresholds: Path = typer.Option(None, "--thresholds", help="YAML of suite.metric: {min: x} / {max: y}"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from evals import runner
    from evals.report_html import render_html

    cp = get_copilot()
    if llm:
        from copilot.app import Copilot

        cp = Copilot(cp.settings.model_copy(update={"llm": llm}))
    old = None
    if compare_to:
        try:
            old = json.loads(compare_to.read_text())
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read {compare_to}: {exc}", hint="pass a results.json written by 'copilot eval'") from None
    limits = runner.load_thresholds(thresholds) if thresholds else None
    results = runner.run_suites(cp, suites or None, dataset=dataset, repeat=repeat, judge=_judge(llm),
                                progress=not json_)
    comparison = runner.compare(old, results) if old else None
    js, html = runner.write_results(results, out)
    if comparison:
        html.write_text(render_html(results, comparison))
    failures = runner.check_thresholds(results, limits) if limits else []
    results["threshold_failures"] = failures
    if json_:
        print_json(results | ({"comparison": comparison} if comparison else {}))
    else:
        for name, res in results["suites"].items():
            title = f"{name} ({res['status']}{': ' + res['note'] if res['note'] else ''}, {res['seconds']} s)"
            console.print(table(title, ["metric", "value"],
                                [(k, f"{v:.4g}" if isinstance(v, float) else v) for k, v in res["metrics"].items()]))
        if comparison:
            console.print(table("compared with " + str(compare_to), ["suite", "metric", "old", "new", "delta", "p"],
                                [(r["suite"], r["metric"], _f(r["old"]), _f(r["new"]), _f(r["delta"]),
                                  _f(r["p_mcnemar"] if r["p_mcnemar"] is not None else r["p_bootstrap"]))
                                 for r in comparison]))
        err_console.print(f"wrote {js} and {html}")
    if failures:
        for f in failures:
            err_console.print(f"[red]threshold:[/red] {f}", highlight=False)
        raise typer.Exit(1)


def _f(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else "" if v is None else str(v)
