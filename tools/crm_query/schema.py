"""``CrmQuery``: one typed query for every CRM question (docs/crm-query.md is the contract).

Both front ends produce it: the LLM through the validated ``query_crm`` tool, and the offline parser.
It is never SQL: the executor turns it into SQL under the asker's scope, so a query can only narrow.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ObjectKind = Literal["deals", "accounts", "contacts", "activities", "calls"]
Metric = Literal["list", "count", "sum", "avg", "win_rate", "loss_rate", "pipeline", "cycle_length", "activity_count",
                 "last_touch", "account_count", "list_value", "discount"]
Status = Literal["open", "won", "lost", "closed", "any"]
GroupBy = Literal["rep", "team", "manager", "product", "series", "stage", "competitor", "account", "sector", "region",
                  "tier", "parent", "deal_type", "forecast_category", "loss_reason", "month", "quarter"]
STAGES = ("prospecting", "qualification", "discovery", "demo", "proposal", "negotiation", "closed_won",
          "closed_lost")
CATEGORIES = ("commit", "best_case", "pipeline", "omitted")
DEAL_TYPES = ("new", "expansion", "renewal")
ROLES = ("champion", "economic_buyer", "technical_buyer", "user", "blocker", "influencer")
# account_count: the distinct accounts of the matching deals ('how many accounts did I win in 2017')
ADDITIVE = ("count", "sum", "pipeline", "activity_count", "account_count", "list_value")  # a group's figure adds up to the whole
# list_value: the deals' products at list price; discount: the mean share taken off list ('my average discount')
DEAL_ONLY_METRICS = {"sum", "avg", "win_rate", "loss_rate", "pipeline", "cycle_length", "account_count", "list_value",
                     "discount"}
ACCOUNT_FILTERS = ("sector", "region", "tier", "parent", "employees_min", "employees_max", "revenue_min", "revenue_max",
                   "founded_min", "founded_max", "has_parent")  # the account's own facts
DateField = Literal["created", "close", "closed", "last_activity", "next_step"]


class DateWindow(BaseModel):
    """An inclusive window on one of a record's dates; either side may be open."""

    model_config = ConfigDict(extra="forbid")
    field: DateField = Field(description="created, close (expected/actual close date), closed (actual), "
                                         "last_activity or next_step")
    start: date | None = None
    end: date | None = None
    label: str | None = Field(default=None, description="the words the asker used, e.g. 'this quarter'")

    @model_validator(mode="after")
    def _ordered(self) -> DateWindow:
        if self.start is None and self.end is None:
            raise ValueError(f"the {self.field} window needs a start or an end date")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"the {self.field} window starts ({self.start}) after it ends ({self.end})")
        return self


ExcludeSlot = Literal["stage", "product", "series", "deal_type", "competitor", "sector", "region", "tier", "parent",
                      "owner"]


class Exclusion(BaseModel):
    """Records whose ``slot`` is ``value`` are left out: 'excluding renewals', 'non-US accounts', 'the team's total
    not counting Darcel' (owner: a person's deals)."""

    model_config = ConfigDict(extra="forbid")
    slot: ExcludeSlot
    value: str = Field(min_length=1, max_length=200)


class CrmFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status | None = Field(default=None, description="open, won, lost, closed or any (deals)")
    stages: list[str] = Field(default_factory=list, description=f"any of: {', '.join(STAGES)}")
    forecast_categories: list[str] = Field(default_factory=list, description="commit, best_case, pipeline, omitted")
    owner: str | None = Field(default=None, description="'me' or a person's name (the record's owner)")
    team: str | None = Field(default=None, description="'mine' or a team name")
    manager: str | None = Field(default=None, description="a manager's name: records of their reports")
    product: str | None = None
    deal_type: str | None = Field(default=None, description="new, expansion or renewal")
    competitor: str | None = Field(default=None, description="a competitor named on the deal")
    account: str | None = Field(default=None, description="an account's name")
    sector: str | None = Field(default=None, description="the account's industry, e.g. 'retail'")
    region: str | None = Field(default=None, description="where the account is: its region or country, e.g. 'EMEA'")
    tier: str | None = Field(default=None, description="the account's tier or segment, e.g. 'enterprise'")
    parent: str | None = Field(default=None, description="the parent company: its subsidiaries' records")
    employees_min: int | None = Field(default=None, ge=0, description="accounts with at least N employees")
    employees_max: int | None = Field(default=None, ge=0, description="accounts with at most N employees")
    revenue_min: float | None = Field(default=None, ge=0, description="accounts whose annual revenue is at least N "
                                      "(in millions, as the CRM stores it: 5000 is $5B)")
    revenue_max: float | None = Field(default=None, ge=0, description="accounts whose annual revenue is at most N "
                                      "(in millions)")
    founded_min: int | None = Field(default=None, ge=1000, le=2100, description="accounts established in year N or later")
    founded_max: int | None = Field(default=None, ge=1000, le=2100, description="accounts established in year N or "
                                    "earlier ('founded before 2000': 1999)")
    series: str | None = Field(default=None, description="a product series or line (deals)")
    has_parent: bool | None = Field(default=None, description="true: accounts that belong to a parent company "
                                    "(subsidiaries); false: those that do not")
    exclude: list[Exclusion] = Field(default_factory=list, description="values to leave out, e.g. "
                                     "[{'slot': 'deal_type', 'value': 'renewal'}, {'slot': 'region', 'value': 'United States'}]")
    has_competitor: bool | None = Field(default=None, description="true: deals with a competitor named on them; "
                                        "false: deals with none")
    below_list: bool | None = Field(default=None, description="true: deals whose amount is below their product's list "
                                    "price (discounted); false: at or above it")
    amount_min: float | None = Field(default=None, ge=0)
    amount_max: float | None = Field(default=None, ge=0)
    windows: list[DateWindow] = Field(default_factory=list)
    activities_min: int | None = Field(default=None, ge=0, description="deals (or accounts) with at least N activities "
                                       "logged on them ('deals with more than 3 activities': 4)")
    activities_max: int | None = Field(default=None, ge=0, description="deals (or accounts) with at most N activities")
    inactive_days: int | None = Field(default=None, ge=1, le=3650,
                                      description="no activity in the last N days")
    min_pushes: int | None = Field(default=None, ge=1, le=50, description="close date pushed at least N times")
    min_days_in_stage: int | None = Field(default=None, ge=1, le=3650,
                                          description="in their current stage for at least N days (stuck deals)")
    has_next_step: bool | None = None
    buying_role: str | None = Field(default=None, description="contacts: champion, economic_buyer, "
                                    "technical_buyer, user, blocker, influencer")
    activity_kind: str | None = Field(default=None, description="activities: email, meeting, note, task, call")
    without_deals: Status | None = Field(default=None, description="accounts (or deals whose account) have no deal of "
                                         "this status that the asker can see: 'accounts with no open deals' (open), "
                                         "'accounts we lost this year but never won' (deals lost this year, without_deals won)")
    with_contact_role: str | None = Field(default=None, description="deals or accounts whose account has a contact of "
                                          "this buying role on record ('deals with an EB identified': economic_buyer)")
    without_contact_role: str | None = Field(default=None, description="deals or accounts whose account has no contact "
                                             "of this buying role ('accounts that still don't have an EB on file')")

    @model_validator(mode="after")
    def _valid(self) -> CrmFilters:
        bad = [s for s in self.stages if s not in STAGES]
        if bad:
            raise ValueError(f"unknown stage {bad[0]!r}; use one of: {', '.join(STAGES)}")
        for role in (self.with_contact_role, self.without_contact_role):
            if role is not None and role not in ROLES:
                raise ValueError(f"unknown buying role {role!r}; use one of: {', '.join(ROLES)}")
        bad = [c for c in self.forecast_categories if c not in CATEGORIES]
        if bad:
            raise ValueError(f"unknown forecast category {bad[0]!r}; use one of: {', '.join(CATEGORIES)}")
        if self.deal_type and self.deal_type not in DEAL_TYPES:
            raise ValueError(f"unknown deal type {self.deal_type!r}; use one of: {', '.join(DEAL_TYPES)}")
        if self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max:
            raise ValueError("amount_min is larger than amount_max")
        for x in self.exclude:
            if x.slot == "stage" and x.value not in STAGES:
                raise ValueError(f"unknown stage {x.value!r} to exclude; use one of: {', '.join(STAGES)}")
            if x.slot == "deal_type" and x.value not in DEAL_TYPES:
                raise ValueError(f"unknown deal type {x.value!r} to exclude; use one of: {', '.join(DEAL_TYPES)}")
        for low, high in (("employees_min", "employees_max"), ("revenue_min", "revenue_max"), ("founded_min", "founded_max")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise ValueError(f"{low} is larger than {high}")
        return self


class CrmQuery(BaseModel):
    """A CRM question as data: what to count or list, which records, grouped and ordered how."""

    model_config = ConfigDict(extra="forbid")
    object: ObjectKind = "deals"
    metric: Metric = "list"
    filters: CrmFilters = Field(default_factory=CrmFilters)
    group_by: GroupBy | None = None
    order: Literal["desc", "asc"] | None = Field(default=None, description="desc for top/best, asc for worst")
    limit: int | None = Field(default=None, ge=1, le=200, description="top-N groups or records")
    sort_by: Literal["amount", "created"] | None = Field(
        default=None, description="with metric list: what order sorts by, the amount (default) or when the record "
        "was created ('my oldest open deals': created, order asc)")
    rank: int | None = Field(default=None, ge=1, le=200, description="only the Nth group or record of the ordering "
                             "('second best rep': 2, with order desc)")
    compare: list[str] = Field(default_factory=list,
                               description="two values of group_by to compare, or ['me_vs_rest']")
    value_min: float | None = Field(default=None, description="with group_by: only the groups whose figure is at "
                                    "least this ('reps with more than 10 won deals': count, value_min 11)")
    value_max: float | None = Field(default=None, description="with group_by: only the groups whose figure is at most this")
    versus_window: DateWindow | None = Field(
        default=None, description="with group_by: the same figure over this other period, in place of the query's "
        "window on the same date; each group shows both and the change ('which reps improved their win rate from last "
        "quarter to this quarter': windows [this quarter], versus_window last quarter, trend up)")
    trend: Literal["up", "down"] | None = Field(default=None, description="with versus_window: only the groups whose "
                                                "figure rose (up) or fell (down) from versus_window to the query's window")
    min_records: int | None = Field(default=None, ge=1, description="with group_by: only the groups of at least N "
                                    "matching records ('win rate by sector, only sectors with at least 40 closed deals')")
    versus_all: Literal["above", "below", "both"] | None = Field(
        default=None, description="with group_by: only the groups whose figure is above (or below) the same figure "
        "over all the matching records ('reps whose win rate beats the team's': win_rate by rep, above); both: every "
        "group, each set against that figure ('how far above or below the team average is each rep')")
    share_of: list[str] = Field(default_factory=list, description="the filters that pick out a part: the answer is "
                                "the figure with every filter as a share of the figure without these ('what share of my "
                                "won revenue came from subsidiaries': sum, filters {status: won, has_parent: true}, "
                                "share_of ['has_parent'])")
    include_empty: bool = Field(default=False, description="with group_by rep: also list the reps the asker may "
                                "see who have no matching records (count 0), e.g. 'who has logged no activity'")

    @model_validator(mode="after")
    def _coherent(self) -> CrmQuery:
        if self.metric in DEAL_ONLY_METRICS and self.object != "deals":
            raise ValueError(f"the metric {self.metric} is computed over deals, not {self.object}")
        if self.metric in ("activity_count", "last_touch") and self.object not in ("deals", "accounts"):
            raise ValueError(f"{self.metric} applies to deals or accounts")
        if self.compare and self.compare != ["me_vs_rest"]:
            if len(self.compare) != 2:
                raise ValueError("compare takes exactly two values, or ['me_vs_rest']")
            if self.group_by is None:
                raise ValueError("compare needs group_by: the dimension the two values belong to")
        f = self.filters
        if self.object != "deals" and any(x.slot not in ACCOUNT_FILTERS for x in f.exclude):
            raise ValueError(f"excluding a {f.exclude[0].slot} applies to deals, not {self.object}")
        if self.object in ("activities", "calls") and (any(getattr(f, k) is not None for k in ACCOUNT_FILTERS)
                                                       or f.exclude):
            raise ValueError(f"filters on the account's facts (sector, region, tier, parent, employees) apply to deals, "
                             f"accounts or contacts, not {self.object}")
        if (f.with_contact_role or f.without_contact_role or f.without_deals or f.activities_min is not None
                or f.activities_max is not None) and self.object not in ("deals", "accounts"):
            raise ValueError(f"a contact role, the deals at the account or an activity count apply to deals or accounts, "
                             f"not {self.object}")
        if (f.series or self.group_by == "series") and self.object != "deals":
            raise ValueError("a product series applies to deals")
        if (self.value_min is not None or self.value_max is not None or self.min_records) and not self.group_by:
            raise ValueError("value_min / value_max / min_records keep some groups: they need group_by")
        if self.versus_all and (not self.group_by or self.compare or self.metric == "list"):
            raise ValueError("versus_all keeps the groups above or below the overall figure: it needs group_by, a "
                             "metric and no compare")
        if self.versus_window is not None:
            same = [w for w in self.filters.windows if w.field == self.versus_window.field]
            if not self.group_by or self.compare or self.metric in ("list", "last_touch") or len(same) != 1:
                raise ValueError("versus_window compares each group over two periods: it needs group_by, a metric, no "
                                 "compare, and one window in filters on the same date field")
        if self.trend and self.versus_window is None:
            raise ValueError("trend keeps the groups that rose or fell: it needs versus_window, the other period")
        if self.share_of:
            unknown = [k for k in self.share_of if k not in CrmFilters.model_fields or k == "status"]
            if unknown:
                raise ValueError(f"share_of names a filter that can't pick a part: {unknown[0]!r}; use filters such as "
                                 "product, sector, region, has_parent, deal_type, competitor")
            if self.metric not in ADDITIVE or self.metric == "account_count" or self.group_by or self.compare:
                raise ValueError("share_of needs a count, sum or pipeline with no group_by or compare")
            unset = [k for k in self.share_of if getattr(self.filters, k) in (None, [])]
            if unset:
                raise ValueError(f"share_of names {unset[0]!r}, which the filters don't set: set it to pick the part")
        if self.rank and (self.order is None or self.compare):
            raise ValueError("rank needs an order (desc for best, asc for worst) and no compare")
        if self.group_by and self.metric == "list":
            raise ValueError("group_by needs a metric (count, sum, avg, win_rate, pipeline, ...), not list")
        return self

    def effective_status(self) -> Status:
        """The status implied by the metric when the question did not name one (docs/crm-query.md)."""
        f = self.filters
        if self.metric in ("win_rate", "loss_rate"):
            return "closed" if f.status in (None, "any", "open") else f.status
        if self.metric == "cycle_length":  # won deals, unless lost ones are asked for ('deals closed in Q2': a date)
            return "lost" if f.status == "lost" else "won"
        if self.metric == "pipeline":
            return "open"
        if f.status:
            return f.status
        if any(s in ("closed_won", "closed_lost") for s in f.stages):
            return "any"
        if any(w.field == "closed" for w in f.windows):
            return "closed"
        return "open"
