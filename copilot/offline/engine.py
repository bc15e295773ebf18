"""The offline engine's entry point: route the question, resolve entities, run the handler.

Thread state (the last account and deal talked about) lets follow-ups say "it" or "they".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from copilot.core.domain import Answer
from copilot.core.embeddings import Embedder
from copilot.core.errors import CopilotError, NotFound, PermissionDenied
from copilot.core.lang import has_han, language
from copilot.core.visibility import Scope
from copilot.offline import account_facts, contact_card, crm_answers, library_answers, requests
from copilot.offline.crm_query_answer import crm_answer, linker_for, parse_question
from copilot.offline.forms import (
    AT_RISK,
    FORECAST,
    IN_GENERAL,
    ONE_CALL,
    ONE_DEAL,
    OUTLOOK,
    POLICY,
    asks_for_rules,
    foreign_words,
    routing_text,
)
from copilot.offline.injection import NOTE as INJECTION_NOTE
from copilot.offline.injection import SQL_NOTE, set_aside, strip_sql
from copilot.offline.names import hidden_account, is_crm_account
from copilot.offline.parse.attributes import as_parent
from copilot.offline.parse.lexicon import FILLER
from copilot.offline.parse.link import Linker
from copilot.offline.parse.normalize import VOCAB
from copilot.offline.parse.result import Parse
from copilot.offline.parse.zh import to_english, unread
from copilot.offline.requests import is_request
from copilot.offline.router import Router, cued_intents
from knowledge.crm.models import Deal, User
from knowledge.crm.scoping import apply_scope, nameable_accounts, require_records
from tools.calls import answers as call_answers
from tools.calls.answers import is_call_question
from tools.compose import Composer
from tools.context import ToolContext
from tools.entities import (
    PRONOUNS,
    Entities,
    match_account,
    match_competitor,
    match_stage,
    named_after_preposition,
    parse_amounts,
    parse_window,
)
from tools.forecast import answers as forecast_answers
from tools.health import answers as health_answers
from tools.health.answers import is_health_question
from tools.roleplay import answers as roleplay_answers

Handler = Callable[[ToolContext, Composer, Entities, str], float]

# Intents that compute or act on records: taken only when the question carries their keyword cues,
# because a wrong guess there (a number table, a proposed email) is worse than quoting the library.
STRUCTURED = {"pipeline", "forecast", "at_risk", "my_deals", "roleplay", "call_summary", "followup"}
LIBRARY_INTENTS = ("objection", "competitor", "knowledge")
RECORD_LEVEL = {"account_status", "champion", "my_deals", "deal", "call_summary", "followup", "request",
                "call_quotes", "account_fact", "contact_card"}
# Intents whose handlers read the question themselves: the CRM query reader is not run for them.
OWN_READERS = ("request", "call_quotes", "last_contact", "health", "account_fact", "contact_card")
NEEDS_ACCOUNT = {"account_status", "champion", "call_summary", "followup"}
HELP = (
    "I can answer questions about your accounts, deals and the case library, with sources. Try:\n"
    "- \"What's going on with <account>?\"\n- \"What are my open deals closing this month?\"\n"
    "- \"How do we handle a discount request?\"\n- \"How do we compare to <competitor>?\"\n"
    "- \"Who is the champion at <account>?\"\n- \"Which deals are at risk?\" / \"What will my team close this quarter?\""
)


NOT_CRM_CUES = {"call_summary", "followup", "roleplay", "account_status"}
NAME_AFTER = re.compile(r"\b(?:at|with|for|from|on|about|of)\s+([A-Z][\w&'-]+(?:\s+[A-Z][\w&'-]+){0,3})|"
                        r"\bat\s+([a-z][\w&'-]{3,}(?:\s+[a-z][\w&'-]+){0,2})")  # 'the EB at acme' 


def is_crm_question(parse: Parse | None, cued: frozenset[str], question: str) -> bool:
    """CRM questions go to the typed query; library, forecast, call and action requests do not."""
    if parse is None or (parse.query is None and parse.problem is None):
        return False
    text = parse.text or question  # normalized: 'for the forecast call' and typos are gone
    if cued_intents(text) & NOT_CRM_CUES or AT_RISK.search(text) or FORECAST.search(text) or OUTLOOK.search(text):
        return False
    q = parse.query
    if parse.library_evidence and (q is None or q.metric == "list" or parse.crm_evidence < 3):
        return False  # "how do we win against X" is a playbook question; "how many did we win" is not
    # The parser must have understood the question: words it could not apply mean it is about something else
    # ("what uplift do we apply to renewal quotes" is pricing policy, not a list of renewals).
    if len(foreign_words(parse)) > (2 if parse.crm_evidence >= 4 else 1):
        return False  # (a CRM phrase the query cannot express yet is said, not a reason to leave the CRM)
    return parse.crm_evidence >= 2


# 'draft a follow-up email to Imani about the proposal': a note to a person, not the follow-up of a recorded call
TO_SOMEONE = re.compile(r"\b(?:email|e-mail|note|message|follow[- ]?up)\s+(?:email\s+|note\s+)?to\s+(?!(?:the|my|our|this|that|"
                        r"today'?s|yesterday'?s|last)\b)\w", re.I)


def unknown_name(parse: Parse, question: str) -> str | None:
    """A capitalized name the asker used that links to nothing they can see ('deals at Acme')."""
    left = set(parse.unapplied)
    for m in NAME_AFTER.finditer(question):
        words = [w for w in (m.group(1) or m.group(2)).split() if w in left and w.lower() not in VOCAB]
        if words:
            return " ".join(words)
    return next((w for w in parse.unapplied if w[:1].isupper() and question.find(w) > 0), None)


def failure(intent: str, exc: CopilotError) -> Answer:
    """A refusal (outside the asker's scope) or a one-line problem, as the answer to show."""
    c = Composer()
    if isinstance(exc, PermissionDenied):
        c.add(f"I can't show that: {exc}")
        return c.answer(intent, 0.9, notes=["refused: outside your scope"])
    c.add(f"{exc}")
    return c.answer(intent, 0.3)


def clarifying_question(role: str, parse: Parse | None) -> str:
    """One specific question back when the ask is too vague to answer, using what was understood."""
    heard = parse.query.filters if parse is not None and parse.query is not None else None
    when = f" for {heard.windows[0].label}" if heard and heard.windows and heard.windows[0].label else ""
    if role == "exec":
        return (f"Do you mean bookings{when}, open pipeline, or win rate - and for the whole company or by team? "
                "For example: \"win rate by team last quarter\".")
    if role == "manager":
        return (f"Do you mean your team's bookings{when}, its open pipeline, or the deals at risk? "
                "For example: \"pipeline by rep closing this quarter\".")
    return (f"Do you mean what you have won{when}, your open pipeline, or deals that need attention? "
            "For example: \"my open deals closing this month\".")


class OfflineEngine:
    def __init__(self, embedder: Embedder, extra_handlers: dict[str, Handler] | None = None,
                 cache_dir: Path | None = None) -> None:
        self.router = Router(embedder, cache_dir=cache_dir)
        self.handlers: dict[str, Handler] = {
            "account_status": self._account_status,
            "champion": crm_answers.contacts,
            "last_contact": crm_answers.last_contact_answer,
            "account_fact": account_facts.answer,
            "contact_card": contact_card.answer,
            "my_deals": crm_answers.deal_list,
            "deal": crm_answers.one_deal,
            "objection": library_answers.objection,
            "competitor": library_answers.competitor,
            "knowledge": library_answers.knowledge,
            **call_answers.HANDLERS,
            **forecast_answers.HANDLERS,
            **health_answers.HANDLERS,
            **roleplay_answers.HANDLERS,
        }
        self.handlers.update(extra_handlers or {})

    def needs_data(self, question: str) -> bool:
        """Does answering need the CRM or the library (anything but greetings and role-play)?"""
        return self.router.route(question).intent not in ("help", "roleplay")

    @staticmethod
    def _account_status(ctx: ToolContext, c: Composer, ent: Entities, q: str) -> float:
        conf = crm_answers.account_status(ctx, c, ent, q)
        crm_answers.account_notes(ctx, c, ent, q)
        return conf

    def entities(self, ctx: ToolContext, question: str, state: dict[str, Any]) -> Entities:
        ent = Entities()
        if not ctx.scope.aggregates_only:
            from tools._crm import visible_accounts

            hit = match_account(question, visible_accounts(ctx))
            if hit:
                ent.account_id, ent.account_name = hit
            else:
                with ctx.crm.session() as s:
                    ent.dealt_account = match_account(question, list(s.execute(nameable_accounts(ctx.scope)).tuples()))
                ent.unknown_account = None if ent.dealt_account else named_after_preposition(question)
            named = hit or ent.dealt_account
            if named and as_parent(question, named[1]):  # 'subsidiaries of Acme': a filter on the parent company
                ent.account_id = ent.account_name = ent.dealt_account = None
        with ctx.crm.session() as s:
            comps = sorted({c for c in s.scalars(select(Deal.competitor).distinct()) if c})
            people = list(s.execute(apply_scope(select(User.id, User.name), ctx.scope, _UserScope)))
        ent.competitor = match_competitor(question, comps)
        low = question.lower()
        for uid, name in people:
            first = name.split()[0].lower()
            if uid != ctx.principal.user_id and (name.lower() in low or re.search(rf"\b{re.escape(first)}'?s?\b", low)):
                ent.people.append((uid, name))
        ent.stage = match_stage(question)
        ent.window = parse_window(question, ctx.today)
        ent.min_amount, ent.max_amount = parse_amounts(question)
        m = re.search(r"\b([A-Z]{1,6}-\d{2,6}|[a-z]+:deal:[\w-]+)\b", question)
        ent.deal_ref = m.group(1) if m else None
        ent.pronoun = bool(PRONOUNS.search(question))
        ent.mine = bool(re.search(r"\b(my|mine|i have|i own)\b", low))
        if ent.account_id is None and state.get("account_id") and (ent.pronoun or not ent.unknown_account):
            ent.account_id, ent.account_name = state["account_id"], state.get("account_name")
            ent.unknown_account = None
        return ent

    def answer(self, ctx: ToolContext, question: str, state: dict[str, Any]) -> tuple[Answer, dict[str, Any]]:
        question, injected = set_aside(question)
        question, sql = strip_sql(question)
        if (injected or sql) and not question:
            c = Composer()
            c.add(f"{INJECTION_NOTE if injected else SQL_NOTE} Ask me about your deals, accounts, calls or the case library.")
            return c.answer("help", 0.9), state
        original, han_names = question, []
        linker = linker_for(ctx)  # the CRM's names, once per question: routing, the Chinese reader and the parser
        if has_han(question):  # read in the parser's words; library search keeps the Chinese
            han_names = linker.han_names()
            question = to_english(question, han_names) or question
        if language(original) == "zh":
            ctx = replace(ctx, lang="zh")
        answer, new_state = self._answer(ctx, question, state, linker, original=original, han_names=han_names)
        if injected:
            answer.notes.insert(0, INJECTION_NOTE)
        if sql:
            answer.notes.insert(0, SQL_NOTE)
        return answer, new_state

    def _answer(self, ctx: ToolContext, question: str, state: dict[str, Any], linker: Linker,
                original: str = "", han_names: list[str] | None = None) -> tuple[Answer, dict[str, Any]]:
        # Route on the text the CRM reader would read: typos fixed ('discovery satge', 'forcast', 'taem') and purpose
        # phrases set aside ('for the forcast call: best 2 sellers'), so a typo does not decide the route.
        routing = routing_text(question, linker)
        route = self.router.route(routing)
        intent = route.intent
        hidden = hidden_account(ctx, f"{question} {original}") if intent not in ("help", "roleplay") else None
        if hidden:  # the same words as for a name that is no account: nothing about it, from the CRM or the library
            return failure("account_status", NotFound(f"I couldn't find an account matching '{hidden}' among the accounts "
                                            "you can see")), state
        if intent in STRUCTURED and intent not in route.cued:  # the best intent the question's words allow
            intent = next(i for i in route.ranked if i not in STRUCTURED or i in route.cued)
        c = Composer()
        rules = asks_for_rules(routing, original or question, linker)  # the form of 'how is it done', no record named
        if is_request(question) and (not re.search(r"\bfollow[- ]?up\b", question, re.I) or TO_SOMEONE.search(question)):
            intent = "request"
        elif is_call_question(routing) and not rules:
            intent = "call_quotes"
        elif is_health_question(routing) and not rules:  # customer health: scores, at-risk customers, renewals
            intent = "health"
        elif OUTLOOK.search(routing) and not rules:
            intent = "forecast"
        elif (who := crm_answers.last_talk_person(question)) and not crm_answers.names_an_account(ctx, who):
            intent = "last_contact"
        elif account_facts.asked_fact(routing) and account_facts.named_account(ctx, question):
            intent = "account_fact"  # 'how many employees does Isdom have': the company's own facts
        elif contact_card.named_contact(ctx, question):
            intent = "contact_card"  # "what's Beatriz Delaney's email"
        policy = bool(POLICY.search(routing))
        if policy and intent not in ("request", "call_quotes", "roleplay") \
                or rules and intent not in ("request", "roleplay", "last_contact", "account_fact", "contact_card"):
            intent = next(i for i in route.ranked if i in LIBRARY_INTENTS)
        try:
            parse = None if intent in OWN_READERS or policy else parse_question(ctx, question, linker)
        except CopilotError:
            parse = None
        # Chinese the CRM reader left unread ("默认上浮", "单点登录协议") makes it a library question, unless it is
        # a word or two beside a clear CRM question (then it is reported as not applied, and costs confidence).
        left = unread(question, han_names or []) if original and original != question else []
        if left and intent not in (*OWN_READERS, "forecast", "roleplay"):
            if len("".join(left)) >= 3 or parse is None or parse.query is None or parse.crm_evidence < 2:
                intent, parse = next(i for i in route.ranked if i in LIBRARY_INTENTS), None
            else:
                parse.unapplied += [w for w in left if w not in parse.unapplied]
        crm_intent = intent in ("pipeline", "my_deals") and parse is not None and parse.query is not None \
            and not parse.library_evidence
        if (crm_intent or is_crm_question(parse, route.cued, question)) and not (rules and foreign_words(parse)):
            assert parse is not None
            return self._crm(ctx, c, parse, question, state)
        vague = not [w for w in re.findall(r"[a-z][a-z']+", question.lower())
                     if len(w) > 2 and w not in FILLER and w not in ("doing", "going", "things", "look", "looking", "help")]
        if vague and not left and not (parse and parse.crm_evidence >= 2) and intent not in ("roleplay", "request"):
            intent = "help"
        elif intent == "help" and not vague:  # a real question the router could not place: try the library
            intent = next(i for i in route.ranked if i in LIBRARY_INTENTS)
        if intent == "help":
            greeting = re.fullmatch(r"\W*(hi|hello|hey|help|thanks|thank you|what can you (do|help( me)?( with)?)|"
                                    r"how do i use you|who are you|what are you)\W*", question, re.I)
            if greeting:
                c.add(HELP)
                return c.answer("help", 0.9), state
            c.add(clarifying_question(ctx.principal.role.value, parse))  # one specific question, not a menu
            return c.answer("clarify", 0.2, notes=["asked to clarify"]), state
        try:
            if intent in RECORD_LEVEL:
                require_records(ctx.scope, "account, deal or contact records")
            if intent == "request":
                return c.answer("request", requests.handle(ctx, c, question), notes=["proposed, not executed"]), state
            ent = self.entities(ctx, question, state)
            if ent.unknown_account and intent not in route.cued and not is_crm_account(ctx, ent.unknown_account) \
                    and library_answers.library_mentions(ctx, ent.unknown_account):
                ent.unknown_account = None  # 'sign in with LDAP', 'nominate for ABX': a term the library uses
            explicit_account = ent.account_id and ent.account_id != state.get("account_id")
            if (intent in ("knowledge", "my_deals") or intent == "competitor" and not ent.competitor
                    and not library_answers.COMPARING.search(question)) and explicit_account and not ent.window \
                    and not ent.stage:
                intent = "account_status"  # 'tell me about Isdom': a customer of ours, not a rival
            if ent.dealt_account and not ent.account_id and (intent in NEEDS_ACCOUNT or intent in ("knowledge", "my_deals")
                                                             or intent == "competitor" and not ent.competitor
                                                             and not library_answers.COMPARING.search(question)):
                return self._dealt_account(ctx, c, ent.dealt_account[1], question, state)
            if intent in ("champion", "account_status", "deal", "call_summary") and not (ent.account_id or ent.deal_ref) \
                    and (intent not in route.cued
                         or intent == "champion" and (not re.search(r"\bwho\b|\bwho'?s\b", question, re.I)
                                                      or IN_GENERAL.search(question) is not None)
                         or intent == "deal" and not ONE_DEAL.search(question)
                         or intent == "call_summary" and not ONE_CALL.search(question)) \
                    and not ent.unknown_account:
                intent = next(i for i in route.ranked if i in LIBRARY_INTENTS)
            if intent in NEEDS_ACCOUNT and not ent.account_id:
                if ent.unknown_account:
                    raise NotFound(f"I couldn't find an account matching '{ent.unknown_account}' among the accounts "
                                   "you can see")
                if intent == "followup" or not library_answers.explains(replace(ctx, scope=Scope(ctx.principal)), question):
                    c.add("Which account do you mean? Name it in your question, e.g. \"What's going on with <account>?\"")
                    return c.answer(intent, 0.2), state
                # one library section holds most of the question ('my champion wants to buy through the marketplace,
                # who on their side accepts the offer?'): a process question, answered from the library
                intent = next(i for i in route.ranked if i in LIBRARY_INTENTS)
            handler = self.handlers.get(intent) or library_answers.knowledge
            if intent in LIBRARY_INTENTS:  # library questions get library answers, never CRM notes
                ctx = replace(ctx, scope=Scope(ctx.principal))
            asked = original if intent in LIBRARY_INTENTS and original else question
            confidence = handler(ctx, c, ent, asked)
            # A near tie between two routes costs a CRM or record answer a fifth. Not a library answer: on the
            # handbook, those after a near tie held their facts as often as the rest (92% of 443, against 91%).
            confidence *= 0.8 if route.margin < 0.03 and intent not in LIBRARY_INTENTS else 1.0
        except CopilotError as exc:
            return failure(intent, exc), state
        new_state = dict(state)
        if ent.account_id:
            new_state.update(account_id=ent.account_id, account_name=ent.account_name)
        return c.answer(intent, confidence), new_state


    def _dealt_account(self, ctx: ToolContext, c: Composer, name: str, question: str,
                       state: dict[str, Any]) -> tuple[Answer, dict[str, Any]]:
        """'what's going on with Isdom' from a rep who sells to Isdom but does not own it: their own deals
        there (the account's card, contacts and other reps' deals stay with its owner), said as such."""
        parse = parse_question(ctx, f"list all deals for {name}")
        c.add(f"{name} is not one of your accounts, so here are your own deals with it (its card and contacts "
              "are its owner's).")
        answer, new_state = self._crm(ctx, c, parse, question, state)
        answer.confidence = round(answer.confidence * 0.9, 3)
        return answer, new_state

    @staticmethod
    def _crm(ctx: ToolContext, c: Composer, parse: Parse, question: str,
             state: dict[str, Any]) -> tuple[Answer, dict[str, Any]]:
        if parse.query is None:
            c.add(f"I read this as a CRM question but couldn't build it: {parse.problem}. Could you rephrase?")
            return c.answer("crm_query", 0.15), state
        name = unknown_name(parse, question)
        if name:
            c.add(f"I couldn't find an account, person, team or product called '{name}' among those you can see. "
                  "Which one do you mean? (Check the spelling, or ask your manager if it belongs to another team.)")
            return c.answer("crm_query", 0.3, notes=["unknown name"]), state
        f = parse.query.filters
        if f.account is None and state.get("account_name") and PRONOUNS.search(question):
            f.account = state["account_name"]  # "they" / "it": the account the thread is about
        linked = next((x for x in parse.links if x.kind == "account"), None)
        new_state = dict(state, account_id=linked.id, account_name=linked.name) if linked else state
        try:
            confidence, data = crm_answer(ctx, c, parse)
        except CopilotError as exc:
            return failure("crm_query", exc), state
        ans = c.answer("crm_query", confidence)
        ans.data["crm"] = data
        return ans, new_state


class _UserScope:
    """Users are scoped by themselves (owner) and their team, so reuse apply_scope via these columns."""

    owner_id = User.id
    team_id = User.team_id
