from django.core.exceptions import ValidationError
from django.db import models

from carebroker.lib.postcodes import PostcodeError, normalise_postcode


class Person(models.Model):
    """The full record. Providers never see it before an award (docs/policies.md §6.2)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    address = models.CharField(max_length=300)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, help_text="Stored as written by Royal Mail: CO4 3SQ.")
    phone = models.CharField(max_length=30, blank=True)
    relations = models.JSONField(
        default=list, blank=True, help_text='[{"relation": "sister", "name": "..."}]'
    )
    allocated_worker = models.CharField(max_length=200, blank=True)
    principal_contact = models.CharField(max_length=200, blank=True)
    principal_contact_phone = models.CharField(max_length=30, blank=True)
    needs = models.TextField(blank=True)
    # UK GDPR (docs/security.md, Personal data): when the record was anonymised, by the
    # retention duty or on the person's request; the statistics stay, the person does not.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        try:
            self.postcode = normalise_postcode(self.postcode)
        except PostcodeError as error:
            raise ValidationError({"postcode": str(error)}) from None


class Document(models.TextChoices):
    """What may come with a referral (docs/scenarios.md `documents`)."""

    FINANCIAL_AUTHORISATION = "financial_authorisation", "Financial authorisation"
    REFERRAL_FORM = "referral_form", "Purchasing referral form"
    CHARGING_LETTER = "charging_letter", "Signed charging letter"
    BICA = "bica", "BICA up to date"
    FINAL_REVIEW_FORM = "final_review_form", "Final review form (KEaH)"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    TEAM_MANAGER_APPROVAL = "team_manager_approval", "Team Manager approval"
    MANAGER_SIGNATURE = "manager_signature", "Brokerage form signed by a manager"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Waiting for a broker to check"
    RETURNED = "returned", "Returned to referrer"
    ACCEPTED = "accepted", "Accepted"


class Referral(models.Model):
    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="referrals"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    received_at = models.DateTimeField()
    documents = models.JSONField(default=list, blank=True, help_text="Document names supplied.")
    known_to_team = models.BooleanField(default=False)
    from_enablement = models.BooleanField(default=False)
    risk = models.BooleanField(default=False)
    times_stipulated = models.BooleanField(default=False)
    bypassed_enablement = models.BooleanField(default=False)
    # Kent (docs/policies.md §5 Self-funders leaving enablement): grace before purchasing.
    self_funder = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    missing = models.JSONField(default=list, blank=True, help_text="Documents found missing.")
    returned_reason = models.TextField(
        blank=True, help_text="Why a broker returned it: details wrong or unclear (§5.1, §6.1)."
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        # reports/figures.py: a council's referrals received in a date range
        indexes = [
            models.Index(fields=["council", "received_at"], name="referral_council_received"),
            # Days waiting and RAG (web/waiting_days.py) filter and sort by acceptance.
            models.Index(fields=["council", "accepted_at"], name="referral_council_accepted"),
        ]

    def __str__(self) -> str:
        return f"Referral for {self.person} ({self.get_status_display()})"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.person_id is not None and self.person.council_id != self.council_id:
            errors["person"] = "The person belongs to another council."
        if self.referrer_id is not None and self.referrer.council_id != self.council_id:
            errors["referrer"] = "The referrer belongs to another council."
        for field in ("documents", "missing"):
            problem = _documents_problem(getattr(self, field))
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)


def _documents_problem(names: object) -> str | None:
    """What is wrong with a list of document names, or None (docs/scenarios.md `documents`)."""
    if not isinstance(names, list):
        return "Expected a list of document names."
    unknown = [repr(name) for name in names if name not in Document.values]
    if unknown:
        return f"Unknown documents {', '.join(unknown)}; known: {', '.join(Document.values)}."
    return None
