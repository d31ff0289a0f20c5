"""The three demo councils, one per policy preset: their areas, postcode districts and towns.

Django-free: plain frozen dataclasses that `carebroker.demo.seed` turns into rows. All names of
councils are marked "Demo"; districts are real-format outward codes, everything else is made up.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoArea:
    name: str
    kind: str  # councils.AreaKind value
    districts: tuple[str, ...]
    towns: tuple[str, ...]
    locality: str = ""


@dataclass(frozen=True)
class DemoCouncil:
    prefix: str  # login prefix: essex-broker, kent-broker, ...
    slug: str
    name: str
    policy_name: str
    areas: tuple[DemoArea, ...]
    adults: bool  # adults' home care (Essex, Kent) or children's short breaks (Leics)

    def area(self, name: str) -> DemoArea:
        return next(area for area in self.areas if area.name == name)


def _districts(prefix: str, numbers: range | tuple[int, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}{number}" for number in numbers)


ESSEX = DemoCouncil(
    prefix="essex",
    slug="demo-essex",
    name="Essex County Council (Demo)",
    policy_name="essex-lah",
    adults=True,
    areas=(
        # docs/policies.md §4: the quadrants North, Mid, West, South East, South West.
        DemoArea("North", "quadrant", _districts("CO", range(1, 17)), ("Colchester", "Clacton")),
        DemoArea(
            "Mid", "quadrant", (*_districts("CM", range(0, 10)), "CM77"), ("Chelmsford", "Maldon")
        ),
        DemoArea(
            "West",
            "quadrant",
            (*_districts("CM", range(16, 25)), "EN9", "IG10"),
            ("Harlow", "Epping"),
        ),
        DemoArea("South East", "quadrant", _districts("SS", range(0, 10)), ("Rayleigh", "Canvey")),
        DemoArea(
            "South West",
            "quadrant",
            (*_districts("SS", range(11, 18)), *_districts("CM", range(11, 16)), "RM14"),
            ("Basildon", "Brentwood"),
        ),
    ),
)

KENT = DemoCouncil(
    prefix="kent",
    slug="demo-kent",
    name="Kent County Council (Demo)",
    policy_name="kent-oppd",
    adults=True,
    areas=(
        # docs/policies.md §5: localities split into clusters, each with its protocol.
        DemoArea(
            "Tunbridge Wells",
            "cluster",
            _districts("TN", range(1, 5)),
            ("Tunbridge Wells",),
            "West Kent",
        ),
        DemoArea(
            "Sevenoaks", "cluster", _districts("TN", range(13, 16)), ("Sevenoaks",), "West Kent"
        ),
        DemoArea(
            "Tonbridge", "cluster", _districts("TN", range(9, 12)), ("Tonbridge",), "West Kent"
        ),
        DemoArea(
            "Canterbury", "cluster", _districts("CT", range(1, 5)), ("Canterbury",), "East Kent"
        ),
        DemoArea(
            "Thanet",
            "cluster",
            _districts("CT", range(7, 13)),
            ("Margate", "Ramsgate"),
            "East Kent",
        ),
        DemoArea(
            "Dover", "cluster", _districts("CT", range(15, 18)), ("Dover", "Deal"), "East Kent"
        ),
        DemoArea("Dartford", "cluster", _districts("DA", range(1, 5)), ("Dartford",), "North Kent"),
        DemoArea(
            "Gravesham", "cluster", _districts("DA", range(11, 14)), ("Gravesend",), "North Kent"
        ),
        DemoArea(
            "Maidstone", "cluster", _districts("ME", range(14, 18)), ("Maidstone",), "North Kent"
        ),
    ),
)

LEICS = DemoCouncil(
    prefix="leics",
    slug="demo-leics",
    name="Leicestershire County Council (Demo)",
    policy_name="leics-short-breaks",
    adults=False,
    areas=(
        # docs/policies.md §6: framework areas; providers match on area, lot, support type and age.
        DemoArea("Charnwood", "framework_area", ("LE11", "LE12"), ("Loughborough",)),
        DemoArea("Melton", "framework_area", ("LE13", "LE14"), ("Melton Mowbray",)),
        DemoArea(
            "Harborough", "framework_area", ("LE16", "LE17"), ("Market Harborough", "Lutterworth")
        ),
        DemoArea("Hinckley and Bosworth", "framework_area", ("LE9", "LE10"), ("Hinckley",)),
        DemoArea(
            "North West Leicestershire", "framework_area", ("LE65", "LE67"), ("Coalville", "Ashby")
        ),
        DemoArea(
            "Blaby and Oadby", "framework_area", ("LE8", "LE18", "LE19"), ("Wigston", "Blaby")
        ),
    ),
)

DEMO_COUNCILS = (ESSEX, KENT, LEICS)
