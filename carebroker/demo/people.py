"""Made-up people, addresses, telephone numbers and provider names for the demo.

Django-free and deterministic: every function takes the seeded `random.Random` it draws from.
Telephone numbers are in Ofcom's drama range (01632 960000-960999), never a real line.
"""

import random
from datetime import date, timedelta

FIRST_NAMES = (
    "Ada",
    "Albie",
    "Amara",
    "Arthur",
    "Beatrix",
    "Bilal",
    "Cora",
    "Cyril",
    "Dalia",
    "Dennis",
    "Edie",
    "Elias",
    "Fenella",
    "Florin",
    "Gwen",
    "Hamish",
    "Ines",
    "Ivor",
    "Jasmine",
    "Jude",
    "Kezia",
    "Lenny",
    "Lorna",
    "Malik",
    "Mabel",
    "Nell",
    "Orson",
    "Petra",
    "Quentin",
    "Rosa",
    "Rufus",
    "Selma",
    "Tobias",
    "Una",
    "Vernon",
    "Wren",
    "Yusuf",
    "Zelda",
    "Hector",
    "Ottilie",
)
SURNAMES = (
    "Ashdown",
    "Brackley",
    "Cobbold",
    "Dunmore",
    "Elderkin",
    "Farthing",
    "Gatacre",
    "Hollis",
    "Inchbald",
    "Jessop",
    "Kettering",
    "Lumley",
    "Marchbank",
    "Nettleford",
    "Orpwood",
    "Pardew",
    "Quarles",
    "Rookwood",
    "Saltmarsh",
    "Tolhurst",
    "Umfreville",
    "Vosper",
    "Wetherall",
    "Yardley",
    "Brightwater",
    "Coldharbour",
    "Fennimore",
    "Greenhalgh",
    "Haverstock",
    "Lockyer",
)
STREETS = (
    "Invented Lane",
    "Makebelieve Road",
    "Pretend Close",
    "Fable Street",
    "Notreal Avenue",
    "Imaginary Way",
    "Storybook Crescent",
    "Fiction Drive",
    "Daydream Walk",
    "Mockup Gardens",
    "Sample Row",
    "Placeholder Mews",
)
# Inward codes never use C, I, K, M, O or V in their letters.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

PROVIDER_WORDS = (
    "Alder",
    "Bluebell",
    "Bramble",
    "Cedar",
    "Clover",
    "Damson",
    "Elmwood",
    "Fernbrook",
    "Foxglove",
    "Hawthorn",
    "Hazel",
    "Heather",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Linden",
    "Marigold",
    "Meadowsweet",
    "Nightingale",
    "Oakapple",
    "Primrose",
    "Quince",
    "Rowan",
    "Saffron",
    "Sorrel",
    "Teasel",
    "Thistle",
    "Willowherb",
    "Yarrow",
    "Wychwood",
)
PROVIDER_SUFFIXES = (
    "Home Care (Demo)",
    "Care at Home (Demo)",
    "Homecare Ltd (Demo)",
    "Support Services (Demo)",
)
CHILD_PROVIDER_SUFFIXES = (
    "Short Breaks (Demo)",
    "Play and Leisure (Demo)",
    "Family Support (Demo)",
    "Youth Clubs (Demo)",
)

ADULT_NEEDS = (
    "Help with washing and dressing each morning, and a light lunch.",
    "Support with medication prompts four times a day; lives alone.",
    "Double-handed care for transfers; hoist in place.",
    "Evening call to help prepare for bed; early-stage dementia.",
    "Help with meals and shopping after a hospital stay.",
)
CHILD_NEEDS = (
    "Enjoys swimming and music; needs one-to-one support in groups.",
    "Autistic; short breaks at weekends to give the family a rest.",
    "Uses a wheelchair; after-school community activities.",
    "Personal care at home two evenings a week.",
)
RELATIONS = ("sister", "brother", "mum", "dad", "carer", "son", "daughter")


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def phone_number(rng: random.Random) -> str:
    return f"01632 960{rng.randrange(1000):03d}"


def postcode(rng: random.Random, district: str) -> str:
    return f"{district} {rng.randrange(10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def street_address(rng: random.Random) -> str:
    return f"{rng.randrange(1, 120)} {rng.choice(STREETS)}"


def date_of_birth(rng: random.Random, today: date, *, adult: bool) -> date:
    years = rng.randrange(66, 97) if adult else rng.randrange(4, 18)
    return today - timedelta(days=years * 365 + rng.randrange(365))


def relations(rng: random.Random, surname: str, *, adult: bool) -> list[dict[str, str]]:
    """One or two family members; children always have a parent or carer."""
    kinds = ("son", "daughter", "sister", "brother") if adult else ("mum", "dad", "carer")
    picked = [rng.choice(kinds)]
    if not adult and rng.random() < 0.5:
        picked.append(rng.choice(("sister", "brother")))
    return [
        {"relation": relation, "name": f"{rng.choice(FIRST_NAMES)} {surname}"}
        for relation in picked
    ]


def needs(rng: random.Random, *, adult: bool) -> str:
    return rng.choice(ADULT_NEEDS if adult else CHILD_NEEDS)


def provider_names(rng: random.Random, count: int, *, adult: bool) -> list[str]:
    """`count` distinct invented provider names, each marked "(Demo)"."""
    suffixes = PROVIDER_SUFFIXES if adult else CHILD_PROVIDER_SUFFIXES
    every = [f"{word} {suffix}" for word in PROVIDER_WORDS for suffix in suffixes]
    return rng.sample(every, count)


def email_slug(name: str) -> str:
    words = name.replace("(Demo)", "").lower().split()
    return "-".join(word.strip("()") for word in words if word.strip("()"))
