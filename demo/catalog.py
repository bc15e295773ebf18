"""Fixed facts of the demo company Skylark Data: products, competitors, teams, people, name pools.

Everything random in the demo is drawn from these lists with a seeded ``random.Random``; the four
accounts with recorded calls are spelled out here exactly as the shared demo facts give them.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY = "Skylark Data"
DOMAIN = "skylarkdata.com"
SOURCE = "demo"
# Three years of deals: enough closed history for the win model at the backtest's past as-of dates.
HISTORY_DAYS = 1095

# name -> (product id, short name, annual list price)
PRODUCTS: dict[str, tuple[str, str, float]] = {
    "Skylark Pipelines": ("demo:product:pipelines", "Pipelines", 30_000.0),
    "Skylark Observe": ("demo:product:observe", "Observe", 45_000.0),
    "Skylark Govern": ("demo:product:govern", "Govern", 60_000.0),
    "Skylark Enterprise Suite": ("demo:product:suite", "Enterprise Suite", 120_000.0),
}
PRODUCT_WEIGHTS = {"Skylark Pipelines": 0.34, "Skylark Observe": 0.30, "Skylark Govern": 0.18,
                   "Skylark Enterprise Suite": 0.18}

COMPETITORS = ["Vantage IQ", "OpsHawk", "ClearSignal"]
# effect of the competitor on the win logit: no competitor best, ClearSignal hardest
COMPETITOR_EFFECT = {None: 0.35, "Vantage IQ": 0.1, "OpsHawk": -0.3, "ClearSignal": -0.85}


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str  # rep | manager | exec
    team: str | None
    title: str
    skill: float = 0.0  # effect on the win logit (reps only)


TEAMS = {"demo:team:east": "East", "demo:team:west": "West"}
TEAM_REGIONS = {"demo:team:east": ["US Northeast", "US Southeast", "EMEA"],
                "demo:team:west": ["US West", "US Central", "APAC"]}

PEOPLE = [
    Person("u-rachel-adeyemi", "Rachel Adeyemi", "exec", None, "Chief Revenue Officer"),
    Person("u-maya-chen", "Maya Chen", "manager", "demo:team:east", "Regional Sales Director, East"),
    Person("u-sam-okafor", "Sam Okafor", "rep", "demo:team:east", "Account Executive", 0.75),
    Person("u-lucia-romero", "Lucia Romero", "rep", "demo:team:east", "Senior Account Executive", 0.35),
    Person("u-ethan-brooks", "Ethan Brooks", "rep", "demo:team:east", "Account Executive", -0.15),
    Person("u-hannah-weiss", "Hannah Weiss", "rep", "demo:team:east", "Account Executive", -0.6),
    Person("u-daniel-park", "Daniel Park", "manager", "demo:team:west", "Regional Sales Director, West"),
    Person("u-nora-lindqvist", "Nora Lindqvist", "rep", "demo:team:west", "Senior Account Executive", 0.6),
    Person("u-marcus-reed", "Marcus Reed", "rep", "demo:team:west", "Account Executive", 0.2),
    Person("u-aisha-rahman", "Aisha Rahman", "rep", "demo:team:west", "Account Executive", -0.25),
    Person("u-tom-keller", "Tom Keller", "rep", "demo:team:west", "Account Executive", -0.5),
]
MANAGERS = {"demo:team:east": "u-maya-chen", "demo:team:west": "u-daniel-park"}


@dataclass(frozen=True)
class NamedContact:
    name: str
    title: str
    role: str


@dataclass(frozen=True)
class NamedAccount:
    """One of the four accounts with recorded calls, and its open deal."""

    name: str
    sector: str
    owner_id: str
    contact: NamedContact
    deal_name: str
    product: str
    stage: str
    deal_type: str
    amount: float
    close_in_days: int
    competitor: str | None
    next_step: str
    forecast: str
    objection: str


NAMED_ACCOUNTS = [
    NamedAccount("Brightwell Health", "healthcare", "u-sam-okafor",
                 NamedContact("Dana Whitfield", "VP Clinical Operations", "champion"),
                 "Brightwell Health - Observe", "Skylark Observe", "discovery", "new", 45_000.0, 72,
                 "Vantage IQ", "Technical demo of Observe for the clinical data team", "pipeline",
                 "security"),
    NamedAccount("Kestrel Manufacturing", "manufacturing", "u-marcus-reed",
                 NamedContact("Marco Ruiz", "Director of Procurement", "economic_buyer"),
                 "Kestrel Manufacturing - Enterprise Suite", "Skylark Enterprise Suite", "negotiation", "new",
                 120_000.0, 24, "OpsHawk", "Send revised proposal with multi-year pricing option", "commit",
                 "price"),
    NamedAccount("Alder Financial", "financial services", "u-lucia-romero",
                 NamedContact("Priya Natarajan", "Head of Data Platform", "champion"),
                 "Alder Financial - Renewal", "Skylark Observe", "proposal", "renewal", 45_000.0, 33,
                 "ClearSignal", "Adoption review with Priya and the platform team before renewal proposal",
                 "best_case", "adoption"),
    NamedAccount("Nimbus Retail", "retail", "u-nora-lindqvist",
                 NamedContact("Owen Gallagher", "CTO", "technical_buyer"),
                 "Nimbus Retail - Pipelines", "Skylark Pipelines", "demo", "new", 30_000.0, 48, "Vantage IQ",
                 "Pilot kickoff: connect the Shopify and POS sources", "best_case", "integration"),
]

SECTORS = {
    "healthcare": ["Health", "Medical", "Care Partners", "Clinics"],
    "manufacturing": ["Manufacturing", "Industries", "Fabrication", "Components"],
    "financial services": ["Financial", "Capital", "Bancorp", "Credit Union"],
    "retail": ["Retail", "Outfitters", "Markets", "Home Goods"],
    "technology": ["Software", "Systems", "Labs", "Networks"],
    "logistics": ["Logistics", "Freight", "Shipping"],
    "energy": ["Energy", "Power", "Utilities"],
    "media": ["Media", "Studios", "Publishing"],
    "insurance": ["Insurance", "Mutual", "Assurance"],
}

ACCOUNT_WORDS = [
    "Aspen", "Beacon", "Cobalt", "Driftwood", "Evergreen", "Falcon", "Granite", "Harbor", "Ironwood",
    "Juniper", "Keystone", "Lakeshore", "Meridian", "Northgate", "Oakridge", "Pinecrest", "Quarry",
    "Redwood", "Summit", "Tidewater", "Upland", "Vista", "Willow", "Yarrow", "Zephyr", "Copperline",
    "Bluestem", "Silverpine", "Halcyon", "Larkspur", "Marlow", "Westbrook", "Crescent", "Stonegate",
    "Bayview", "Fairmont", "Glenhaven", "Highpoint", "Ridgeway", "Sterling", "Thornbury", "Avalon",
    "Blackwater", "Cedarline", "Dunmore", "Emberly", "Foxglove", "Greystone", "Hollis", "Ivywood",
    "Linden", "Maplecrest", "Northwind", "Osprey", "Pembrook", "Rosewood", "Sagebrush", "Trillium",
    "Valemont", "Whitcomb", "Ashford", "Brookfield", "Calloway", "Everett", "Fenwick", "Hawthorne",
]

FIRST_NAMES = [
    "Alex", "Amara", "Ben", "Bianca", "Carlos", "Chloe", "Darius", "Elena", "Farah", "Felix", "Grace",
    "Hiro", "Ines", "Isaac", "Jade", "Jonas", "Kara", "Kenji", "Leila", "Liam", "Mei", "Mateo", "Nadia",
    "Nikhil", "Olivia", "Omar", "Paula", "Quinn", "Rafael", "Rosa", "Sanjay", "Sofia", "Tariq", "Tessa",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Adrian", "Beatriz", "Colin", "Deepa", "Erik",
    "Fiona", "Gabriel", "Helena", "Ivan", "Julia", "Kofi", "Laura", "Miguel", "Noor", "Oscar", "Petra",
]
LAST_NAMES = [
    "Abbott", "Alvarez", "Baptiste", "Bergstrom", "Castillo", "Choi", "Delaney", "Dubois", "Eriksen",
    "Fischer", "Fontaine", "Garcia", "Goldberg", "Haddad", "Hughes", "Iyer", "Jensen", "Kaur", "Kowalski",
    "Larsen", "Lopez", "Mahmoud", "Mensah", "Moreau", "Nakamura", "Novak", "Olsen", "Osei", "Patel",
    "Quintero", "Rossi", "Sato", "Schmidt", "Silva", "Sullivan", "Tanaka", "Thornton", "Underwood",
    "Vasquez", "Varga", "Walsh", "Yamamoto", "Zhang", "Zielinski", "Brennan", "Carver", "Dalton",
    "Ellison", "Foster", "Gallo", "Holt", "Ibarra", "Keane", "Lindgren", "Marsh", "Nolan", "Pryce",
]

TITLES = {
    "champion": ["VP Data Engineering", "Director of Analytics", "Head of Data Platform", "Director of Data"],
    "economic_buyer": ["CFO", "VP Finance", "CIO", "Director of Procurement", "COO"],
    "technical_buyer": ["CTO", "Principal Data Architect", "VP Engineering", "Director of IT"],
    "user": ["Senior Data Engineer", "Analytics Engineer", "BI Lead", "Data Operations Manager"],
    "blocker": ["CISO", "IT Security Manager", "Enterprise Architect", "Head of Compliance"],
}

LOSS_REASONS: dict[str, str] = {
    "ClearSignal": "Chose ClearSignal: incumbent enterprise agreement already covered observability",
    "OpsHawk": "Chose OpsHawk: team preferred self-hosted open-source stack and lower license cost",
    "Vantage IQ": "Chose Vantage IQ on price; governance requirements deferred",
}
NO_DECISION_REASONS = [
    "No decision: project deprioritized after budget freeze",
    "Went dark after proposal; champion left",
    "Decided to build in-house with existing data engineering team",
    "Budget reallocated to a cloud migration program",
    "Could not get security sign-off in time",
]
