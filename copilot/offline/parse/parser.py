"""The offline compositional parser: a question's words -> one ``CrmQuery``, with a coverage report.

Not an intent classifier with templates: each slot is read on its own (lexicons, entity links, time
expressions, amounts, ...) and the slots compose. Every content word must be used by some slot; the
words that were not are reported ("I couldn't apply 'X'") and lower the confidence.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import ValidationError

from copilot.offline.parse import attributes, cues, having, pricing, shape, share, slots
from copilot.offline.parse.cues import (
    ALSO,
    FIELDS,
    OLDER,
    OVERDUE,
    PERFORMANCE,
    REGIONISH,
    SLOT_WORDS,
    WHICH_ACCOUNTS,
    all_hits,
    field_for,
    first,
    two,
)
from copilot.offline.parse.dates import Span, find_windows
from copilot.offline.parse.evidence import LIBRARY_CUES, crm_evidence, more_evidence, unapplied_words
from copilot.offline.parse.followups import add_followups, who_has_none
from copilot.offline.parse.lexicon import (
    ACTIVITY_KINDS,
    BUYING_ROLES,
    CATEGORIES,
    DEAL_TYPES,
    FILLER,
    METRICS,
    OBJECTS,
    STAGES,
    STATUS,
    UNSUPPORTED,
)
from copilot.offline.parse.link import Link, Linker, words
from copilot.offline.parse.negation import LeftOut
from copilot.offline.parse.normalize import VOCAB, normalize
from copilot.offline.parse.result import Parse
from copilot.offline.parse.status import status_of
from tools.crm_query.schema import DEAL_TYPES as DEAL_TYPE_VALUES
from tools.crm_query.schema import CrmFilters, CrmQuery, DateWindow


class QueryParser:
    def __init__(self, linker: Linker, *, role: str, today: date, stage_words: dict[str, str] | None = None) -> None:
        self.linker = linker
        # 'by region' is the accounts' region when the CRM keeps regions there ('EMEA', 'US West'); where it keeps
        # countries instead, the sales org's regions are its teams ('Central', 'East')
        self.account_regions = any(REGIONISH.search(v) for v in linker.names.get("region", {}).values())
        self.role = role
        self.today = today
        # the CRM's own stage names, e.g. {"engaging": "qualification"}; closed ones are statuses already
        self.stages = [*STAGES, *((rf"\b{re.escape(w)}\b", [s]) for w, s in (stage_words or {}).items()
                                  if s not in ("closed_won", "closed_lost") and len(w) > 2)]

    def parse(self, question: str) -> Parse:
        """Parse the question; a second figure asked for in the same breath ("and how many did I win") becomes
        an extra query over the same records."""
        parts = ALSO.split(question, maxsplit=2)
        main = self._parse(parts[0] if len(parts) > 1 else question)
        if len(parts) > 1 and main.query is not None and main.query.metric == "list" and not main.query.group_by:
            whole = self._parse(" ".join(parts))  # 'won deals over $5k, and the average cycle': one figure, filtered
            if whole.query is not None and whole.query.metric != "list":
                main, parts = whole, [question]
        who_has_none(main)
        add_followups(main, self.today)
        if len(parts) > 1 and main.query is not None:
            for extra in parts[1:]:
                sub = self._parse(extra)
                if sub.query is not None and main.query.group_by and sub.query.metric in (main.query.metric, "sum") \
                        and sub.query.filters.model_dump(exclude_defaults=True).keys() <= {"status", "owner", "team"}:
                    continue  # 'which one did i win the most from? and how much': the leader's figure is shown
                if sub.query is None or sub.query.metric == "list":
                    main.unapplied += sub.unapplied
                    continue
                f = main.query.filters.model_copy(update={k: v for k, v in sub.query.filters.model_dump().items()
                                                          if k == "status" and "status" in sub.explicit})
                main.also.append(main.query.model_copy(update={"metric": sub.query.metric, "filters": f,
                                                                "order": None, "limit": None}))
        return main

    def _parse(self, question: str) -> Parse:
        question, purpose = normalize(question, self.linker.words)
        question = re.sub(r"\b([Nn]on)-(?=[A-Za-z])", r"\1 ", question)  # 'non-US': 'US' is a name to link
        low = question.lower()
        used: list[tuple[int, int]] = []
        assumptions: list[str] = [f"set aside '{p}' (why you ask, not what)" for p in purpose if p]
        f: dict[str, object] = {}
        inactive, note, sp = slots.inactivity(low)
        used += sp
        if inactive:
            f["inactive_days"] = inactive
            if note:
                assumptions.append(note)
        stuck, stuck_spans = slots.days_in_stage(low)
        used += stuck_spans
        emin, emax, staff = attributes.employees(low)  # 'over 5000 employees' is a headcount, never a deal size
        heads = list(staff)
        rmin, rmax, firm = attributes.account_revenue(low)  # 'accounts with revenue under $1B': not a deal amount
        fmin, fmax, since = attributes.founded(low)  # 'founded before 2000': not a close date
        staff += firm + since
        group, order, limit, group_spans = slots.grouping(low)  # applied below; read here for the group bounds
        vmin, vmax, per_group = having.group_bounds(low) if group or WHICH_ACCOUNTS.search(low) else (None, None, [])
        staff += per_group  # 'which of my reps have more than 150 won deals': each rep's count, not a deal size
        rmin_rate, rmax_rate, rate_spans = having.rate_bounds(low) if group else (None, None, [])
        touch_min, touch_max, touch_spans = having.activity_bounds(low) if not per_group else (None, None, [])
        staff += touch_spans  # 'deals with more than 3 activities': each deal's count, not an amount
        staff += rate_spans  # 'which of my reps are under a 60% win rate': each rep's rate
        amin, amax, amount_spans = slots.amounts(attributes.blank(low, staff))
        amount_spans += staff
        taken = sp + amount_spans + stuck_spans  # 'over 2000' is an amount, 'in 3 weeks' of an inactivity phrase is no window
        windows = [w for w in find_windows(low, self.today) if not any(a < w.at[1] and w.at[0] < b for a, b in taken)]
        direction, earlier, later, group, sp = having.periods_compared(low, self.today, taken, group)
        if later:  # 'which reps improved their win rate from last qtr to this qtr': two periods, each rep's figures
            windows = [later]
            used += sp
        used += [w.at for w in windows] + amount_spans
        shown = [m.span() for m in FIELDS.finditer(low)]  # 'need the acct + product': what to show, not a filter
        used += shown
        obj = next((h for h in sorted(all_hits(low, OBJECTS), key=lambda h: h[1][0])  # type: ignore[index]
                    if not any(a <= h[1][0] < b for a, b in used)), None)  # 'no activity in 3 weeks' is not an object
        role = first(low, BUYING_ROLES)
        on_file, on_file_present, on_file_spans = cues.contact_role(low)  # 'accts that still dont have an EB on file'
        if on_file:
            role = None  # the accounts or deals, picked by a contact they have (or lack), not the contacts
            used += on_file_spans
        lacking, lack_spans = cues.no_deals(low) if obj and obj[0] == "accounts" else (None, [])
        used += lack_spans  # 'accounts with no open deals', 'never won': the accounts, by the deals they lack
        metric_hits = [h for h in all_hits(low, METRICS)  # not 'annual revenue', nor 'over 5000 dollars', nor 'no pipeline'
                       if not any(a <= h[1][0] < b for a, b in firm + amount_spans + lack_spans + shown)]
        metric = next(((v, sp) for p, v in METRICS for v2, sp in metric_hits if v2 == v and re.search(p, low[sp[0]:sp[1]])),
                      None) if metric_hits else None
        stat = [h for h in all_hits(low, STATUS) if not any(a <= h[1][0] < b for a, b in lack_spans)]
        stages = all_hits(low, self.stages)
        cats = all_hits(low, CATEGORIES)
        dtype = first(low, DEAL_TYPES)
        lexical = [hit[1] for hit in [obj, role, dtype, *metric_hits, *stat, *stages, *cats] if hit]
        if obj:  # 'customers/accounts', 'deals or opps': a second word for the same object is applied too
            lexical += [h[1] for h in all_hits(low, OBJECTS) if h[0] == obj[0] and h[1] != obj[1]]
        if dtype and obj and obj[0] == "accounts" and dtype[1][0] <= obj[1][0] < dtype[1][1]:
            obj = None  # 'new logo deals' is a deal type, not accounts
        reserved = {w for w, _, _ in words(question)  # lexicon words on their own ('pipeline') are not names
                    if any(re.fullmatch(p, w) for p, _ in (*METRICS, *STATUS, *OBJECTS))}
        links = self.linker.find(question, skip=list(used), soft=lexical, reserved=reserved,  # type: ignore[arg-type]
                                 common=VOCAB - self.linker.words)
        said_links = links
        fact_values, fact_excluded, fact_spans, links = attributes.facts(low, links)  # 'retail' beside 'deals' or 'sector' only
        parented, parent_spans = share.has_parent(low, "parent" in fact_values)  # 'from subsidiaries': any parent
        fact_spans += parent_spans
        priced, price_spans = pricing.below_list(low)  # 'won deals closed below list price'
        competed, competed_spans = cues.competed(low)  # 'open pipe with a named competitor on it'
        used += price_spans + competed_spans
        share_at, share_spans = share.share_cue(low)  # 'what % of my won revenue came from GTX Pro'
        used += share_spans if share_at is not None else []
        if fact_values or fact_excluded or staff:  # 'small companies under 500 employees', 'international (non-US) accts'
            fact_spans += attributes.account_words(low, international=any(k == "region" for k, _ in fact_excluded))
        used += [link.at for link in links] + lexical + fact_spans  # type: ignore[list-item]
        used += [m.span() for m in SLOT_WORDS.finditer(low)]  # verbs and phrases the slots above already read
        pushes, sp = slots.pushes(low)
        used += sp
        nxt, sp = slots.next_step(low)
        used += sp
        used += group_spans
        if group == "team" and self.account_regions and re.search(
                r"\b(?:by|per|each|every|across|which|what|top|bottom|best|worst)\s+(?:the\s+|all\s+|each\s+)?(?:\d+\s+)?regions?\b", low):
            group = "region"  # 'pipe by region' where accounts carry regions
        top_n, top_order, sp = slots.top_records(low)
        used += sp
        age_n, age, sp = slots.age_order(low)  # 'my oldest opp still in engaging'
        used += sp
        rank, rank_order, sp = slots.ordinal(low)  # 'my 2nd biggest account': that one only
        used += sp
        mvr = slots.me_vs_rest(low)
        versus, sp = having.versus_all(low)
        if mvr and not (versus and group):  # 'win rate by rep vs the team average': each rep, not the asker
            versus, sp = None, []
        mvr = [] if versus else mvr
        used += mvr
        if versus and not group and re.search(r"\b(?:reps?|who|people|sellers?|aes?|salespeople|members)\b", low):
            group = "rep"  # 'how many of my reps beat the team's win rate': each rep against the team
        if versus and group == "rep":
            sp += [m.span() for m in re.finditer(r"\b(?:reps?|people|sellers?|aes?|salespeople|members)\b", low)]
        used += sp if versus and group else []
        for m in re.finditer(r"\b(my|mine|me|i|i've|i'm|our|we|we've|us|owned by|owns?|of mine)\b(\s+(own|team'?s?|region|pod|squad))?", low):
            used.append(m.span())
        obj_kind = "contacts" if role else str(obj[0]) if obj else "deals"
        touched = next(((a, b) for a, b in per_group if re.search(r"\b(?:activities|meetings|calls|emails)\b", low[a:b])), None)
        if not obj and touched:
            obj_kind, obj = "activities", ("activities", touched)  # 'which reps logged more than 20 activities'

        if role and re.search(r"\b(deals?|opps?|opportunit(?:y|ies))\b", low) and not re.search(r"\bwho\b", low):
            obj_kind = "deals"  # 'opps with an EB identified': about deals (whether a role is known is not queryable)
            role = None
        deal_word = next((m for m in re.finditer(r"\b(deals?|opps?|opportunit(?:y|ies))\b", low)
                          if not any(a <= m.start() < b for a, b in lack_spans)), None)
        which_accounts = of_accounts = False
        if obj_kind == "accounts" and (dtype or stages or cats or amin or amax or deal_word
                                       or {str(v) for v, _ in stat} & {"won", "lost"}):
            obj_kind, of_accounts = "deals", True  # 'accounts with open renewals': the renewals (each names its account)
            which_accounts = bool(WHICH_ACCOUNTS.search(low))  # 'which accounts did I win deals with': grouped by account
            used += [deal_word.span()] if deal_word else []
        elif obj_kind == "deals" and staff and WHICH_ACCOUNTS.search(low):
            which_accounts = True  # 'which of my accounts with revenue over $5B did I win deals from': the accounts
        if obj_kind == "calls" and re.search(r"\b(log|logged|made|make|did)\b", low):
            obj_kind = "activities"  # calls people log are activities; 'calls' alone are recordings
        metric_name = str(metric[0]) if metric else "list"
        if metric_name == "cycle_length":  # '… is how many days': the cycle's unit
            used += [m.span() for m in re.finditer(r"\b(?:how many|in|number of|#\s*of)\s+days\b", low)]
        if of_accounts and metric_name == "count" and group != "account":
            metric_name = "account_count"  # 'how many accounts did I win in 2017': each account once, not its deals
            used += [m.span() for m in re.finditer(r"\b(?:distinct|different|diff|unique|separate)\b", low)]
        if obj_kind == "calls" and metric_name not in ("count", "list"):
            obj_kind = "deals"
        if obj_kind in ("accounts", "contacts", "activities", "calls") and metric_name in (
                "sum", "avg", "win_rate", "loss_rate", "pipeline", "cycle_length"):
            obj_kind = "deals"
        if obj_kind == "activities" and obj and re.search(r"\b(deals?|opps?|accounts?)\b", low) and \
                metric_name not in ("count", "activity_count"):
            obj_kind = "deals"  # 'deals with no meetings' is about deals
        if metric_name == "pipeline" and re.search(r"\b(show|list|what'?s in|whats in|see|pull up|give me)\b[^?]*\bpipe",
                                                   low) and not group:
            metric_name = "list"
        whole = cues.WHOLE_BUSINESS.search(low)
        performance = (not metric and obj_kind == "deals" and bool(PERFORMANCE.search(low))
                       and (any(x.kind in ("person", "team") for x in links)
                            or (bool(windows) or bool(whole)) and bool(re.search(
                                r"\b(we|our|us|team|company|business|org|things|sales|numbers)\b|^\W*(give|show|what)", low))
                            and not LIBRARY_CUES.search(low)))
        if performance and not windows:  # 'how is the business doing', "how's sam doing": this quarter, said so
            now = find_windows("this quarter", self.today)[0]
            windows = [Span(now.start, now.end, "this quarter", (0, 0))]
            assumptions.append("this quarter, since no period was given")
            used += [whole.span()] if whole else []
        if performance:
            metric_name = "sum"  # 'how is Lucia doing': her won revenue (win rate and pipeline follow)
        if metric_name == "activity_count" and obj_kind not in ("deals", "accounts"):
            metric_name = "count"
        if obj_kind == "activities" and re.search(r"\b(on|for|against|in)\b[^?]*\b(deals?|opps?|opportunit)", low) or \
                obj_kind == "activities" and (stages or metric_name == "activity_count"):
            obj_kind, metric_name = "deals", "activity_count"  # activities logged on deals: counted per deal filters
        if metric_name == "last_touch" and obj_kind not in ("deals", "accounts"):
            obj_kind = "accounts"
        if metric_name == "last_touch" and any(x.kind == "account" for x in links) and not re.search(
                r"\b(deals?|opps?|opportunit)", low):
            obj_kind = "accounts"
        if top_n and metric_name in ("list", "pipeline", "sum") and not re.search(r"\b(by|per|for each)\s+(rep|team|"
                                                                                   r"product|stage|month|quarter)", low):
            group = None  # 'the 10 top deals across my team' lists deals, it does not rank reps
        if (top_n or top_order) and not group and metric_name in ("list", "pipeline", "sum"):
            metric_name, order, limit = "list", top_order, top_n or limit
        sort_by = None
        if age and not group and obj_kind == "deals" and metric_name in ("list", "count", "pipeline", "sum"):
            metric_name, order, limit, sort_by = "list", age, age_n, "created"
            group = None
        if group == "stage" and metric_name == "list" and cues.ONE_DEAL_STAGE.search(low) and any(
                x.kind == "account" for x in links):  # 'what stage is the acme govern expansion in': that deal's line
            group, order, limit = None, None, None
            used += [m.span() for m in cues.HOW_BIG.finditer(low)]
        if metric_name == "list" and not group and obj_kind == "deals":
            used += [m.span() for m in cues.DO_NEXT.finditer(low)]
        status, stage_list, doubts, notes = status_of(
            low, stat, stages, cats, windows, metric=metric_name, group=group, obj_kind=obj_kind, inactive=bool(inactive),
            today=self.today)
        assumptions += notes
        if status == "any" and metric_name == "pipeline":
            metric_name = "sum"  # 'new pipe created last quarter, whatever stage they're in now': all of it
        if performance:
            status = "won"
        default_field = {"open": "close", "won": "closed", "lost": "closed", "closed": "closed",
                         "any": "created"}.get(status or "open", "close")
        wins: list[DateWindow] = []
        if status == "open":  # 'my pipe for Q1' in November: next year's Q1, not the one gone by
            windows = [Span(w.start.replace(year=w.start.year + 1), w.end.replace(year=w.end.year + 1),
                            w.label.replace(str(w.start.year), str(w.start.year + 1)), w.at, w.kind)
                       if w.year_implied and w.end and w.start and w.end < self.today else w for w in windows]
        for w in windows:
            fld = field_for(low, w, default_field)
            if obj_kind in ("activities", "calls"):
                fld = "created"
            if fld == "closed" and status == "open":
                fld = "close"
            if fld == "close" and status in ("won", "lost", "closed"):
                fld = "closed"  # 'how much did we close this quarter': when they closed
            wins.append(DateWindow(field=fld, start=w.start, end=w.end, label=w.label))  # type: ignore[arg-type]
        versus_window = None
        if earlier is not None and wins:
            versus_window = DateWindow(field=wins[0].field, start=earlier.start, end=earlier.end, label=earlier.label)
        overdue, older = OVERDUE.search(low), OLDER.search(low)
        if older and obj_kind == "deals":  # 'older than 60 days': created more than 60 days ago
            n, unit = (older.group(1), older.group(2)) if older.group(2) else (older.group(3), older.group(4))
            days = slots.num(n) * slots.UNIT_DAYS[unit]
            wins.append(DateWindow(field="created", end=self.today - timedelta(days=days), label=older.group(0)))
            used.append(older.span())
        if overdue and not any(w.field in ("close", "next_step") for w in wins):
            fld = "next_step" if "next step" in low else "close"  # overdue: the date is before today
            wins.append(DateWindow(field=fld, end=self.today - timedelta(days=1), label="overdue"))  # type: ignore[arg-type]
            used.append(overdue.span())
            used += [m.span() for m in re.finditer(r"\bnext[- ]steps?\b", low)] if fld == "next_step" else []
        # people, teams, products, accounts, competitors
        owner = team = product = account = competitor = None
        compare: list[str] = []
        by_kind: dict[str, list[Link]] = {}
        for link in links:
            by_kind.setdefault(link.kind, []).append(link)
        if "product" in by_kind:  # 'the Govern product', 'product Observe': the word names the kind, nothing more
            used += [m.span() for m in re.finditer(r"\bproducts?\b", low)]
        cat_list = list(dict.fromkeys(str(v) for v, _ in cats))
        used += [m.span() for m in re.finditer(r"\b(?:forecast\s+)?categor(?:y|ies)\b", low)] if cats else []
        if len(cat_list) >= 2 and re.search(r"\b(vs\.?|versus|compared?|against)\b", low):
            compare, group = two(cat_list), "forecast_category"  # 'commit vs best case'
            cats = []
            if metric_name == "list":
                metric_name = "sum"
        left_out_types: list[dict[str, str]] = []
        type_hits = all_hits(low, DEAL_TYPES)
        used += [sp for _, sp in type_hits]
        types = list(dict.fromkeys(str(v) for v, _ in type_hits))
        if len(types) >= 2 and re.search(r"\b(vs\.?|versus|compared?|against|or)\b", low):
            compare, group, dtype = two(types), "deal_type", None  # 'new vs expansion vs renewal': all three
        elif len(types) == 2 and obj_kind == "deals" and not group:  # 'open expansion + renewal pipe': both, so not the third
            dtype = None
            left_out_types = [{"slot": "deal_type", "value": t} for t in DEAL_TYPE_VALUES if t not in types]
        if group in fact_values and not compare:
            fact_values[group] = []  # 'won revenue by tier (ent / mid-market / commercial)': the groups, listed
        for kind, values_said in fact_values.items():
            if not compare and len(values_said) >= 2 and re.search(r"\b(vs\.?|versus|compared?|against|or|and)\b|\bv\b", low):
                compare, group = two(values_said), kind  # 'GTX vs MG win rate', 'retail or media'
                fact_values[kind] = []
        if not compare:  # 'Sam vs Lucia win rate', 'Observe or Govern': two names of one kind compared
            compare, group = cues.two_names(low, by_kind) or (compare, group)
        manager, sp = cues.manager_named(low, by_kind.get("person", []))  # "Maya's team", 'reps under Maya'
        if manager:
            by_kind["person"] = [x for x in by_kind["person"] if x.name != manager]
            used += sp
        if manager:
            f["manager"] = manager
        if by_kind.get("person"):
            owner = by_kind["person"][0].name
        if by_kind.get("team"):
            team = by_kind["team"][0].name
        if by_kind.get("product"):
            product = by_kind["product"][0].name
        if by_kind.get("account"):
            account = by_kind["account"][0].name
        if by_kind.get("competitor"):
            competitor = by_kind["competitor"][0].name
        my = re.search(r"\b(my|mine|i|i've|i'm|me)\b", low)
        my_team = re.search(r"\b(my|our)\s+(team|region|pod|squad|org)\b|\bteam'?s\b|\bmy reps\b", low)
        if my_team and group == "team" and not re.search(r"\b(my|our)\s+team\b|\bteam's\b", low):
            my_team = None  # 'the 2 teams with the most pipeline': teams ranked, not my team
        if mvr:
            compare, group = ["me_vs_rest"], None
        elif my_team and not team:
            team = "mine"
        elif my and owner is None and self.role == "rep":
            owner = "me"
        if obj_kind == "contacts" and role:
            f["buying_role"] = role[0]
        if lacking and obj_kind in ("accounts", "deals"):
            f["without_deals"] = lacking
        if obj_kind == "activities":
            act_kind = first(low, ACTIVITY_KINDS)
            if act_kind:
                f["activity_kind"] = act_kind[0]
        left = LeftOut(low, obj_kind, [{"slot": k, "value": v} for k, v in fact_excluded] + left_out_types)
        negation = left.said
        if dtype and negation(dtype[1], "deal_type", [str(dtype[0])]):
            dtype = None
        for stage_hit, stage_at in stages:
            said = [str(x) for x in stage_hit]  # type: ignore[attr-defined]
            if negation(stage_at, "stage", [x for x in said if x in stage_list]):
                stage_list = [x for x in stage_list if x not in said]
        person = next((x for x in links if x.kind == "person" and x.name == owner), None)
        if person and negation(person.at, "owner", cues.listed(low, links, person)):  # 'the team's total not counting Darcel'
            owner = "me" if my and self.role == "rep" else None
        for kind in ("product", "competitor"):
            said_link = next((x for x in links if x.kind == kind), None)
            if said_link and negation(said_link.at, kind, cues.listed(low, links, said_link)):
                product = None if kind == "product" else product
                competitor = None if kind == "competitor" else competitor
        f.update(status=status if obj_kind == "deals" else None, stages=stage_list,
                 forecast_categories=sorted({str(v) for v, _ in cats}), owner=owner, team=team, product=product,
                 deal_type=str(dtype[0]) if dtype else None, competitor=competitor, account=account,
                 amount_min=amin, amount_max=amax, windows=wins, min_pushes=pushes, has_next_step=nxt,
                 min_days_in_stage=stuck, employees_min=emin, employees_max=emax, revenue_min=rmin, revenue_max=rmax,
                 founded_min=fmin, founded_max=fmax, has_parent=parented, below_list=priced,
                 has_competitor=competed if competitor is None else None,
                 activities_min=touch_min if obj_kind in ("deals", "accounts") else None,
                 activities_max=touch_max if obj_kind in ("deals", "accounts") else None,
                 with_contact_role=on_file if on_file and on_file_present and obj_kind in ("deals", "accounts") else None,
                 without_contact_role=on_file if on_file and not on_file_present and obj_kind in ("deals", "accounts") else None,
                 exclude=left.exclude, **{k: v[0] for k, v in fact_values.items() if v})
        if cats and metric_name == "list" and obj_kind == "deals" and not obj and not re.search(
                r"\b(show|list|which|what are|give me|pull up|see|deals?|opps?|opportunit(?:y|ies))\b", low):
            metric_name = "pipeline"  # 'west's commit', 'commit for this quarter', 'who has the most commit': an amount
        if which_accounts and metric_name == "list" and not group and not top_n:
            group, metric_name = "account", "count"
            assumptions.append("the accounts, each with its number of matching deals")
        if group and metric_name == "list":
            # 'who had the most wins', 'most deals won': counted; 'who won the most', 'most won revenue': the amount
            counted = per_group or re.search(r"\b(wins|deals|opps|opportunities|number|count|how many)\b", low) and not re.search(
                r"\b(revenue|rev|bookings?|booked|amount|value|dollars?|money|sales|arr|acv)\b|\$", low)
            metric_name = "sum" if obj_kind == "deals" and status == "won" and not counted else "count"
            assumptions.append(f"ranked by {'number of records' if metric_name == 'count' else 'won amount'}")
        part = share.part_filters(share_at, share.said_at(f, said_links, {
            "deal_type": [dtype[1]] if dtype else [], "stages": [sp for _, sp in stages], "windows": [w.at for w in windows],
            "forecast_categories": [sp for _, sp in cats], "amount_min": amount_spans, "amount_max": amount_spans,
            "has_parent": parent_spans, "below_list": price_spans, "has_competitor": competed_spans, "employees_min": heads, "employees_max": heads,
            "revenue_min": firm, "revenue_max": firm, "founded_min": since, "founded_max": since})) if share_at is not None and not group else []
        if part and metric_name in ("list", "count", "sum", "pipeline"):
            metric_name = "count" if metric_name == "list" else metric_name
        else:
            part = []
            said_status = [v for v, at in stat if share_at is not None and at[0] >= share_at and v in ("won", "lost")]
            if said_status and metric_name in ("list", "count") and not group:  # 'what % of my closed deals were won'
                metric_name, share_spans = ("win_rate" if said_status[0] == "won" else "loss_rate"), []
                f["status"] = "closed"
        rated = bool(rate_spans) and metric_name in ("win_rate", "loss_rate")  # '% of' read as a share, 'under 60%' as a bound
        unsupported = [m for p in UNSUPPORTED for m in re.finditer(p, low)
                       if not (part and any(a <= m.start() < b for a, b in share_spans))
                       and not (rated and any(a <= m.start() < b for a, b in rate_spans))]
        if any(w.field == "next_step" for w in wins):  # 'next step date by nov 30': the window's date
            used += [m.span() for m in re.finditer(r"\bnext[- ]steps?(?:\s+(?:due\s+)?dates?)?\b", low)]
        if any(w.field == "created" for w in wins):  # 'new opps we created in jan': 'new' says created, no deal type
            used += [m.span() for m in re.finditer(r"\bnew\b(?=\s+(?:deals?|opps?|opportunit\w*|pipe(?:line)?)\b)", low)]
        unapplied = unapplied_words(question, used + [m.span() for m in unsupported] + left.spans)
        cannot = [m.group(0) for m in unsupported] + left.negated
        unapplied += [w for w in cannot if w not in unapplied]
        evidence = crm_evidence(low, obj, metric, links, windows, stat, stages) + more_evidence(
            low, performance=performance, role=bool(role), group=bool(group), asks=bool(stat or metric),
            filtered=any([inactive, pushes, stuck, mvr, staff, fact_values, parented is not None, priced is not None,
                          competed is not None, on_file, touch_spans,
                          nxt is not None, cats, group, dtype]),
            pointed=obj_kind == "contacts" and bool(account) or any(w.field in ("next_step", "last_activity") for w in wins))
        lib = 1.0 if LIBRARY_CUES.search(low) else 0.0
        try:
            cut = shape.ranking(metric=metric_name, group=group, order=order, limit=limit, compare=compare, rank=rank,
                                rank_order=rank_order, bounds=(vmin, vmax) if per_group else None,
                                rates=(rmin_rate, rmax_rate) if rated else None,
                                versus=versus if group else None)
            q = CrmQuery(object=obj_kind, group_by=group, compare=compare, share_of=part, sort_by=sort_by,  # type: ignore[arg-type]
                         versus_window=versus_window if group and not compare else None,
                         trend=direction if versus_window is not None and group and not compare else None,
                         filters=CrmFilters(**f), **cut)  # type: ignore[arg-type]
        except ValidationError as exc:
            problem = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            return Parse(None, evidence, lib, unapplied, assumptions, links, problem)
        content = [w for w, _, _ in words(question) if w not in FILLER]
        coverage = 1 - len(unapplied) / max(1, len(content))
        explicit = ({"status"} if stat else set()) | ({"performance"} if performance else set())
        return Parse(q, evidence, lib, unapplied, assumptions, links, None, round(coverage, 3), question,
                     explicit=explicit, unsupported=cannot, doubts=doubts)
