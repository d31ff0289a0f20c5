"""The GOV.UK form base of the web app's forms: it lives in `carebroker.govuk` so the portal
(which may not import `web`) shares it."""

from carebroker.govuk.forms import GovukDateField, GovukForm

__all__ = ["GovukDateField", "GovukForm"]
