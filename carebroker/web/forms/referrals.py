"""The referrer's referral form: the person, the package, the documents and the flags.

Bad input names the field: the postcode is checked by `lib.postcodes` and must be in one of
the council's areas (`councils.areas.find_area`), the Mosaic ID must be new to the council.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers
from django import forms

from carebroker.councils.areas import AreaNotFound, find_area
from carebroker.councils.models import Area, Council
from carebroker.lib.mosaic import mosaic_id_problem
from carebroker.lib.postcodes import PostcodeError, normalise_postcode
from carebroker.providers.models import Provider
from carebroker.referrals.models import Document
from carebroker.sourcing.models import Package
from carebroker.web.forms.govuk import GovukForm

FLAGS = ("known_to_team", "from_enablement", "risk", "times_stipulated", "bypassed_enablement")
DATE = forms.DateInput(attrs={"type": "date"})


def _uk_phone(text: str, field: str) -> str:
    """A UK phone number in its national form, or a message naming the field."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        number = None
    # Possible, not "valid": Ofcom keeps made-up ranges (01632 960...) that are never assigned.
    if number is None or not phonenumbers.is_possible_number(number):
        raise forms.ValidationError(
            f"Enter a UK phone number for the {field}, like 01632 960 001 or 07700 900 982"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


class DocumentsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", Document.choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Documents supplied")
        super().__init__(**kwargs)


class ReferralForm(GovukForm):
    # The person (the full record: only the council sees it before an award).
    name = forms.CharField(max_length=200, label="Person's full name")
    date_of_birth = forms.DateField(label="Date of birth", widget=DATE)
    address = forms.CharField(max_length=300, label="Address (house and street)")
    town = forms.CharField(max_length=100, required=False, label="Town")
    postcode = forms.CharField(max_length=40, label="Postcode")
    phone = forms.CharField(max_length=30, required=False, label="Phone")
    relations = forms.CharField(
        required=False,
        label="Relations",
        help_text='One a line, relation then name: "sister: Bea Lovelock"',
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    allocated_worker = forms.CharField(max_length=200, required=False, label="Allocated worker")
    principal_contact = forms.CharField(max_length=200, required=False, label="Principal contact")
    principal_contact_phone = forms.CharField(
        max_length=30, required=False, label="Principal contact's phone"
    )
    needs = forms.CharField(label="Needs", widget=forms.Textarea(attrs={"rows": 4}))
    # The package.
    case_number = forms.CharField(max_length=30, label="Mosaic ID")
    hours_per_week = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal("168"),
        label="Hours a week",
    )
    preferred_start = forms.DateField(label="Preferred start date", widget=DATE)
    urgent = forms.BooleanField(required=False, label="Urgent")
    hospital_discharge = forms.BooleanField(required=False, label="Hospital discharge")
    emergency = forms.BooleanField(required=False, label="Emergency")
    lot = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=99,
        label="Lot",
        widget=forms.NumberInput(attrs={"list": "lot-options"}),
    )
    support_type = forms.CharField(
        max_length=50,
        required=False,
        label="Support type",
        widget=forms.TextInput(attrs={"list": "support-type-options"}),
    )
    change_to_existing = forms.BooleanField(
        required=False,
        label="Change to an existing service (increase, decrease, continuation)",
    )
    # What came with the referral, and what it says about the person (docs/policies.md §5.1).
    documents = DocumentsField()
    known_to_team = forms.BooleanField(required=False, label="Known to the adult community team")
    from_enablement = forms.BooleanField(required=False, label="Referred from enablement")
    risk = forms.BooleanField(required=False, label="A risk assessment applies")
    times_stipulated = forms.BooleanField(required=False, label="Call times are stipulated")
    bypassed_enablement = forms.BooleanField(required=False, label="Enablement was bypassed")

    widths = {
        "postcode": "govuk-input--width-10",
        "phone": "govuk-input--width-20",
        "principal_contact_phone": "govuk-input--width-20",
        "case_number": "govuk-input--width-10",
        "hours_per_week": "govuk-input--width-5",
        "lot": "govuk-input--width-3",
        "support_type": "govuk-input--width-20",
    }

    def __init__(self, *args: Any, council: Council, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.today = today
        self.area: Area | None = None
        self._offer_what_providers_offer(council)
        messages = {
            "name": "Enter the person's full name",
            "date_of_birth": "Enter the person's date of birth",
            "address": "Enter the person's address",
            "postcode": "Enter the person's postcode",
            "needs": "Enter the person's needs",
            "case_number": "Enter the Mosaic ID",
            "hours_per_week": "Enter the hours a week, for example 14",
            "preferred_start": "Enter the preferred start date",
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message
        self.fields["date_of_birth"].error_messages["invalid"] = "Enter a real date of birth"
        self.fields["preferred_start"].error_messages["invalid"] = "Enter a real start date"

    def _offer_what_providers_offer(self, council: Council) -> None:
        """The lots and support types the council's providers work in, suggested and
        checked (Leicestershire matches packages to providers on both, docs/policies.md §6.3)."""
        lots: set[int] = set()
        types: set[str] = set()
        for row_lots, row_types in Provider.objects.filter(council=council).values_list(
            "lots", "support_types"
        ):
            lots.update(int(lot) for lot in row_lots or ())
            types.update(str(kind) for kind in row_types or ())
        self.lots = sorted(lots)
        self.support_types = sorted(types)

    @property
    def asks_lot_and_support(self) -> bool:
        return bool(self.lots or self.support_types)

    def clean_lot(self) -> int | None:
        lot: int | None = self.cleaned_data["lot"]
        if lot is not None and self.lots and lot not in self.lots:
            offered = ", ".join(map(str, self.lots))
            raise forms.ValidationError(f"No provider works in lot {lot}; lots: {offered}")
        return lot

    def clean_support_type(self) -> str:
        kind = self.cleaned_data["support_type"].strip()
        if kind and self.support_types and kind not in self.support_types:
            offered = ", ".join(self.support_types)
            raise forms.ValidationError(f"No provider offers {kind!r}; support types: {offered}")
        return kind

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        if born >= self.today:
            raise forms.ValidationError("The date of birth must be in the past")
        return born

    def clean_preferred_start(self) -> date:
        start: date = self.cleaned_data["preferred_start"]
        if start < self.today:
            raise forms.ValidationError("The preferred start date must be today or later")
        return start

    def clean_postcode(self) -> str:
        text = self.cleaned_data["postcode"]
        try:
            postcode = normalise_postcode(text)
        except PostcodeError as error:
            raise forms.ValidationError(f"Enter a real postcode: {error}") from None
        try:
            self.area = find_area(self.council, postcode)
        except AreaNotFound as error:
            raise forms.ValidationError(
                f"{postcode} is not in {self.council.name}'s areas ({error.reason})"
            ) from None
        return postcode

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        return _uk_phone(text, "person") if text else ""

    def clean_principal_contact_phone(self) -> str:
        text = self.cleaned_data["principal_contact_phone"].strip()
        return _uk_phone(text, "principal contact") if text else ""

    def clean_relations(self) -> list[dict[str, str]]:
        relations = []
        for number, line in enumerate(self.cleaned_data["relations"].splitlines(), 1):
            if not line.strip():
                continue
            relation, colon, name = line.partition(":")
            if not colon or not relation.strip() or not name.strip():
                raise forms.ValidationError(
                    f"Line {number} of relations: write the relation, a colon, then the name, "
                    f'like "sister: Bea Lovelock"'
                )
            relations.append({"relation": relation.strip(), "name": name.strip()})
        return relations

    def clean_case_number(self) -> str:
        case = self.cleaned_data["case_number"].strip()
        if problem := mosaic_id_problem(case):
            raise forms.ValidationError(f"The Mosaic ID {problem}")
        if Package.objects.filter(council=self.council, case_number=case).exists():
            raise forms.ValidationError(f"Mosaic ID {case} is already a package of this council")
        return case

    def person_fields(self) -> dict[str, Any]:
        names = (
            "name",
            "date_of_birth",
            "address",
            "town",
            "postcode",
            "phone",
            "relations",
            "allocated_worker",
            "principal_contact",
            "principal_contact_phone",
            "needs",
        )
        return {name: self.cleaned_data[name] for name in names}

    def package_fields(self) -> dict[str, Any]:
        names = (
            "case_number",
            "hours_per_week",
            "preferred_start",
            "urgent",
            "hospital_discharge",
            "emergency",
            "lot",
            "support_type",
            "change_to_existing",
        )
        return {name: self.cleaned_data[name] for name in names}

    def referral_fields(self) -> dict[str, Any]:
        fields = {flag: self.cleaned_data[flag] for flag in FLAGS}
        fields["documents"] = list(self.cleaned_data["documents"])
        return fields


class ResubmitForm(GovukForm):
    """A returned referral sent again with every document it now carries."""

    documents = DocumentsField(
        label="Documents the referral now carries",
        help_text="Tick every document you have sent, including the ones sent before",
    )


class CheckForm(GovukForm):
    """The broker's check: no fields, only its errors (a service's refusal)."""
