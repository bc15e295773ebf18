"""Question forms that decide where a question goes before the router's nearest exemplar does.

The router embeds the question and compares it with labelled exemplars; these patterns catch the forms
whose meaning the nearest exemplar gets wrong: a forecast asked as "how's the quarter looking", a policy
question that names CRM words ("how is win rate calculated"), a question about deals in general rather
than one deal. ``copilot.offline.engine`` applies them.
"""

from __future__ import annotations

import re

from copilot.core.lang import has_han
from copilot.offline.gate import LIBRARY_SURE, library_probability
from copilot.offline.parse.link import Linker
from copilot.offline.parse.normalize import normalize
from copilot.offline.parse.result import Parse
from copilot.offline.router import FOCUS_CUE, NEEDS_HELP
from tools.calls.answers import REPORTED, is_call_question

FORECAST = re.compile(r"\bforecast(?:ed)?\b(?!\s+(?:categor|as\b|in\s+(?:commit|best|upside|pipeline)))|\bon track\b|\bon pace\b|\b(?:my|our|the team'?s?) number\b(?!\s+of\b)|\bwill (we|i|my team|the team|they) (close|land|hit|make|book)\b|"
                      r"\bhit (the|our|my) (number|quota|target)\b|\bcommit number\b|\bprojection\b|"
                      r"\bgoing to (close|land|hit)\b", re.I)
# The asker's own figures: 'what is the team forecast and what could change it' asks for records, whatever its form.
OWN_NUMBER = re.compile(r"\b(?:my|our|the team'?s?|team|their)\s+(?:forecast|commit|number|quota attainment|target)\b",
                        re.I)
# "How's the quarter looking?": the forecast, whatever the router's nearest exemplar says.
OUTLOOK = re.compile(r"\bhow(?:'s| is| does| do)? (?:the |this |our |my |the team'?s? )?(?:quarter|q[1-4])"
                     r"(?: end)? (?:look|looking|shaping up|going|trending|tracking|land|landing)\b|"
                     r"\bwhere (?:will|do|does|are) (?:we|i|the team|my team) (?:land|end up|finish)\b|"
                     r"\bhow (?:will|do) (?:we|i) (?:land|end|finish) the quarter\b", re.I)
AT_RISK = re.compile(r"at[- ]risk|\brisky\b|need(s)? attention|\brisks?\b|"
                     r"\b(deals?|opps?|accounts?)\b.*\b(prioriti[sz]e|focus on)\b|" + FOCUS_CUE + "|" + NEEDS_HELP, re.I)
# Questions about how things are done or defined are for the library even when they name CRM words:
# "what counts as qualified pipeline", "how is win rate calculated", "can I sell a 6 month contract".
POLICY = re.compile(
    r"\bwhat counts as\b|\bhow (?:is|are|do we|do you) [\w %'-]{1,40}? (?:calculated|defined|measured|counted|"
    r"determined|structured|priced|approved|handled)\b|\bhow many\b[^?]*\bshould\b|\bshould (?:a|an|each|every)\b|"
    r"\bcan (?:i|we|you|a rep) (?:sell|offer|give|discount|sign|use|share|change|extend|waive|add)\b|"
    r"\bwhat are the (?:steps|rules|requirements|criteria)\b|\b(?<!next )(?:steps|process|procedure|policy|guidelines?) "
    r"(?:to|for)\b|\bwhen is (?-i:[A-Z])[\w-]+|\bwhat do (?:i|we|you) (?:do|update|need to|fill)\b(?! next\b)(?!(?: do)? next\b)|"
    r"\bwhat (?:is|are) (?:the )?(?:forecast categories|stages|deal stages|definition)\b|\bdefin(?:e|ition)\b|"
    # how a number is worked out or what is expected of a role: 'the formula for close rate', 'is it the same
    # thing as win rate', 'what win rate is expected from a CE at IC3', 'how do you calculate ARR'
    r"\bformula\b|\bthe same (?:thing )?as\b|\b(?:is|are) (?:expected|required) (?:of|from)\b|"
    r"\bhow (?:do|does|should|would) (?:i|we|you|one|finance) (?:calculate|compute|define|measure)\b|"
    # how to run a meeting: 'what should I cover in the discovery call', 'who should join the security review'
    r"\bwhat (?:should|do|must) (?:i|we|you) (?:cover|say|ask|bring|prepare|present|show|demo|send|avoid)\b|"
    # advice for a kind of meeting, not a record: 'what should I focus on in a discovery call'
    r"\bwhat (?:should|must) (?:i|we) [\w ]{1,20}? (?:in|on|at|during|before|after|for) (?:a|an|any|every|my first)\b|"
    r"\bwho (?:should|must|needs to) (?:be|join|attend|lead|run)\b|"
    # when a process runs: 'what time does the company forecast get generated', 'when is the forecast locked'
    r"\bwhat time (?:does|do|is|are|should)\b|\bwhen (?:does|do|is|are) (?:the |our |a )?[\w ]{1,40}? (?:generated|"
    r"created|sent out|refreshed|published|locked|frozen|snapshotted|rolled up)\b|"
    # what a role or level is expected to do, credit rules, checklists, the forecasting process ('how often do
    # we win' stays a win rate):
    # 'how often should I update the deal size', 'the expected win rate for an IC5 CE', 'do I get full quota
    # credit', 'the checklist when I close won an opp', 'am I forecasting next quarter too', 'per the framework'
    r"\bhow often (?:should|must) (?:i|we)\b|\bhow often do (?:i|we) (?:need|have) to\b|\bexpected [\w -]{1,30}? (?:for|of|from) (?:an? |the )?(?:ic ?\d|"
    r"level|aes?|ses?|ces?|sdrs?|bdrs?|reps?|managers?|csms?|tas?|new hires?)\b|\bic ?\d\b|"
    r"\b(?:quota|commission|comp) credit\b|\bdo (?:i|we|reps?|aes?|sdrs?) get (?:\w+ ){0,2}(?:credit|credited|paid|"
    r"commission)\b|\bcheck ?list\b|\b(?:am i|are we|do i|do we|should i|should we) (?:\w+ )?forecast(?:ing)?\b|"
    r"\b(?:per|according to|in) (?:the|our) [\w -]{0,40}?(?:framework|policy|handbook|playbook|guidelines?|rules)\b|"
    # where to record or ask something, what to fill in, what a partner is paid: 'is there a field I should fill
    # in', 'where should I record that', 'what referral % does the partner get'
    r"\b(?:should|must|do) (?:i|we) (?:fill(?: in| out)?|enter|record|tag|flag|mark)\b|"
    r"\b(?:i|we) (?:should|must|need to|have to) (?:fill(?: in| out)?|enter|record)\b|\bwhere (?:should|do|can|would) "
    r"(?:i|we) (?:record|log|put|ask|ping|post|go|raise|report|flag|file|track|note)\b|"
    r"\b(?:referral|commission|partner|reseller) (?:%|percent|percentage|fee|rate|payout)|\bdoes the (?:partner|"
    r"reseller|referrer) get\b|"
    # how finance books or counts something: 'is the ARR counted gross or net', 'when do we book the churn'
    r"\bgross or net\b|\bnet or gross\b|\b(?:counted|booked|recorded|recogni[sz]ed|reported) (?:as|gross|net|when)\b|"
    r"\bwhen (?:do|does|should|would|can) (?:we|i|you|finance|the rep) (?:\w+ )?(?:book|record|count|recogni[sz]e|"
    r"invoice|bill|charge)\b|"
    # how to tell, what happens if, is that allowed, what to fill in, how often a role does a task
    r"\bhow (?:do|can|would|should) (?:i|we|you) (?:know|tell|decide|determine|choose|figure out)\b|"
    r"\bwhat happens (?:if|when)\b|\bis (?:that|it|this) (?:ok|okay|allowed|fine|acceptable|appropriate)\b|"
    # asking leave or the reason for a rule: 'ok to leave stage 2 opps in pipeline?', 'why do we only count new biz'
    r"^\W*(?:is it |would it be )?(?:ok|okay|alright|fine) (?:to|if)\b|\bwhy (?:do|does|should|must|would) (?:we|i|you|reps?)\b|"
    r"\b(?:am i|are we|are reps|is a rep) (?:allowed|supposed|expected|required)\b|"
    r"\bwhat [\w -]{0,30}?(?:do|should|must) (?:i|we|you) (?:fill|enter|put|select|pick|include|attach)\b|"
    r"\bhow (?:often|long|soon|quickly) (?:do|does|should|must|will|can) (?:the |a |an |our )?(?:aes?|ses?|sdrs?|bdrs?|"
    r"ces?|tas?|reps?|managers?|csms?|account executives?|sales ?people|customer engineers?|technical advisors?)\b|\bcan (?:users|customers|admins|developers)\b|"
    r"\bdo(?:es)? (?:it|the product|our product|we) support\b|"
    # where to find something: 'which looker report shows ...', 'where do I find the order form template'
    r"\bwhich (?:[\w-]+ ){0,2}(?:reports?|dashboards?|tools?|templates?|forms?|channels?|folders?|links?|docs?|repos?|"
    r"repositor(?:y|ies)|instances?|environments?|sandbox(?:es)?) "
    r"(?:shows?|has|have|lists?|tracks?|covers?|should i use|do i use|do we use)\b|"
    r"\bwhere (?:do|can|should|would) (?:i|we|you) (?:find|look up|get|see) (?:the |a |our )?(?:[\w-]+ ){0,2}"
    r"(?:reports?|dashboards?|templates?|forms?|docs?|documents?|links?|decks?|collateral|slides?)\b", re.I)
# A question about one deal points at it ('this deal', 'the Acme deal', 'my renewal'); 'a deal closed through a
# marketplace' is about deals in general, a question for the library, not 'which deal do you mean?'.
ONE_DEAL = re.compile(r"\b(?:this|that|the|my|our|their|his|her)\s+(?:[\w&'-]+\s+){0,3}(?:deal|opp|opportunity|"
                      r"renewal)\b(?!s)", re.I)
# One call or meeting, to summarize: 'my last call', 'the Acme meeting', 'today's call'; 'a typical first intro call
# with a smaller prospect' is about calls in general, a question for the library.
ONE_CALL = re.compile(r"\b(?:this|that|the|my|our|their|last|latest|recent|today'?s|yesterday'?s)\s+(?:[\w&'-]+\s+){0,3}"
                      r"(?:call|meeting|demo|conversation|check-in)\b(?!s)", re.I)
# A question about a kind of person or what usually happens, not about one account's records: 'who typically plays
# the champion role in an implementation' is for the library, 'who is their champion' asks which account.
IN_GENERAL = re.compile(r"\b(?:typically|usually|generally|normally|tends? to|role|persona|kind of person)\b", re.I)


def asks_for_rules(routing: str, original: str, linker: Linker) -> bool:
    """Is the question, by its form, about how things are done (``copilot.offline.gate``), naming no account or
    person of the CRM? Then the record handlers leave it to the library. English only: the gate reads English."""
    if has_han(original) or library_probability(routing) < LIBRARY_SURE:
        return False
    if is_call_question(routing) and REPORTED.search(routing) or OWN_NUMBER.search(routing):
        return False  # what was said on a call ('how did the customer react'), or the asker's own forecast
    return not any(link.exact and link.kind in ("account", "person") for link in linker.find(routing))


def foreign_words(parse: Parse | None) -> list[str]:
    """Words of the question the CRM reader could not use (not counting CRM phrases it cannot express yet)."""
    return [w for w in parse.unapplied if w not in parse.unsupported] if parse is not None else []


def routing_text(question: str, linker: Linker) -> str:
    """``question`` as the CRM reader normalizes it (typos one edit from its vocabulary fixed, never a word of a
    CRM name; purpose phrases removed), for routing only: handlers still get the words as typed."""
    return normalize(question, linker.words)[0] or question
