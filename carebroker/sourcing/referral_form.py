"""The referral form: the person, the package, the documents and the flags.

One validation for every way a referral comes in: the referrer's web page
(`web/views/referrals.py`) and the JSON API (`api/referrals.py`) both bind this form, so a
referral the page refuses the API refuses too, with the same words per field. It lives here,
beside the intake, because `web` and `api` are siblings that never import each other
(`docs/architecture.md` §3).

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
from carebroker.govuk.forms import GovukDateField, GovukForm
from carebroker.lib.mosaic import mosaic_id_problem
from carebroker.lib.postcodes import PostcodeError, normalise_postcode
from carebroker.providers.models import Provider
from carebroker.referrals.models import Document
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package

FLAGS = (
    "known_to_team",
    "from_enablement",
    "risk",
    "times_stipulated",
    "bypassed_enablement",
    "self_funder",
)
FLAG_WORDS = {
    "known_to_team": "known to the adult community team",
    "from_enablement": "referred from enablement (KEaH)",
    "risk": "a risk assessment applies",
    "times_stipulated": "call times are stipulated",
    "bypassed_enablement": "enablement was bypassed",
}
DOCUMENT_LABELS = dict(Document.choices)
# Seed 004 names Leicestershire's lots only by number ("Lot number (number in brackets)"),
# under the title "Short Breaks (Play & Leisure) and Domiciliary Care for Disabled Children";
# these names are ours until the council gives its own. A lot not here reads "Lot N".
LOT_NAMES = {
    1: "Short breaks: play and leisure",
    2: "Domiciliary care",
    3: "Short breaks with personal care",
}


def lot_name(lot: int) -> str:
    name = LOT_NAMES.get(lot)
    return f"Lot {lot}: {name}" if name else f"Lot {lot}"


def policy_documents(council: Council) -> list[tuple[str, str, str]]:
    """The documents the council's policy asks of a referral, in its order, each with why:
    (name, label, hint). Essex asks none (docs/policies.md §4), Kent five (§5.1),
    Leicestershire the signed brokerage form (§6.1)."""
    check = policy_of(council).referral
    rows: dict[str, list[str]] = {}
    for name in check.required:
        rows.setdefault(name, []).append("")
    for flag, names in check.required_when:
        for name in names:
            rows.setdefault(name, []).append(FLAG_WORDS.get(flag, flag.replace("_", " ")))
    documents = []
    for name, whens in rows.items():
        when = " or ".join(w for w in whens if w)
        hint = "Required" if "" in whens else f"Required when {when}"
        documents.append((name, DOCUMENT_LABELS.get(name, name.replace("_", " ")), hint))
    return documents


def policy_flags(council: Council) -> list[str]:
    """The circumstances that change what the council's policy asks (Kent's, §5.1)."""
    policy = policy_of(council)
    asked = [flag for flag, _ in policy.referral.required_when if flag in FLAGS]
    if policy.self_funder_grace is not None:  # §5 Self-funders: the grace before purchasing
        asked.append("self_funder")
    return asked


def is_childrens(council: Council) -> bool:
    """A children's service: the council matches providers on the child's age (§6.3)."""
    return any("age" in stage.providers.match for stage in policy_of(council).stages)


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
    date_of_birth = GovukDateField(
        label="Date of birth", noun="the date of birth", help_text="For example, 27 3 1941"
    )
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
    preferred_start = GovukDateField(
        label="Preferred start date", noun="the start date", help_text="For example, 7 12 2026"
    )
    when_needed = forms.CharField(
        max_length=500,
        required=False,
        label="Which days and times are the short breaks needed?",
        help_text="For example, Saturdays 10am to 4pm and one weekday after school",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgent = forms.BooleanField(required=False, label="Urgent")
    hospital_discharge = forms.BooleanField(required=False, label="Hospital discharge")
    emergency = forms.BooleanField(required=False, label="Emergency")
    lot = forms.TypedChoiceField(required=False, label="Lot", coerce=int, empty_value=None)
    support_type = forms.ChoiceField(required=False, label="Type of support")
    change_to_existing = forms.BooleanField(
        required=False,
        label="Change to an existing service (increase, decrease, continuation)",
    )
    current_provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        required=False,
        label="Current provider (for a change)",
        help_text="The provider delivering the service now: it is asked first, with 1 working "
        "day to answer, before the change is sourced from the next batch.",
        empty_label="Not known",
    )
    # What came with the referral, and what it says about the person (docs/policies.md §5.1).
    documents = DocumentsField()
    known_to_team = forms.BooleanField(required=False, label="Known to the adult community team")
    from_enablement = forms.BooleanField(required=False, label="Referred from enablement")
    risk = forms.BooleanField(required=False, label="A risk assessment applies")
    times_stipulated = forms.BooleanField(required=False, label="Call times are stipulated")
    bypassed_enablement = forms.BooleanField(required=False, label="Enablement was bypassed")
    self_funder = forms.BooleanField(
        required=False,
        label="A self-funder leaving enablement",
        help_text="The package waits 5 working days' grace before it goes to purchasing.",
    )

    widths = {
        "postcode": "govuk-input--width-10",
        "phone": "govuk-input--width-20",
        "principal_contact_phone": "govuk-input--width-20",
        "case_number": "govuk-input--width-10",
        "hours_per_week": "govuk-input--width-5",
    }

    def __init__(self, *args: Any, council: Council, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.today = today
        self.area: Area | None = None
        self.childrens = is_childrens(council)
        self._offer_what_providers_offer(council)
        self._ask_what_the_policy_asks(council)
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

        self.fields["lot"].choices = [("", "Choose a lot")] + [
            (lot, lot_name(lot)) for lot in self.lots
        ]
        self.fields["support_type"].choices = [("", "Choose the type of support")] + [
            (kind, kind.replace("_", " ").capitalize()) for kind in self.support_types
        ]
        for name in ("lot", "support_type"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose a {'lot' if name == 'lot' else 'type of support'} from the list"
            )
        if not self.asks_lot_and_support:
            del self.fields["lot"], self.fields["support_type"]
        elif self.childrens:  # the tender matches on both (docs/policies.md §6.3)
            self.fields["lot"].required = True
            self.fields["lot"].error_messages["required"] = "Choose the lot"
            self.fields["support_type"].required = True
            self.fields["support_type"].error_messages["required"] = "Choose the type of support"

    def _ask_what_the_policy_asks(self, council: Council) -> None:
        """Only this council's documents and circumstances; a children's form in its words."""
        documents = policy_documents(council)
        if documents:
            field = self.fields["documents"]
            field.choices = [(name, label) for name, label, _ in documents]
            field.help_text = f"Tick each document sent with the referral. {council.name} asks for:"
            self.option_hints = {"documents": {name: hint for name, _, hint in documents}}
        else:
            del self.fields["documents"]
        asked = policy_flags(council)
        for flag in FLAGS:
            if flag not in asked:
                del self.fields[flag]
        policy = policy_of(council)
        if "self_funder" in self.fields and policy.self_funder_grace is not None:
            grace = policy.self_funder_grace
            hint = f"The package waits {grace}' grace before it goes to purchasing."
            self.fields["self_funder"].help_text = hint
        # Package flags this council's policy reads (docs/policies.md §4.1, §6.3), no others.
        for flag in ("hospital_discharge", "emergency"):
            if flag not in policy.urgent.flags:
                del self.fields[flag]
        # docs/policies.md §4.2: a policy that treats changes apart asks for them, and for
        # the current provider when it asks that provider first.
        asks_current = any(stage.applies_to == "change_to_existing" for stage in policy.stages)
        if not asks_current and not any(
            stage.exclude_change_to_existing for stage in policy.stages
        ):
            del self.fields["change_to_existing"]
        if asks_current:
            current = self.fields["current_provider"]
            assert isinstance(current, forms.ModelChoiceField)
            current.queryset = Provider.objects.filter(council=council).order_by("name")
            current.label_from_instance = lambda provider: str(provider.name)  # type: ignore[method-assign]
        else:
            del self.fields["current_provider"]
        if self.childrens:
            self.fields["name"].label = "Child's full name"
            self.fields["name"].error_messages["required"] = "Enter the child's full name"
            self.fields["principal_contact"].label = "Parent or carer (principal contact)"
            self.fields["principal_contact_phone"].label = "Parent or carer's phone"
            self.fields["needs"].label = "The child's needs"
            self.fields["needs"].error_messages["required"] = "Enter the child's needs"
            self.fields["hours_per_week"].label = "Hours of short breaks a week"
            self.fields[
                "relations"
            ].help_text = (
                'One a line, relation then name: "mum: Ann Lovelock", "brother: Sam Lovelock"'
            )
            self.fields["when_needed"].required = True
            self.fields["when_needed"].error_messages["required"] = (
                "Say which days and times the short breaks are needed"
            )
        else:
            del self.fields["when_needed"]

    @property
    def asks_lot_and_support(self) -> bool:
        return bool(self.lots or self.support_types)

    @property
    def flag_fields(self) -> list[Any]:
        return [self[flag] for flag in FLAGS if flag in self.fields]

    def clean_support_type(self) -> str:
        return str(self.cleaned_data.get("support_type") or "").strip()

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
        fields = {name: self.cleaned_data[name] for name in names}
        when = str(self.cleaned_data.get("when_needed") or "").strip()
        if when:  # the days and times go with the needs, so providers see them (anonymised)
            fields["needs"] = f"{fields['needs']}\n\nDays and times needed: {when}"
        return fields

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
        fields = {name: self.cleaned_data.get(name) for name in names}
        fields["lot"] = fields["lot"] if fields["lot"] not in ("", None) else None
        fields["support_type"] = fields["support_type"] or ""
        for flag in ("urgent", "hospital_discharge", "emergency", "change_to_existing"):
            fields[flag] = bool(fields[flag])  # a flag the council does not ask is off
        current = self.cleaned_data.get("current_provider")
        fields["current_provider"] = current if fields["change_to_existing"] else None
        return fields

    def clean_current_provider(self) -> Provider | None:
        current = self.cleaned_data.get("current_provider")
        if current is not None and not self.data.get(self.add_prefix("change_to_existing")):
            raise forms.ValidationError(
                "Only a change to an existing service names its current provider: tick "
                '"Change to an existing service" or choose "Not known"'
            )
        return current

    def referral_fields(self) -> dict[str, Any]:
        fields = {flag: bool(self.cleaned_data.get(flag)) for flag in FLAGS}
        fields["documents"] = list(self.cleaned_data.get("documents") or [])
        return fields
