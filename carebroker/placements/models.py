from django.db import models

from carebroker.accounts.sealed import SealedTextField


class DocumentKind(models.TextChoices):
    """The documents the seeds name (docs/architecture.md §10.4)."""

    ISP = "isp", "Information to Service Provider (ISP)"
    CONFIRMATION_FORM = "confirmation_form", "Provider Confirmation Form"
    SERVICE_DELIVERY_ORDER = "sdo", "Service Delivery Order"
    IPA = "ipa", "Individual Placement Agreement"
    SIGNED_IPA = "signed_ipa", "Signed Individual Placement Agreement"
    # The council's countersigned copy of the signed IPA (seed 004 step 24), sent back to
    # the provider for its records (placements/ipa_loop.py).
    COUNTERSIGNED_IPA = "countersigned_ipa", "Countersigned Individual Placement Agreement"
    COMMENCEMENT_LETTER = "commencement_letter", "Commencement letter"  # Essex (§4)
    MISSING_INFORMATION = "missing_information", "Missing information"
    DECLINE_NOTICE = "decline_notice", "Decline notice"
    NOT_CHOSEN = "not_chosen", "Not chosen"


class PlacementDocument(models.Model):
    """One document file made for a package, kept with it.

    The content lives in the database (a BinaryField), not under MEDIA_ROOT: a document
    is written in the same transaction as the change that caused it (docs/architecture.md §6, the
    outbox), every web process and worker sharing the database sees it, and the files are
    small (tens of kilobytes).
    """

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="placement_documents"
    )
    package = models.ForeignKey(
        "sourcing.Package", on_delete=models.CASCADE, related_name="documents"
    )
    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placement_documents",
        help_text="Who the document is for; empty for one to the referrer.",
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    filename = models.CharField(
        max_length=255, help_text='"YYYY MM DD description.ext", as the seeds name files.'
    )
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    encrypted = models.BooleanField(
        default=False, help_text="Opens only with its own password (an ISP)."
    )
    # An encrypted document's password (seed 001: the ISP "will be password protected"):
    # a new one for every file, never reused, so one that leaks opens one ISP. Sealed at
    # rest (accounts/sealed.py); shown once in the portal to one of the provider's own
    # users, never emailed (issue 11 finding 5): who saw it and when, so nobody else is.
    password = SealedTextField(blank=True, default="")
    password_shown_at = models.DateTimeField(null=True, blank=True)
    password_shown_to = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="isp_passwords_seen",
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placement_documents",
    )

    class Meta:
        ordering = ["package", "created_at", "id"]
        constraints = [
            # Two runs on one day never clash: the second gets " (2)" (placements/naming.py).
            models.UniqueConstraint(fields=["package", "filename"], name="document_unique_name")
        ]

    def __str__(self) -> str:
        return self.filename


class RateBasis(models.TextChoices):
    """Which price a purchase order carries (Essex's 2025 FAQ, docs/policies.md §4)."""

    PLACED = "placed", "The rate the package was placed at"
    KEPT = "kept", "The package's own rate, kept (an existing package keeps its price)"
    CURRENT = "current", "The current framework rate (a change to an existing service)"


class PurchaseOrder(models.Model):
    """A purchase order reference recorded for a placed package (Essex, docs/policies.md §4
    After the award), with the hourly rate it carries and why that rate. A package may get
    a corrected reference later: every one is kept, and each keeps the package's rate."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="purchase_orders"
    )
    package = models.ForeignKey(
        "sourcing.Package", on_delete=models.CASCADE, related_name="purchase_orders"
    )
    reference = models.CharField(max_length=30)
    hourly_rate = models.DecimalField(max_digits=7, decimal_places=2)
    basis = models.CharField(max_length=10, choices=RateBasis.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["package", "recorded_at", "id"]
        constraints = [
            # A change to an existing service needs a new purchase order (the FAQ): a
            # reference is used once in a council.
            models.UniqueConstraint(fields=["council", "reference"], name="purchase_order_once")
        ]

    def __str__(self) -> str:
        return self.reference
