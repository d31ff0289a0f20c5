from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from carebroker.accounts.sealed import SealedTextField


class Role(models.TextChoices):
    BROKER = "broker", "Broker"
    MANAGER = "manager", "Manager"
    REFERRER = "referrer", "Referrer"
    PROVIDER = "provider", "Provider user"
    INTEGRATION = "integration", "Integration"


# Only the council's own staff may use the Django admin, which shows full records;
# a provider never sees them before an award (docs/policies.md §6.2, docs/architecture.md §8).
STAFF_ROLES = frozenset({Role.BROKER, Role.MANAGER})


class User(AbstractUser):
    """A person (or integration) working for one council; a provider user also for one provider."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BROKER)
    council = models.ForeignKey(
        "councils.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            # The database refuses admin access to any role but broker and manager.
            models.CheckConstraint(
                condition=(
                    models.Q(is_staff=False, is_superuser=False)
                    | models.Q(role__in=sorted(STAFF_ROLES))
                ),
                name="user_staff_only_broker_or_manager",
                violation_error_message="Only brokers and managers may be staff or superusers.",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.PROVIDER and self.provider_id is None:
            raise ValidationError({"provider": "A provider user must belong to a provider."})
        if self.role != Role.PROVIDER and self.provider_id is not None:
            raise ValidationError({"provider": "Only provider users belong to a provider."})
        if self.provider_id is not None and self.provider.council_id != self.council_id:
            raise ValidationError({"provider": "The provider belongs to another council."})
        if not self.is_superuser and self.council_id is None:
            raise ValidationError({"council": "Every user but a superuser belongs to a council."})
        if (self.is_staff or self.is_superuser) and self.role not in STAFF_ROLES:
            raise ValidationError(
                {
                    "is_staff": f"A {self.get_role_display().lower()} cannot be staff or a "
                    "superuser: only brokers and managers may use the admin."
                }
            )


class AppDevice(TimestampMixin, ThrottlingMixin, Device):
    """A person's authenticator app (TOTP): django-otp's TOTP device with its key sealed at
    rest (accounts/sealed.py). django-otp's own model keeps the key in clear; its checks are
    used as they are (the methods below are its own), only the column differs."""

    key = SealedTextField(default=default_key, help_text="The app's secret (hex), sealed.")
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
