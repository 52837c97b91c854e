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
NOTES = [
    "Budget frozen until next quarter.",
    "Wrong person: forwarded to procurement.",
    "Already signed with a competitor last month.",
    "Student project, not a buyer.",
    "No answer after three calls.",
]
REASONS = ["no_budget", "wrong_contact", "competitor", "bad_fit", "not_reachable"]
ENGAGEMENT = [
    "page_view",
    "page_view",
    "email_open",
    "email_click",
    "download",
    "webinar",
    "form_submit",
]
