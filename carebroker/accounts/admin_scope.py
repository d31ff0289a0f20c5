"""The council scope every admin of the project uses: each user sees and edits only their
own council's records (docs/architecture.md §9); a superuser with no council sees every
council. Rights come from the user's role, so the scope lives with the roles; the council
model is looked up by name, so `accounts` need not import `councils`.
"""

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from carebroker.accounts.models import STAFF_ROLES, Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
RelatedOnly = admin.RelatedOnlyFieldListFilter  # filter choices from the scoped rows only


def sees_every_council(user: Any) -> bool:
    """A superuser without a council sees all councils; everyone else at most their own."""
    return bool(user.is_superuser and user.council_id is None)


def _has_council(model: type[models.Model]) -> bool:
    return any(field.name == "council" for field in model._meta.get_fields())


class CouncilScopedMixin:
    """For a ModelAdmin or an inline: rows, foreign-key choices and new records of the
    user's council only, and admin rights from the user's role.

    `council_lookup` leads from the model to its council ("provider__council" for a
    provider's contacts). `role_actions` says what each staff role may do without
    Django permissions; a user's Django permissions still add to it.
    """

    council_lookup = "council"
    role_actions: dict[str, frozenset[str]] = {
        Role.BROKER: frozenset({VIEW, ADD, CHANGE}),
        Role.MANAGER: frozenset({VIEW, ADD, CHANGE, DELETE}),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)
        user: Any = request.user
        if sees_every_council(user):
            return queryset
        if user.council_id is None:
            return queryset.none()
        return queryset.filter(**{self.council_lookup: user.council_id})

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        user: Any = request.user
        related = db_field.related_model
        scoped = not sees_every_council(user)
        council_model = apps.get_model("councils", "Council")
        if scoped and related is council_model:
            kwargs["queryset"] = council_model._default_manager.filter(pk=user.council_id)
            kwargs["initial"] = user.council_id
        elif scoped and _has_council(related):
            kwargs["queryset"] = related._default_manager.filter(council_id=user.council_id)
        field: forms.Field | None = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if scoped and related is council_model and field is not None:
            # Shown, never chosen: the record belongs to the user's council (set on save too).
            field.disabled = True
        return field

    def _role_allows(self, request: HttpRequest, action: str) -> bool:
        user: Any = request.user
        if not (user.is_active and user.is_staff and user.council_id is not None):
            return False
        return action in self.role_actions.get(user.role, frozenset())

    def _may(self, request: HttpRequest, action: str, allowed_by_django: bool) -> bool:
        user: Any = request.user
        if not user.is_authenticated:
            return False  # the admin's own login page asks this of visitors
        if not user.is_superuser and user.role not in STAFF_ROLES:
            return False  # a provider or referrer never gets full records here (§6.2)
        return allowed_by_django or self._role_allows(request, action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        allowed = super().has_module_permission(request)
        return self._may(request, VIEW, allowed)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return self._may(request, VIEW, allowed)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        allowed = super().has_add_permission(request, *args)
        return self._may(request, ADD, allowed)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return self._may(request, CHANGE, allowed)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return self._may(request, DELETE, allowed)


class CouncilScopedAdmin(CouncilScopedMixin, admin.ModelAdmin):
    """A ModelAdmin for a model with a `council` field, limited to the user's council."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user: Any = request.user
        if not sees_every_council(user):
            obj.council_id = user.council_id
        super().save_model(request, obj, form, change)
