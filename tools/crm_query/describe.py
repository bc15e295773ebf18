"""The two plain-word notes of every CRM answer: how the question was read, and how it is computed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from copilot.core.visibility import Scope
from tools.crm_query.schema import ADDITIVE, CrmQuery

METRIC_WORDS = {
    "list": "the list of", "count": "the number of", "sum": "the total amount of", "avg": "the average amount of",
    "win_rate": "the win rate of", "loss_rate": "the loss rate of", "pipeline": "the open pipeline (total amount) of",
    "cycle_length": "the average sales cycle of", "activity_count": "the number of activities on",
    "last_touch": "the latest activity date of", "account_count": "the number of distinct accounts of",
    "list_value": "the list-price value of", "discount": "the average discount off list price of",
}
DEFINITIONS = {
    "list": "matching records",
    "count": "number of matching records",
    "sum": "sum of the amount of matching deals (a missing amount counts as 0)",
    "avg": "mean amount of matching deals that have an amount",
    "win_rate": "won / (won + lost) among matching closed deals",
    "loss_rate": "lost / (won + lost) among matching closed deals",
    "pipeline": "sum of the amount of matching open deals",
    "cycle_length": "mean days from creation to close of the matching closed deals (won ones, or lost ones when asked for)",
    "activity_count": "number of activities logged on the matching records",
    "last_touch": "latest activity date among the matching records",
    "account_count": "number of different accounts among the matching deals (an account with several counts once)",
    "list_value": "sum of the list price of each matching deal's product (a deal with no product or price counts as 0)",
    "discount": "mean of 1 - amount / list price over the matching deals that have both",
}
FIELD_WORDS = {"created": "created", "close": "closing", "closed": "closed", "last_activity": "last active",
               "next_step": "next step due"}


def millions(v: float) -> str:
    """An account revenue as the CRM stores it (millions): 5000 -> '$5B', 250 -> '$250M'."""
    return f"${v / 1000:,.4g}B" if v >= 1000 else f"${v:,.4g}M"


# The account's numeric facts bounded by the query, each value as shown, and the words per language around it.
FACT_BOUND_VALUES: dict[str, Callable[[Any], str]] = {
    "employees_min": "{:,}".format, "employees_max": "{:,}".format, "revenue_min": millions,
    "revenue_max": millions, "founded_min": str, "founded_max": str}
FACT_BOUND_WORDS = {
    "employees_min": "with at least {} employees", "employees_max": "with at most {} employees",
    "revenue_min": "with annual revenue of at least {}", "revenue_max": "with annual revenue of at most {}",
    "founded_min": "established in {} or later", "founded_max": "established in {} or earlier"}


def fact_bounds(q: CrmQuery, words: dict[str, str]) -> list[str]:
    """The query's bounds on headcount, revenue and founding year, in ``words`` (a language's wording per bound)."""
    values = [(name, getattr(q.filters, name)) for name in FACT_BOUND_VALUES]
    return [words[name].format(FACT_BOUND_VALUES[name](v)) for name, v in values if v is not None]


def bound(q: CrmQuery, v: float) -> str:
    """A group bound as shown: a rate as a percentage (0.5999 -> '59.99%'), a count or amount as a number."""
    return f"{v * 100:.4g}%" if q.metric in ("win_rate", "loss_rate", "discount") else f"{v:,g}"


def ordinal(n: int) -> str:
    """2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _status_word(q: CrmQuery) -> str:
    if q.object != "deals":
        return ""
    return {"open": "open ", "won": "won ", "lost": "lost ", "closed": "closed ", "any": ""}[q.effective_status()]


def read_as(q: CrmQuery, labels: dict[str, str], scope: Scope) -> str:
    f = q.filters
    parts = [f"{METRIC_WORDS[q.metric]} {_status_word(q)}{q.object}"]
    if "owner" in labels:
        parts.append("owned by you" if labels["owner"] == "you" else f"owned by {labels['owner']}")
    if "manager" in labels:
        parts.append(f"of {labels['manager']}'s reports")
    if "team" in labels:
        parts.append(f"in team {labels['team']}")
    if f.stages:
        parts.append("in stage " + " or ".join(s.replace("_", " ") for s in f.stages))
    if f.forecast_categories:
        parts.append("in forecast category " + " or ".join(c.replace("_", " ") for c in f.forecast_categories))
    for slot in ("product", "account", "competitor"):
        if slot in labels:
            parts.append(f"{'against' if slot == 'competitor' else 'for'} {labels[slot]}")
    at = "" if q.object == "accounts" else "at accounts "
    for slot, word in (("series", "in product series {}"), ("sector", at + "in the {} industry"),
                       ("region", at + "in {}"), ("tier", f"{at}of tier {{}}"),
                       ("parent", ("that are " if q.object == "accounts" else "at ") + "subsidiaries of {}")):
        if slot in labels:
            parts.append(word.format(labels[slot]))
    if "exclude" in labels:
        parts.append(f"excluding {labels['exclude']}")
    if f.has_parent is not None:
        parts.append(("that are" if q.object == "accounts" else "at") + (" subsidiaries (accounts with a parent company)"
                                                                          if f.has_parent else " accounts with no parent company"))
    parts += [at + text for text in fact_bounds(q, FACT_BOUND_WORDS)]
    if f.deal_type:
        parts.append(f"of type {f.deal_type}")
    if f.has_competitor is not None:
        parts.append("with a competitor named" if f.has_competitor else "with no competitor named")
    if f.below_list is not None:
        parts.append("below their product's list price" if f.below_list else "at or above their product's list price")
    if f.amount_min is not None:
        parts.append(f"worth at least ${f.amount_min:,.0f}")
    if f.amount_max is not None:
        parts.append(f"worth at most ${f.amount_max:,.0f}")
    for w in f.windows:
        span = f"{w.start or '...'} to {w.end or '...'}"
        parts.append(f"{FIELD_WORDS[w.field]} {w.label + ' (' + span + ')' if w.label else span}")
    if f.activities_min is not None:
        parts.append(f"with at least {f.activities_min} activities logged")
    if f.activities_max is not None:
        parts.append(f"with at most {f.activities_max} activities logged")
    if f.inactive_days:
        parts.append(f"with no activity in the last {f.inactive_days} days")
    if f.min_days_in_stage:
        parts.append(f"in their current stage for at least {f.min_days_in_stage} days")
    if f.min_pushes:
        parts.append(f"with the close date pushed at least {f.min_pushes} time(s)")
    if f.has_next_step is not None:
        parts.append("with a next step" if f.has_next_step else "with no next step")
    if f.buying_role:
        parts.append(f"with buying role {f.buying_role.replace('_', ' ')}")
    if f.activity_kind:
        parts.append(f"of kind {f.activity_kind}")
    if f.without_deals:
        parts.append(("" if q.object == "accounts" else "at accounts ") +
                     f"with no {'' if f.without_deals == 'any' else f.without_deals + ' '}deals you can see")
    if f.with_contact_role:
        parts.append(f"at accounts with a {f.with_contact_role.replace('_', ' ')} contact on record")
    if f.without_contact_role:
        parts.append(f"at accounts with no {f.without_contact_role.replace('_', ' ')} contact on record")
    if q.compare == ["me_vs_rest"]:
        parts.append(f"{f.owner} against the rest of their team" if f.owner and f.owner.lower() not in ("me", "my", "i")
                     else "you against the rest of your team")
    elif q.compare:
        parts.append(f"comparing {q.group_by} {q.compare[0]} with {q.compare[1]}")
    elif q.group_by:
        parts.append(f"by {q.group_by.replace('_', ' ')}" + (", with everyone who has none at 0"
                                                               if q.include_empty and q.group_by == "rep" else ""))
    if q.value_min is not None:
        parts.append(f"only those at {bound(q, q.value_min)} or more")
    if q.value_max == 0:
        parts.append("only those with none")
    elif q.value_max is not None:
        parts.append(f"only those at {bound(q, q.value_max)} or less")
    if q.versus_window is not None:
        w = q.versus_window
        parts.append(f"each beside {w.label or 'the other period'} ({w.start or '...'} to {w.end or '...'})"
                     + (f", only those {'up' if q.trend == 'up' else 'down'}" if q.trend else ""))
    if q.min_records:
        parts.append(f"only {q.group_by.replace('_', ' ') if q.group_by else 'group'}s with at least {q.min_records} records")
    if q.versus_all:
        bar = ("the average per " + q.group_by.replace("_", " ") if q.metric in ADDITIVE and q.group_by
               else "the figure over all of them")
        parts.append(f"each against {bar}" if q.versus_all == "both" else f"only those {q.versus_all} {bar}")
    if q.rank:
        parts.append(f"the {ordinal(q.rank)} {'lowest' if q.order == 'asc' else 'highest'}")
    elif q.limit and q.metric != "list" or q.limit and q.order:
        parts.append(f"{('oldest' if q.order == 'asc' else 'newest') if q.sort_by == 'created' else 'bottom' if q.order == 'asc' else 'top'} "
                     f"{q.limit}")
    elif q.metric == "list" and q.order and q.sort_by == "created":
        parts.append("oldest first (by creation date)" if q.order == "asc" else "newest first (by creation date)")
    elif q.metric == "list" and q.order:
        parts.append("largest amount first" if q.order == "desc" else "smallest amount first")
    if q.share_of:
        parts.append("as a share of the same without the " + " and ".join(dict.fromkeys(
            SHARE_WORDS.get(k, k.replace("_", " ")) for k in q.share_of)) + " condition")
    return ", ".join(parts)


SHARE_WORDS = {"has_parent": "subsidiary", "sector": "industry", "amount_min": "amount", "amount_max": "amount",
               "employees_min": "headcount", "employees_max": "headcount", "revenue_min": "account revenue",
               "revenue_max": "account revenue", "founded_min": "founding year", "founded_max": "founding year",
               "windows": "date", "parent": "parent company", "below_list": "list price", "has_competitor": "competitor"}


def computed_as(q: CrmQuery, scope: Scope, n: int) -> str:
    who = scope.principal
    reach = ("all records" if scope.all_records else "aggregates only (small groups suppressed)"
             if scope.aggregates_only else "your own records" if who.role.value == "rep" else "your team's records")
    if q.share_of:
        return f"the part's {DEFINITIONS[q.metric]}, divided by the same over the whole; {n} record(s) in the part, " \
               f"within {reach}"
    return f"{DEFINITIONS[q.metric]}; {n} record(s) matched within {reach}"
