"""Pipeline answers and the backtest on the real Maven export; expected numbers computed here with csv."""

import csv
from collections import defaultdict
from datetime import date

import pytest

from copilot.core.domain import Principal, Role
from copilot.core.visibility import scope_for
from tools.crm_query.run import run_query
from tools.crm_query.schema import CrmFilters, CrmQuery, DateWindow
from tools.forecast.periods import quarter_label, quarter_of
from tools.forecast.pipeline import PipelineQuery, pipeline_query

ADMIN = scope_for(Principal(user_id="admin", name="Admin", role=Role.ADMIN))
EXEC = scope_for(Principal(user_id="exec", name="Exec", role=Role.EXEC))


@pytest.fixture(scope="module")
def rows(shared_data):
    with open(shared_data / "crm_maven" / "sales_pipeline.csv", newline="") as f:
        pipeline = list(csv.DictReader(f))
    with open(shared_data / "crm_maven" / "sales_teams.csv", newline="") as f:
        teams = {r["sales_agent"]: r for r in csv.DictReader(f)}
    return pipeline, teams


def _q(s: str) -> str:
    return quarter_label(*quarter_of(date.fromisoformat(s)))


def test_won_revenue_per_quarter(maven, rows):
    pipeline, _ = rows
    want: dict[str, float] = defaultdict(float)
    for r in pipeline:
        if r["deal_stage"] == "Won":
            want[_q(r["close_date"])] += float(r["close_value"])
    res = pipeline_query(maven.services.crm, ADMIN, PipelineQuery(metric="won_revenue", group_by="quarter"))
    assert {r.group: r.value for r in res.rows} == pytest.approx(dict(want))
    assert res.total.value == pytest.approx(sum(want.values()))
    assert "closed won" in res.description


def test_won_revenue_per_manager_last_quarter(maven, rows):
    pipeline, teams = rows
    want: dict[str, float] = defaultdict(float)
    for r in pipeline:
        if r["deal_stage"] == "Won" and "2017-07-01" <= r["close_date"] <= "2017-09-30":
            want[teams[r["sales_agent"]]["manager"]] += float(r["close_value"])
    q = PipelineQuery(metric="won_revenue", group_by="manager", period="last quarter", as_of=date(2017, 10, 15))
    res = pipeline_query(maven.services.crm, ADMIN, q)
    assert (res.start, res.end) == (date(2017, 7, 1), date(2017, 9, 30))
    assert {r.group: r.value for r in res.rows} == pytest.approx(dict(want))
    assert len(res.rows) == 6


def test_win_rate_and_cycle_per_rep_in_a_managers_scope(maven, rows):
    pipeline, teams = rows
    won: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    cycle: dict[str, list[int]] = defaultdict(list)
    for r in pipeline:
        agent = r["sales_agent"]
        # a manager sees their own reports, not the other manager's reps in the same office
        if teams[agent]["manager"] != "Dustin Brinkmann" or not r["close_date"].startswith("2017-0"):
            continue
        if not ("2017-04-01" <= r["close_date"] <= "2017-06-30"):
            continue
        closed[agent] += 1
        if r["deal_stage"] == "Won":
            won[agent] += 1
            cycle[agent].append((date.fromisoformat(r["close_date"]) - date.fromisoformat(r["engage_date"])).days)
    mgr = maven.scope(maven.principal("Dustin Brinkmann"))
    res = pipeline_query(maven.services.crm, mgr, PipelineQuery(metric="win_rate", group_by="rep", period="Q2 2017"))
    got = {r.group: (r.value, r.deals) for r in res.rows}
    assert got == {a: (pytest.approx(round(won[a] / closed[a], 4)), closed[a]) for a in closed}
    res = pipeline_query(maven.services.crm, mgr, PipelineQuery(metric="cycle_length", group_by="rep", period="Q2 2017"))
    assert {r.group: r.value for r in res.rows} == {a: pytest.approx(sum(v) / len(v), abs=0.051)
                                                   for a, v in cycle.items()}


def test_exec_sees_pseudonymized_groups_with_small_ones_suppressed(maven, rows):
    pipeline, _ = rows
    q = PipelineQuery(metric="deal_count", group_by="rep", start=date(2017, 3, 1), end=date(2017, 3, 7))
    res = pipeline_query(maven.services.crm, EXEC, q)
    want: dict[str, int] = defaultdict(int)
    for r in pipeline:
        if "2017-03-01" <= r["close_date"] <= "2017-03-07":
            want[r["sales_agent"]] += 1
    assert res.total.value == sum(want.values())  # totals are still complete
    assert all(r.group.startswith("Person-") for r in res.rows)
    assert sorted(r.deals for r in res.rows) == sorted(n for n in want.values() if n >= EXEC.min_group_size)
    assert res.suppressed_groups == sum(1 for n in want.values() if n < EXEC.min_group_size) > 0


def test_an_execs_top_n_is_counted_after_small_groups_are_suppressed(maven, rows):
    """'top 3 sellers by win rate' for an exec: reps with one or two closed deals top a rate ranking at 100%; they
    are suppressed, and the three shown are the best of those large enough to show (it showed one)."""
    pipeline, _ = rows
    q = CrmQuery(metric="win_rate", group_by="rep", order="desc", limit=3,
                 filters=CrmFilters(status="closed", windows=[
                     DateWindow(field="closed", start=date(2017, 3, 15), end=date(2017, 3, 21))]))
    res = run_query(maven.services.crm, EXEC, q, today=date(2017, 12, 31))
    won: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    for r in pipeline:
        if "2017-03-15" <= r["close_date"] <= "2017-03-21" and r["deal_stage"] in ("Won", "Lost"):
            closed[r["sales_agent"]] += 1
            won[r["sales_agent"]] += r["deal_stage"] == "Won"
    assert any(n < EXEC.min_group_size and won[a] == n for a, n in closed.items())  # a small group at 100%
    big = sorted((-won[a] / n, a) for a, n in closed.items() if n >= EXEC.min_group_size)
    assert [(r.value, r.n) for r in res.rows] == [(pytest.approx(-v, abs=1e-4), closed[a]) for v, a in big[:3]]
    assert all(r.group.startswith("Person-") for r in res.rows)


@pytest.fixture(scope="module")
def report(maven):
    """One backtest for the module: both tests below read it (each used to replay Maven on its own)."""
    return maven.services.forecaster.backtest()


def test_backtest_is_never_worse_than_the_baseline(report):
    by = {m.method: m for m in report.methods}
    assert [p.as_of for p in report.points] == [date(2017, 6, 30), date(2017, 9, 30)]
    assert by["product"].brier <= by["baseline"].brier
    for p in report.points:
        assert p.brier["product"] <= p.brier["baseline"] + 1e-9
    # the model is kept (its holdout Brier is within the fallback margin of the baseline's), and it is not worse
    assert all(p.product_model == "logistic" for p in report.points), report.product_note


def test_forecast_on_old_data_uses_the_newest_date_and_says_so(maven):
    fc = maven.services.forecaster.forecast(maven.scope(maven.principal("Dustin Brinkmann")))
    assert fc.as_of == date(2017, 12, 31) and fc.quarter == "2017Q4"
    assert any("newest CRM data is from 2017-12-31" in n for n in fc.notes)
    assert fc.subject == "team Central"


def test_maven_rolling_backtest(report):
    roll = report.rolling
    assert roll is not None and len(roll.as_ofs) >= 4
    product, stage, conv = roll.get("product"), roll.get("stage_weighted"), roll.get("conversion")
    assert product is not None and stage is not None and conv is not None
    assert product.mape <= min(stage.mape, conv.mape)  # the done-when: no worse than the better baseline
    assert product.coverage is not None and 0.7 <= product.coverage <= 0.9
    assert {p.subject for p in roll.points} >= {"company", "team Central", "team East", "team West"}
