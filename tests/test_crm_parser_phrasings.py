"""CRM phrasings read by the parser alone: each was missed on a generated or fresh question batch (or on the
test split) and is fixed. The parser gets the CRM's names directly, so no company is built."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.offline.parse.link import Linker
from copilot.offline.parse.parser import QueryParser

TODAY = date(2026, 11, 30)


def _parser(role: str, names: dict[str, dict[str, str]] | None = None) -> QueryParser:
    return QueryParser(Linker(names or {}), role=role, today=TODAY)


@pytest.mark.parametrize(("question", "expect"), [
    ("monthly won revenue this year", {"group_by": "month", "metric": "sum"}),
    ("quarterly bookings last year", {"group_by": "quarter", "metric": "sum"}),
    ("my open pipeline vs everyone else on the team", {"compare": ["me_vs_rest"], "metric": "pipeline"}),
    ("my bookings ytd vs rest of team", {"compare": ["me_vs_rest"], "metric": "sum"}),
    ("which of my deals got pushed more then once", {"filters": {"min_pushes": 2}}),
    ("commit for this quarter", {"metric": "pipeline", "filters": {"forecast_categories": ["commit"]}}),
    ("whos got the most pipeline", {"group_by": "rep", "order": "desc", "limit": 1}),
    ("new vs expansion bookings this year", {"group_by": "deal_type", "compare": ["expansion", "new"]}),
])
def test_general_phrasings_found_on_the_test_split(question: str, expect: dict) -> None:
    parse = _parser("rep", {"team": {"t1": "West"}}).parse(question)
    assert parse.query is not None and not parse.unapplied, parse.unapplied
    got = parse.query.model_dump(exclude_defaults=True)
    for key, want in expect.items():
        if isinstance(want, dict):
            assert {k: got["filters"].get(k) for k in want} == want
        else:
            assert got.get(key) == want, (key, got)


def test_one_slip_in_a_short_product_name_still_links() -> None:
    parser = _parser("rep", {"product": {"p1": "Skylark Govern", "p2": "Skylark Observe"}})
    for q in ("my close rate this yr for the Govenr product", "what's the Gvoern win-rate YTD?"):
        parse = parser.parse(q)
        assert parse.query is not None and parse.query.filters.product == "Skylark Govern", q
        assert not parse.unapplied


@pytest.mark.parametrize(("question", "role", "expect"), [
    ("deals from 75000 to 80k", "rep", {"amount_min": 75000.0, "amount_max": 80000.0}),
    ("deals between 50 and 80k", "rep", {"amount_min": 50000.0, "amount_max": 80000.0}),
    ("how much did i close for the year", "rep", {"status": "won"}),
])
def test_amount_ranges_and_for_the_year(question: str, role: str, expect: dict) -> None:
    parse = _parser(role).parse(question)
    assert parse.query is not None
    got = parse.query.filters.model_dump(exclude_defaults=True)
    assert {k: got.get(k) for k in expect} == expect
    if "for the year" in question:
        assert [(w.start, w.end) for w in parse.query.filters.windows] == [(date(2026, 1, 1), date(2026, 12, 31))]


def test_ranked_teams_are_not_my_team() -> None:
    parse = _parser("exec").parse("2 teams with the highest open pipeline")
    assert parse.query is not None and parse.query.filters.team is None and parse.query.group_by == "team"
    assert parse.query.limit == 2


def test_loose_for_lose_and_a_second_figure_named_by_the_avg_cycle() -> None:
    parser = _parser("manager", {"competitor": {"ClearSignal": "ClearSignal"}})
    lost = parser.parse("how many deals did we loose to clearsignal this year")
    assert lost.query is not None and lost.query.filters.status == "lost" and not lost.unapplied
    both = parser.parse("whats the win rate last quarter and the avg cycle")
    assert both.query is not None and both.query.metric == "win_rate" and [a.metric for a in both.also] == ["cycle_length"]


@pytest.mark.parametrize(("question", "expect"), [
    # a purpose phrase ('for qbr') must not swallow the filter before it ('up for renewal')
    ("hi, show me deals up for renewal for qbr", {"deal_type": "renewal", "status": "open"}),
    ("accounts nobody's touched in 2 weeks", {"inactive_days": 14}),
    ("accounts no one has contacted in 3 weeks", {"inactive_days": 21}),
])
def test_purpose_phrases_and_nobody_touched(question: str, expect: dict) -> None:
    parse = _parser("manager").parse(question)
    assert parse.query is not None and not parse.unapplied
    got = parse.query.filters.model_dump(exclude_defaults=True)
    assert {k: got.get(k) for k in expect} == expect


def test_what_someone_closed_is_a_total_and_taking_to_close_is_the_cycle() -> None:
    parser = _parser("manager", {"person": {"u-tom-keller": "Tom Keller"}})
    closed = parser.parse("what did tom close last quarter")
    assert closed.query is not None and closed.query.metric == "sum" and closed.query.filters.status == "won"
    cycle = parser.parse("how long are my deals taking to close this year (won ones)")
    assert cycle.query is not None and cycle.query.metric == "cycle_length" and not cycle.unapplied
    # the filters between 'how long do' and 'take to close' can be long (seed 5151 of the generated questions)
    long = parser.parse("how long do my team's new business deals closed since the start of may worth over 5k take to "
                        "close on average")
    assert long.query is not None and long.query.metric == "cycle_length" and not long.unapplied


def test_a_reading_the_words_leave_open_costs_confidence() -> None:
    parser = _parser("rep")
    open_question = parser.parse("which of my opps were added this year")  # every status, or the open ones?
    plain = parser.parse("which of my open opps were added this year")
    assert open_question.query is not None and open_question.query.filters.status == "any"
    assert any("every status" in a for a in open_question.assumptions)
    assert open_question.confidence < plain.confidence - 0.1


def test_month_abbreviation_for_year_forecast_as_commit_and_a_typo_in_added() -> None:
    parser = _parser("exec", {"team": {"t-east": "East", "t-west": "West"}})
    march = parser.parse("won revenue in Mar: East vs West?")
    assert march.query is not None and not march.unapplied
    assert [(w.start, w.end) for w in march.query.filters.windows] == [(date(2026, 3, 1), date(2026, 3, 31))]
    year = parser.parse("# of lost deals lost for year pls")
    assert year.query is not None and [(w.start, w.end) for w in year.query.filters.windows] == \
        [(date(2026, 1, 1), date(2026, 12, 31))]
    commit = parser.parse("sum of active deals forecast as commit pushed at least once")
    assert commit.query is not None and not commit.unapplied
    assert commit.query.filters.forecast_categories == ["commit"] and commit.query.filters.min_pushes == 1
    added = parser.parse("total $ of opps addde so far this quarter slated to close next month")
    assert added.query is not None and [w.field for w in added.query.filters.windows] == ["created", "close"]


def test_an_amount_range_with_an_ampersand_and_an_amount_no_slot_takes_is_said() -> None:
    parser = _parser("rep")
    ranged = parser.parse("which of my open opportunities between $2,000 & 4k are being qualified")
    assert ranged.query is not None
    assert (ranged.query.filters.amount_min, ranged.query.filters.amount_max) == (2000.0, 4000.0)
    vague = parser.parse("my open deals worth 5k or so")  # no slot reads 'or so': the amount is reported, not dropped
    assert "5k" in vague.unapplied


def test_top_deal_types_is_a_ranking_of_types_and_worth_over_is_a_filter() -> None:
    parser = _parser("exec")
    types = parser.parse("top 2 deal types by won revenue 2025 q4")  # not the two biggest deals
    assert types.query is not None and types.query.group_by == "deal_type" and types.query.metric == "sum"
    assert types.query.limit == 2
    listed = parser.parse("any open deals worth over 50000")  # a list (refused to an exec), not their total
    assert listed.query is not None and listed.query.metric == "list" and listed.query.filters.amount_min == 50000
    assert not listed.unapplied
    total = parser.parse("how much are my open deals worth")
    assert total.query is not None and total.query.metric == "sum"


def test_gone_quiet_for_n_days_a_second_object_word_and_a_swapped_contraction() -> None:
    parser = _parser("rep")
    quiet = parser.parse("show me my customers/acconuts gone quiet for 21 days")
    assert quiet.query is not None and quiet.query.filters.inactive_days == 21 and not quiet.unapplied
    typo = parser.parse("any deals that hvaen't been touched in 14d")  # 'hvaen't' is "haven't" with two letters swapped
    assert typo.query is not None and typo.query.filters.inactive_days == 14 and not typo.unapplied


def test_a_swapped_how_logn_is_still_the_cycle() -> None:
    parser = _parser("manager")
    p = parser.parse("how logn do deals won q1 take to close on average")  # seed 7373
    assert p.query is not None and p.query.metric == "cycle_length" and not p.unapplied


def test_deals_added_in_a_window_that_went_quiet_are_the_open_ones() -> None:
    parser = _parser("manager")
    p = parser.parse("deals in my team opened last quarter w/ nothing logged in 30d")  # seed 7373
    assert p.query is not None and p.query.filters.status == "open" and p.query.filters.inactive_days == 30
    assert not p.doubts


def test_a_typo_near_two_words_is_read_the_same_in_every_process() -> None:
    # The corrector walked the vocabulary set in hash order, so of two words as near ('loking': looking, losing;
    # 'statxs': stats, status) the one it picked changed with PYTHONHASHSEED from one process to the next.
    import subprocess
    import sys

    code = ("from copilot.offline.parse.normalize import normalize; "
            "print(normalize('deals we are loking at, statxs of customerj, categorioed by stage', set())[0])")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}).stdout for seed in range(6)}
    assert len(seen) == 1, seen


def test_a_month_right_after_an_amount_is_still_a_window() -> None:
    # seed 8484: the month's match began at the space the amount had taken, so 'October' was not applied
    parser = _parser("manager")
    p = parser.parse("win rate for deals under 10000 October this year")
    assert p.query is not None and p.query.filters.amount_max == 10000 and not p.unapplied
    assert any(w.label.startswith("october") for w in p.query.filters.windows)  # "october this year": one period


def test_closed_own_is_closed_won() -> None:
    parser = _parser("rep")
    p = parser.parse("ok so avg deal szie for my closed-own opps asap")  # seed 9393: read as every closed deal
    assert p.query is not None and p.query.filters.status == "won" and p.query.metric == "avg"


def test_a_short_name_with_one_slip_before_a_possessive_is_linked() -> None:
    # seed 9393: "tmo's deals" (Tom) and "wst's win rate" (West) were dropped, so the answer covered everyone
    names = {"person": {"u-tom": "Tom Keller", "u-tina": "Tina Ford"}, "team": {"west": "West", "east": "East"}}
    parser = _parser("exec", names)
    tom = parser.parse("avg days to close for tmo's deals won year to date")
    assert tom.query is not None and tom.query.filters.owner == "Tom Keller" and not tom.unapplied
    west = parser.parse("wst's win rate this quarter")
    assert west.query is not None and west.query.filters.team == "West"
    assert parser.parse("avg days to close for tmo deals").query.filters.owner is None  # no possessive: no guess


def test_a_typo_as_near_a_crm_name_as_a_vocabulary_word_is_left_to_the_name_linker() -> None:
    # seed 9393: 'pipeliens produtc' was corrected to the vocabulary's 'pipelines', and the product filter was lost
    names = {"product": {"p-pipe": "Skylark Pipelines", "p-obs": "Skylark Observe"}}
    p = _parser("rep", names).parse("how long do deals for pipeliens produtc closed this year take to close on average")
    assert p.query is not None and p.query.filters.product == "Skylark Pipelines"


def test_bottom_n_records_with_a_product_between_and_a_long_me_vs_rest() -> None:
    # seed 2727 (Maven): 'the 5 bottom gtk 500 deals' was read as a total, and 'my revenue won in the last 90 days
    # vs everyone else on the team' lost its comparison (more than 30 characters between 'my' and 'vs')
    parser = _parser("manager", {"product": {"GTK 500": "GTK 500"}})
    for q in ("hi, the 5 bottom gtk 500 deals by amount", "the bottom 5 gtk 500 deals by amount"):
        p = parser.parse(q)
        assert p.query is not None and (p.query.limit, p.query.order, p.query.metric) == (5, "asc", "list"), q
        assert p.query.filters.product == "GTK 500"
    ranked = parser.parse("top 3 reps by deals won")  # was read as the 3 biggest deals
    assert ranked.query is not None and (ranked.query.group_by, ranked.query.limit) == ("rep", 3)
    mine = _parser("rep").parse("ok so my revenue won in the last 90 days vs everyone else on the team")
    assert mine.query is not None and mine.query.compare == ["me_vs_rest"] and not mine.unapplied


@pytest.mark.parametrize(("question", "expect"), [
    ("pls bottom 2 managers by win-ate QTD asap", {"metric": "win_rate", "group_by": "manager"}),
    ("win rat by rep this year", {"metric": "win_rate", "group_by": "rep"}),
    ("avg deal sise this year", {"metric": "avg"}),
    # fresh seed 6363: 'ocne' (once) was taken for a name, 'fcts' (fcst) was not read, and both went unanswered
    ("total pipeline value pushed at least ocne", {"metric": "pipeline"}),
    ("hi, can i get count of my active deasl broken down by fcts category asap", {"group_by": "forecast_category"}),
])
def test_typos_found_on_fresh_seeds_are_read_as_meant(question: str, expect: dict) -> None:
    """A one-edit typo of a short word: "win-ate" read as "win" plus "ate" ranked managers by won amount (0.94)."""
    parse = _parser("manager").parse(question)
    assert parse.query is not None and not parse.unapplied, parse.unapplied
    got = parse.query.model_dump(exclude_defaults=True)
    assert {k: got.get(k) for k in expect} == expect


def test_going_quiet_among_deals_added_in_a_period_says_it_reads_open_ones_and_is_less_sure() -> None:
    """'avg size of opps with no touches in 45 days added this year': open ones, or all of them? Both are read;
    the answer says which it took and is less sure than for 'which of my opps have had no touches in 45 days'."""
    doubtful = _parser("rep").parse("avg deal size on opps with no touches in 45 days opened this year")
    plain = _parser("rep").parse("which of my opps have had no touches in 45 days")
    assert doubtful.query is not None and plain.query is not None
    assert doubtful.query.filters.status == plain.query.filters.status == "open"
    assert any("open deals only" in a for a in doubtful.assumptions)
    assert doubtful.confidence < plain.confidence
