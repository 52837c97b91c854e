"""The people, companies and words the demo is made of."""

from smarketing.tenancy.roles import Role

PASSWORD = "smarketing-demo"
PEOPLE = [
    ("admin", Role.ADMIN),
    ("marco.manager", Role.MANAGER),
    ("giulia.marketing", Role.MARKETER),
    ("luca.marketing", Role.MARKETER),
    ("sara.sales", Role.SALES_REP),
    ("paolo.sales", Role.SALES_REP),
    ("elena.sales", Role.SALES_REP),
]
FIRST = [
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Ken",
    "Radia",
    "Dennis",
    "Frances",
    "Tim",
    "Hedy",
    "Edsger",
    "Katherine",
    "John",
    "Sophie",
    "Marco",
    "Chiara",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Thompson",
    "Perlman",
    "Ritchie",
    "Allen",
    "Berners-Lee",
    "Lamarr",
    "Dijkstra",
    "Johnson",
    "Rossi",
    "Bianchi",
]
COMPANIES = [
    ("Brembo Parts", "manufacturing", 800),
    ("Lavazza Logistics", "logistics", 350),
    ("Ferro Steelworks", "manufacturing", 120),
    ("Vento Shipping", "logistics", 60),
    ("Nimbus Software", "software", 40),
    ("Aurora Retail", "retail", 2000),
    ("Delta Machines", "manufacturing", 260),
    ("Orbit Freight", "logistics", 900),
    ("Pixel Studio", "media", 15),
    ("Quanta Bank", "finance", 5000),
]
TITLES = [
    "Head of Operations",
    "COO",
    "Operations Manager",
    "IT Director",
    "CFO",
    "Supply Chain Lead",
    "Marketing Intern",
    "Plant Manager",
    "CTO",
    "Office Manager",
]
COUNTRIES = ["IT", "IT", "IT", "DE", "FR", "ES", "US"]
# Why sales sent a hand-off back, and what the rep wrote: the note says the same as the reason.
REJECTIONS = [
    ("no_budget", "Budget frozen until next quarter."),
    ("no_budget", "Likes it, but no budget this year."),
    ("wrong_contact", "Wrong person: forwarded to procurement."),
    ("wrong_contact", "An assistant filled in the form; the plant manager is someone else."),
    ("competitor", "Signed with a competitor last month."),
    ("bad_fit", "Five people and no plant: too small for us."),
    ("not_reachable", "No answer after three calls and two e-mails."),
]
ENGAGEMENT = [
    "page_view",
    "page_view",
    "email_open",
    "email_click",
    "download",
    "webinar",
    "form_submit",
]
# What each engagement event was about, as integrations send it.
EVENT_PROPERTIES = {
    "page_view": [
        {"page": "/pricing", "utm_source": "google"},
        {"page": "/product/oee-dashboard"},
        {"page": "/customers/ferro-steelworks", "utm_source": "linkedin"},
        {"page": "/blog/predictive-maintenance"},
    ],
    "email_open": [
        {"subject": "Five ways to cut unplanned downtime", "campaign": "Ops playbook e-book"},
        {"subject": "Your invitation: lean plants webinar",
         "campaign": "Spring webinar: lean plants"},
    ],
    "email_click": [
        {"subject": "Five ways to cut unplanned downtime", "url": "/playbook",
         "campaign": "Ops playbook e-book"},
    ],
    "download": [{"asset": "Ops playbook (PDF)", "campaign": "Ops playbook e-book"}],
    "webinar": [{"webinar": "Lean plants, live", "minutes_attended": 42,
                 "campaign": "Spring webinar: lean plants"}],
    "form_submit": [
        {"form": "Demo request", "page": "/demo"},
        {"form": "Trade fair badge scan", "campaign": "Trade fair Milano"},
    ],
}  # fmt: skip
