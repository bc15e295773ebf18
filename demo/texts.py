"""Templates for the text of demo activities: email threads, meeting notes, notes and tasks.

Placeholders are filled from the deal: {c} contact first name, {rep} rep first name, {acct} account,
{prod} product, {amount} deal amount, {list} list price, {disc} discount, {when} a concrete date,
{comp} competitor, {seats} seats, {years} term.
"""

from __future__ import annotations

# topic -> (subject, [messages alternating outbound / inbound])
THREADS: dict[str, tuple[str, list[str]]] = {
    "intro": ("Skylark Data x {acct}: data pipeline reliability", [
        "Hi {c}, following up on the data reliability webinar. Teams like yours typically lose 6-10 hours a "
        "week to broken pipelines. Would 30 minutes on {when} work to compare notes? - {rep}",
        "Hi {rep}, timing is good: we had two failed nightly loads last month. {when} works for me.",
        "Great, invite sent for {when}. I'll bring a short overview of {prod} and questions about your stack.",
    ]),
    "discovery": ("Recap: discovery call and next steps", [
        "Thanks {c}. Recap: about 140 pipelines across Snowflake and Postgres, on-call gets paged ~12 times a "
        "month, and finance reporting slipped twice this quarter. Proposed next step: technical session on {when}.",
        "Accurate summary. Please add our data architect to the next session; he will ask about lineage.",
        "Added. I will also share a reference from a {sector} customer with a similar footprint.",
        "Thanks. Can you send the reference before {when}?",
    ]),
    "demo": ("Follow-up from the {prod} demo", [
        "Hi {c}, thanks for the time today. Attached the recording and the answers on alert routing and "
        "column-level lineage. Suggest a 2-week pilot starting {when}.",
        "The team liked the anomaly detection. Open question: how long does connecting our 3 source systems take?",
        "Typical setup is 2-3 days per source with our solutions engineer; the pilot plan covers it.",
        "OK. Let's plan the pilot kickoff for {when}.",
    ]),
    "pricing": ("Pricing question: {prod}", [
        "Hi {c}, as requested: {prod} lists at {list} per year for your volume. A {years}-year term brings the "
        "total to {amount}.",
        "Thanks {rep}. That is above what we budgeted. {comp_line}Is there flexibility on the discount?",
        "We can discuss up to {disc} with a multi-year commitment and a signature before {when}.",
        "Understood, I will take it to our CFO and come back this week.",
    ]),
    "security": ("Security review: questionnaire and SOC 2 report", [
        "Hi {c}, attached our SOC 2 Type II report and the completed security questionnaire (212 questions). "
        "Data stays in your cloud region; we only read metadata for {prod}.",
        "Thanks. Our security team needs SSO via Okta, SCIM provisioning and a signed DPA before {when}.",
        "All three are supported; the DPA is attached and SCIM is included in every tier.",
        "Good. Review is scheduled for {when}; I will confirm the outcome afterwards.",
        "Thank you. If a call with our CISO helps the review, we can set one up the same day.",
    ]),
    "scheduling": ("Next meeting: {when}", [
        "Hi {c}, can we meet on {when} to review the proposal with your procurement team?",
        "{when} works. I'll invite procurement and our data architect.",
    ]),
    "renewal": ("Renewal of {prod}: adoption review", [
        "Hi {c}, your {prod} renewal is coming up. Before we send the quote, can we review adoption together "
        "on {when}? Active users are at {active} of {seats} seats.",
        "Yes, adoption has been uneven since the platform team reorganized. Let's review on {when}.",
        "Agenda: usage by team, the two open support tickets and a training plan. Renewal quote: {amount}.",
    ]),
    "paper": ("Order form and MSA redlines", [
        "Hi {c}, attached the order form for {prod} ({amount}, {years}-year term) and our MSA.",
        "Legal returned redlines on liability caps and payment terms (net 60). Can you review by {when}?",
        "We accept net 60; liability cap stays at 12 months of fees. Updated version attached.",
    ]),
}

STAGE_TOPICS = {
    "prospecting": ["intro"], "qualification": ["intro", "scheduling"], "discovery": ["discovery", "scheduling"],
    "demo": ["demo", "security", "scheduling"], "proposal": ["pricing", "security", "scheduling"],
    "negotiation": ["pricing", "paper", "scheduling"],
}

OBJECTIONS = {
    "price": "Price: the {amount} proposal is above budget; asked for a bigger discount and compared with {comp}.",
    "security": "Security review: InfoSec must approve data access; HIPAA/BAA and SOC 2 questions raised.",
    "integration": "Integration effort: worried about engineering time to connect source systems.",
    "build": "Build vs buy: the data engineering team thinks they can build alerting in-house.",
    "timing": "Timing: budget freeze until next fiscal year; project may slip a quarter.",
    "adoption": "Low adoption: only {active} of {seats} seats active; questioning renewal value.",
    "competitor": "Competition: also evaluating {comp}; wants a side-by-side on lineage and cost.",
}

MEETINGS = {
    "prospecting": ("Intro call", "Introduced Skylark Data; {c} described recurring failures in nightly loads."),
    "qualification": ("Qualification call", "Confirmed pain and rough budget; {c} owns the data platform roadmap."),
    "discovery": ("Discovery call", "Mapped their stack: ~140 pipelines, dbt, Snowflake. Impact: delayed finance "
                                    "reporting, 12 on-call pages a month."),
    "demo": ("Product demo", "Demoed {prod}: anomaly detection, lineage and alert routing to their Slack."),
    "proposal": ("Proposal review", "Walked through the {amount} proposal for {prod} ({years}-year term)."),
    "negotiation": ("Negotiation call", "Discussed final terms, discount ({disc}) and signature timing."),
}

NEXT = {
    "prospecting": "Schedule discovery on {when}", "qualification": "Discovery session on {when}",
    "discovery": "Technical demo on {when}", "demo": "Pilot kickoff on {when}",
    "proposal": "Revised proposal by {when}", "negotiation": "Signature target {when}",
}

NOTES = [
    "{c} confirmed budget sits with the {eb_title}; approval needed above $50k.",
    "Call with {c}: team is unhappy with current tooling, two incidents hit board reporting last quarter.",
    "Internal: manager review. Deal depends on getting a second contact engaged beyond {c}.",
    "{c} shared the evaluation criteria: lineage depth, alert noise, total cost over 3 years.",
    "Mutual action plan shared with {c}; decision expected by {when}.",
]

TASKS = [
    "Send SOC 2 report and security questionnaire to {c}", "Prepare ROI model for {acct}",
    "Book technical deep dive with {c}", "Send revised proposal to {c}", "Share customer reference for {acct}",
    "Follow up with {c} on decision timeline",
]
