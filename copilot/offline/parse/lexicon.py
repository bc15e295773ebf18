"""The words of CRM questions, one lexicon per slot of the typed query (docs/crm-query.md).

Each entry is a regular expression (matched on the lowercased question, with typo-tolerant variants
where users commonly slip) and the slot value it sets. The parser records which characters each match
consumed, so any content word no slot used can be reported back to the asker.
"""

from __future__ import annotations

OBJECTS: list[tuple[str, str]] = [
    (r"\b(deals?|opp(?:ty|tie)?s?|opportunit(?:y|ies)|oppurtunit(?:y|ies)|oportunit(?:y|ies)|dealz|pipe(?:line)? deals)\b", "deals"),
    (r"\brenewals?\b|\bexpansions?\b|\bupsells?\b", "deals"),
    (r"\b(?:biggest|largest|smallest|top|best)\s+(?:wins?|sales?|losses)\b", "deals"),  # 'my biggest win': a deal
    (r"\b(accounts?|acct?s?|customers?|clients?|logos?|companies|subsid[a-z]*(?:ies|s))\b", "accounts"),
    # 'who owns halcyon markets', 'whose account is X': the account, whose line names its owner
    (r"\b(?:who(?:'s| is)? (?:owns?|covers?|covering|handles?|handling)|whose account is)\b"
     r"(?!\s+(?:the )?(?:most|more|fewer|less|least|biggest|largest|fewest|budget)\b)(?=\s+[a-z0-9])", "accounts"),
    (r"\b(contacts?|people at|people do (?:we|i) know|who do (?:we|i) know|stakeholders?|champions?|economic buyers?|"
     r"eb|decision[- ]makers?|signs? off|signer|holds? the budget|budget holder|owns? the budget|technical buyers?|"
     r"blockers?|influencers?)\b", "contacts"),
    (r"\b(activit(?:y|ies)|emails?|meetings?|notes|tasks?|touch(?:es|points?)?)\b", "activities"),
    (r"\b(calls?|recordings?)\b", "calls"),
]

BUYING_ROLES: list[tuple[str, str]] = [
    (r"\b(economic buyers?|eb|decision[- ]makers?|signs? off|signer|holds? the budget|budget holder|owns? the budget|"
     r"controls? the budget)\b", "economic_buyer"),
    (r"\bchampions?\b", "champion"),
    (r"\btechnical buyers?\b", "technical_buyer"),
    (r"\bblockers?\b", "blocker"),
    (r"\binfluencers?\b", "influencer"),
]

ACTIVITY_KINDS: list[tuple[str, str]] = [
    (r"\bemails?\b", "email"), (r"\bmeetings?\b", "meeting"), (r"\bnotes\b", "note"), (r"\btasks?\b", "task"),
    (r"\bcalls?\b", "call"),
]

# (pattern, metric); checked in order, first match wins
METRICS: list[tuple[str, str]] = [
    # the deals' products at list price, and the average share taken off it
    (r"\b(?:worth|value|valued|pipe(?:line)?|total|sum|amount)\b[^?]{0,30}?\b(?:at|by|in)\s+(?:the\s+)?(?:full\s+)?"
     r"list(?:\s+price|\s+prices|\s+pricing)?\b|\blist[- ]price (?:value|total|worth)\b|\blist value\b|"
     r"\b(?:total|sum) of (?:the )?list prices?\b|\btotal list price\b", "list_value"),
    (r"\b(?:avg|average|mean|typical|how much|what|total|overall|usual)\b[^?]{0,25}?\bdiscount(?:s|ing)?\b(?!ed)|"
     r"\bdiscount (?:rate|%|percentage|level|depth)\b|\bhow (?:much|deep|big) (?:of a )?discounts?\b|"
     r"\b(?:avg|average|mean|how much)\b[^?]{0,25}?\boff[- ]list\b", "discount"),
    (r"\b(loss|lose|losing)[- ]?(rate|ratio|%|percentage)\b", "loss_rate"),
    (r"\b(win|close|hit|conversion|success)[- ]?(rate|ratio|%|percentage)|\bwin ?%|\bwinrate\b|\bwin pct\b", "win_rate"),
    (r"\b((avg|average|mean) )?(sales |deal )?(cycle|velocity)\b|\b((average|avg|mean) )?(days|time) to (close|win)\b|\bhow long (does it take|do deals take|"
     r"to close|it takes)\b|\btime to close\b|\bhow long (?:are|is) [^?]{0,40}?\btaking\b|\bhow long (?:do|does|did)\b[^?]{0,140}?\btake\b(?: to (?:close|win))?"
     r"(?: on average)?|(?:\bon (?:avg|average)\s+)?\bhow long\b[^?]{0,60}?\b(?:drag(?:s|ged)? on|sits?|last|stay)\b"
     r"(?:\s+before\s+(?:they'?re|it'?s|they get|it gets|being|getting)\s+(?:lost|won|closed))?|"
     r"\bdays from (?:engage\w*|creat\w*|open\w*|start\w*) to (?:close|win|won|loss|lost)\b", "cycle_length"),
    (r"\b(average|avg|mean|typical)\b[\w\s]{0,20}?\b(deal size|deal value|size|amount|value|deal|acv|contract)s?\b|"
     r"\b(average|avg) (won |closed )?(deals?|opps?)\b|\bdeal size\b|\basp\b", "avg"),
    (r"\blast (touch(?:ed)?|activity|contact(?:ed)?)\b|\bwhen did (we|i|anyone|someone) last( (talk|speak|contact|email|meet|touch|call|hear from|reach out to))?\b|"
     r"\blast time (we|i|anyone|someone|somebody)( (talked|spoke|spoken|contacted|emailed|met|touched|heard from))?\b|\bwhen was [\w .&'-]+ last (touched|contacted|worked)\b", "last_touch"),
    (r"\b(how many|number of|count of|total) (activities|emails|meetings|touches|touchpoints)\b[^?]*\b(on|for|against)\b"
     r"[^?]*\b(deals?|opps?|opportunit(y|ies)|accounts?)\b|\bactivit(y|ies) count\b.*\b(deals?|opps?|accounts?)\b",
     "activity_count"),
    (r"\bhow many\b|\bnumber of\b|\bcount\b|\bno\. of\b|\bactivit(y|ies) count\b", "count"),
    (r"\bhow much (did|have|has) ([\w']+ ){1,3}?(close|closed|win|won|book|booked|sell|sold)\b|\bsold the most\b|"
     r"\bwhat (?:did|has|have) [\w']+ (?:close|closed|book|booked|land|landed|bring in|brought in)\b|"
     r"\b(sells?|selling|sold) (the )?(best|most|least|worst)\b|\b(best|top|worst)[- ]sell(ing|ers?)\b|"
     r"\b(?:make|made|making|earn|earned|earning|generat(?:e|ed|ing)|bring in|brought in|bringing in|brought)\b[\w\s]{0,20}?\b(?:money|cash|dollars|\$)", "sum"),  # 'which product did i make the most money on'
    (r"\bhow often (do|does|did) [\w ]{1,30}? win\b", "win_rate"),
    (r"\b(open |total |current )?(?:pipe\b|pipeline( value| amount| \$)?\b(?! deals)(?! category)(?! forecast category))", "pipeline"),
    # 'worth over 50k', 'amount above $20k' is an amount filter, not a total
    (r"\b(total|sum|revenue|rev|bookings?|booked|how much|(?:amount|value|worth)(?!\s+(?:of\s+)?(?:over|above|more than|"
     r"at least|under|below|less than|between|north of|greater than|[$€£\d]))|dollars|\$ ?(won|closed)|arr|acv)\b"
     r"( value| amount| worth)?", "sum"),
]

STATUS: list[tuple[str, str]] = [
    (r"\bopen or closed\b|\bclosed or open\b|\bof any status\b|\bany status\b|\bany stage\b|\ball statuses\b|"
     r"\b(?:whatever|whichever|regardless of(?: the| their)?|no matter (?:what|the|their)|in any) (?:stage|status)"
     r"(?:\s+(?:they'?re|they are|it'?s|it is) in(?: now)?)?\b", "any"),
    (r"\bhow much (?:did|have|has) (?:[\w']+ ){1,3}?(?:close|closed|win|won|book|booked)\b|\b(?:did|have) (?:i|we|\w+) close\b|"
     r"\bclosed[- ]won\b|\bwon\b|\bwins\b|\bsold\b|\bwe win\b|\bwin(?:ning)?\b(?! rate)|\bbookings?\b|\bbooked\b|\brevenue\b|"
     r"\bclosed (revenue|business|deals? (?:we )?won)\b|\bsigned\b|\blanded\b|\bwho (?:has |have )?closed\b(?![- ]?lost)|"
     r"\b(sells?|selling) (the )?(best|most|least|worst)\b|\b(best|top|worst)[- ]sell(ing|ers?)\b|"
     r"\b(?:biggest|largest|smallest|top|best)\s+sales?\b|"
     r"\b(?:make|made|making|earn|earned|earning|generat(?:e|ed|ing)|bring in|brought in|bringing in|brought)\b[\w\s]{0,20}?\b(?:money|cash|dollars|\$)", "won"),
    (r"\bclosed[- ]lost\b|\blost\b|\blosses\b|\blosing\b|\blose\b|\bdropped\b", "lost"),
    (r"\bclosed\b(?![- ]?(won|lost))", "closed"),
    (r"\bopen\b|\bactive\b|\blive\b|\bin[- ]flight\b|\bin progress\b|\bongoing\b|\bcurrent\b|\bworking\b", "open"),
    (r"\ball (deals|opps|opportunities)\b|\bany status\b", "any"),
]

STAGES: list[tuple[str, list[str]]] = [
    (r"\bnegotiat\w*(?: stage| phase)?|\bnego\b|\bredlines?\b", ["negotiation"]),
    (r"\bproposals?(?: stage| phase)?\b|\bquoted?\b|\bquote stage\b", ["proposal"]),
    (r"\bdemo(?:s|'d|ed)?\b(?! of)(?: stage| phase)?", ["demo"]),
    (r"\b(?:discovery|disco)\b(?: stage| phase)?", ["discovery"]),
    (r"\b(?:qualif\w*|qual\b)(?: stage| phase)?", ["qualification"]),
    (r"\bprospect(?:ing)?\b(?!s)(?: stage| phase)?", ["prospecting"]),
    (r"\blate[- ]stage\b", ["proposal", "negotiation"]),
    (r"\bearly[- ]stage\b", ["prospecting", "qualification", "discovery"]),
]

CATEGORIES: list[tuple[str, str]] = [
    (r"\b(?:forecast(?:ed)? (?:as|in) )?commit(?:ted)?\b(?! to)", "commit"),
    (r"\b(?:categori[sz]ed as|category|categorized|in the|in) pipeline(?: category| forecast category)?\b(?=.*\b(?:category|categori))|"
     r"\bcategori[sz]ed as pipeline\b|\bpipeline (?:forecast )?category\b", "pipeline"),
    (r"\b(?:forecast(?:ed)? (?:as|in) )?(?:best[- ]case|upside)\b", "best_case"),
    (r"\bpipeline category\b|\bcategory pipeline\b|\bin pipeline\b(?= (category|forecast))", "pipeline"),
    (r"\bomitted\b", "omitted"),
]

DEAL_TYPES: list[tuple[str, str]] = [
    (r"\brenewals?\b|\brenewing\b|\bup for renewal\b", "renewal"),
    (r"\bexpansions?\b|\bupsells?\b|\bcross[- ]?sells?\b|\bexpand\b", "expansion"),
    (r"\bnew (business|logos?|customers?)\b|\bnet[- ]new\b|\bnew biz\b|\bnew deals?\b(?! (created|added|opened|came))(?![^?]{0,25}\b(?:create|created|added|opened|came in)\b)", "new"),
    # 'new vs expansion', 'renewals or new': beside another deal type, 'new' alone is new business
    (r"\bnew\b(?= (?:vs\.?|versus|or|and) (?:renewals?|expansions?|upsells?)\b)|(?<=\bvs )new\b|(?<=\bor )new\b(?! \w+ (?:deals?|opps?))"
     r"|(?<=versus )new\b", "new"),
]

GROUPS: list[tuple[str, str]] = [
    (r"reps?|sellers?|salespe(?:ople|rson)|aes?|owners?|agents?|people|person|members?|individuals?", "rep"),
    (r"(?:account|customer|client)s?'? (?:countr(?:y|ies)|locations?|regions?|geo(?:graph(?:y|ies))?s?|hqs?)|"
     r"countr(?:y|ies)|locations?|geograph(?:y|ies)|geos?|hqs?|headquarters",
     "region"),
    (r"teams?|regions?|offices?|groups?|pods?", "team"),
    (r"managers?|mgrs?|leaders?", "manager"),
    (r"(?:product )?series|product lines?|product famil(?:y|ies)", "series"),
    (r"products?|skus?|lines?|offerings?", "product"),
    (r"stages?|phases?", "stage"),
    (r"competitors?|competition|rivals?", "competitor"),
    (r"(?:(?:customer|account|client)s?'? )?(?:sectors?|industr(?:y|ies)|verticals?)", "sector"),
    (r"(?:(?:customer|account|client)s?'? )?(?:tiers?|segments?)|(?:account|customer|company) sizes?", "tier"),
    (r"parents?|parent compan(?:y|ies)|parent accounts?", "parent"),
    (r"accounts?|accts?|customers?|clients?|logos?", "account"),
    (r"deal types?|types?|motions?", "deal_type"),
    (r"forecast categor(?:y|ies)|categor(?:y|ies)", "forecast_category"),
    (r"(?:loss )?reasons?|why", "loss_reason"),
    (r"months?|monthly", "month"),
    (r"quarters?|qtrs?|quarterly|qoq", "quarter"),
]

# Phrases the typed query cannot express yet: reported as not applied (and the confidence drops) rather than
# silently answered as something else.
UNSUPPORTED = [r"\b(?:no |with no |without (?:a |any )?|missing (?:a )?)close dates?\b", r"\b(?:without|no|missing|with no) (?:an |any )?amounts?\b", 
               r"\bwhat changed\b", r"\bchanges? (?:on|to) (?:my|the|our)\b",
               r"\b(?:customers|prospects) vs\.? (?:customers|prospects)\b", r"\b(?:below|above|under|over) \d+ ?%",
               r"\bhaven'?t logged any\b", r"\b% of\b|\bpercent of\b|\bshare of\b", r"\bquota\b", r"\battainment\b"]

# words that carry no slot of their own: never reported as "couldn't apply"
FILLER = set(["itself", "themselves", "remind", "headline", "headlines", "performance", "numbers", "scorecard", "results", "doing", "carrying", "carry", "already", "time", "everything", "mix", "ever", "all-time", "wide", "companywide", "trend", "trends", "send", "sent", "made", "had", "tracking", "trending", "pacing", "coming", "upcoming", "when's", "anything", "stuff", "chase", "need", "asap", "qq", "q", "btw", "fyi", "tbh", "stuff", "things", "anything", "something", "anyone", "someone", "i've", "we've", "value", "dollars", "times", "right", "now", "there", "going", "got", "is", "are", "was", "a", "an", "the", "of", "in", "on", "for", "to", "at", "with", "by", "from", "and", "or", "but", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "have", "has", "had", "i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "it", "its", "they", "them", "their", "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "please", "pls", "plz", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "show", "list", "give", "tell", "find", "get", "pull", "see", "know", "need", "want", "let", "lets", "let's", "just", "any", "all", "some", "every", "each", "currently", "right", "now", "so", "far", "today", "also", "only", "much", "many", "more", "most", "less", "least", "than", "then", "as", "if", "about", "into", "over", "under", "per", "vs", "versus", "what's", "whats", "who's", "whats", "how's", "any?", "up", "out", "off", "again", "still", "yet", "ever", "very", "really", "quite", "pretty", "kind", "sort", "like", "maybe", "currently", "total", "deal", "deals", "number", "amount", "our", "team", "team's", "my", "team", "mine", "us", "looking", "look", "quick", "quickly", "real", "actually", "kindly", "hey", "hi", "hello", "thanks", "thank", "thx", "ok", "okay", "pull", "up", "rundown", "breakdown", "summary", "overview", "status", "update", "report", "numbers", "figures", "stats", "data", "info", "information", "currently", "sitting", "sit", "sits", "stand", "stands", "standing", "got", "gotten", "going", "go", "goes", "across", "among", "between", "other", "rest", "else", "overall", "combined", "altogether", "whole", "entire", "company", "companywide", "org", "organization", "same", "compare", "comparison", "compared", "minus", "difference", "change", "changed", "delta", "against", "relative", "vs.", "v", "doing", "perform", "performing", "performance", "look", "looking", "looks", "doing", "done", "how's", "one", "ones", "top", "bottom", "best", "worst", "highest", "lowest", "biggest", "largest", "smallest", "most", "least", "leads", "leading", "lead", "leader", "who", "has", "have", "which", "is", "are", "with", "without", "no", "not", "none", "any", "missing", "lacks", "lacking", "still", "yet", "anymore", "haven't", "hasn't", "havent", "hasnt", "didn't"])

# Short forms people type for the values of an account's facts, linked to the CRM's own value that starts with
# the long form ('tech' -> 'technology', 'telecom' -> 'telecommunications', 'US' -> 'United States').
FACT_ABBREVIATIONS: dict[str, str] = {
    "us": "united states", "usa": "united states", "u.s": "united states", "u.s.": "united states",
    "america": "united states", "uk": "united kingdom", "u.k": "united kingdom", "uae": "united arab emirates",
    "tech": "technolog", "telecom": "telecom", "telco": "telecom", "telcos": "telecom", "mfg": "manufactur",
    "finserv": "financial services", "fsi": "financial services", "gov": "government", "govt": "government",
    "public sector": "government", "edu": "education", "pharma": "pharma", "healthcare": "health",
    "med": "medical", "medical": "health", "finance": "financ", "financial": "financ", "smb": "commercial", "mid market": "mid-market",
    "midmarket": "mid-market", "mm": "mid-market", "ent": "enterprise",
}

