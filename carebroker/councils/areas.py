"""Which of a council's areas serves a postcode: found from the postcode's district."""

from carebroker.councils.models import Area, Council, PostcodeDistrict
from carebroker.lib.postcodes import PostcodeError, parse_postcode


class AreaNotFound(LookupError):
    """No area of the council serves the postcode (bad postcode or district not served)."""

    def __init__(self, council: Council, postcode_text: str, reason: str) -> None:
        super().__init__(f"No area of {council} serves postcode {postcode_text!r}: {reason}")
        self.council = council
        self.postcode_text = postcode_text
        self.reason = reason


def find_area(council: Council, postcode_text: str) -> Area:
    """The council's area serving the postcode's district ("co4 3sq" -> the area with CO4).

    Raise AreaNotFound naming the postcode and the council when the postcode is
    not a UK postcode or its district is not one of the council's.
    """
    try:
        postcode = parse_postcode(postcode_text)
    except PostcodeError as error:
        raise AreaNotFound(council, postcode_text, str(error)) from error
    served = (
        PostcodeDistrict.objects.select_related("area")
        .filter(council=council, district=postcode.district)
        .first()
    )
    if served is None:
        raise AreaNotFound(
            council, postcode_text, f"district {postcode.district} is not in any of its areas"
        )
    return served.area
