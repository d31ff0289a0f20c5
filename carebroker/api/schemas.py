"""What the API takes and gives (the OpenAPI document at /api/v1/openapi.json is made from
these). Codes for machines, each with its words for people (`status` and `status_words`)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class FieldProblem(Schema):
    field: str = Field(description='The request field, e.g. "postcode", or "__all__".')
    messages: list[str]


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class ReferralIn(Schema):
    """A referral, checked by the same form as the referrer's web page (every rule there
    applies: the postcode in one of the council's areas, a new Mosaic ID, the policy's
    documents and flags). Dates are YYYY-MM-DD. Fields the council's form does not ask are
    ignored."""

    name: str | None = None
    date_of_birth: str | None = Field(None, description="YYYY-MM-DD", examples=["1941-03-27"])
    address: str | None = None
    town: str | None = None
    postcode: str | None = None
    phone: str | None = None
    relations: list[dict[str, str]] | None = Field(
        None, description='[{"relation": "sister", "name": "Bea Lovelock"}]'
    )
    allocated_worker: str | None = None
    principal_contact: str | None = None
    principal_contact_phone: str | None = None
    needs: str | None = None
    case_number: str | None = Field(None, description="The Mosaic ID")
    hours_per_week: str | float | None = Field(None, examples=["14"])
    preferred_start: str | None = Field(None, description="YYYY-MM-DD")
    when_needed: str | None = None
    urgent: bool | None = None
    hospital_discharge: bool | None = None
    emergency: bool | None = None
    lot: int | None = None
    support_type: str | None = None
    change_to_existing: bool | None = None
    current_provider: int | None = Field(
        None, description="A change to an existing service: its current provider's id"
    )
    documents: list[str] | None = None
    known_to_team: bool | None = None
    from_enablement: bool | None = None
    risk: bool | None = None
    times_stipulated: bool | None = None
    bypassed_enablement: bool | None = None
    self_funder: bool | None = Field(
        None,
        description="A self-funder leaving enablement: purchasing waits the council's grace"
        " (Kent: 5 working days). Ignored where the council has no such grace.",
    )


class PersonOut(Schema):
    name: str
    date_of_birth: date | None
    address: str
    town: str
    postcode: str
    phone: str
    needs: str


class PackageBrief(Schema):
    case_number: str
    status: str
    status_words: str


class ReferralOut(Schema):
    id: int
    status: str
    status_words: str
    received_at: datetime
    documents: list[str]
    missing: list[str]
    person: PersonOut
    packages: list[PackageBrief]


class TimelineLine(Schema):
    at: datetime
    type: str
    words: str


class Placement(Schema):
    provider: str
    awarded_at: datetime | None
    start: date | None
    hourly_rate: str | None


class PackageOut(Schema):
    case_number: str
    referral_id: int | None
    status: str
    status_words: str
    hours_per_week: str
    preferred_start: date
    placement: Placement | None
    timeline: list[TimelineLine]


class Outcome(Schema):
    id: str = Field(description="This outcome's cursor: ask for outcomes after it.")
    kind: str = Field(description="awarded, start_confirmed, handed_back or unable_to_fill")
    words: str
    at: datetime
    case_number: str
    referral_id: int | None
    provider: str | None
    start: date | None
    reason: str | None


class OutcomePage(Schema):
    outcomes: list[Outcome]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; the last outcome's id."
    )
