"""The broker's review of the provider view (docs/policies.md §6.2, issue 12 finding 11).

The redaction is a heuristic: before the first request goes out, a broker reads exactly
what providers will see, removes any name or word it still shows (a neighbour, a GP, a
street), and confirms it. The words are kept on the package and learned by the council
(`sourcing/actions.py` `do_confirm_view`, `do_redact_words`). After the confirmation the
same page removes more words from a package already out with providers.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carebroker.accounts.models import User
from carebroker.govuk.forms import GovukForm
from carebroker.sourcing import actions
from carebroker.sourcing.market_db import redaction_words
from carebroker.sourcing.models import Package
from carebroker.sourcing.runner import state_of
from carebroker.web.views.access import STAFF, posted, role_required, with_package
from carebroker.web.views.outcomes import SERVICE_ERRORS, tell

ERROR_STATUS = 400


class RedactWordsForm(GovukForm):
    words = forms.CharField(
        label="Names and words to remove",
        help_text="One a line: a neighbour's or a GP's name, a street, a school. They are "
        "removed from this package and from every new package of the council.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _to_confirm(package: Package) -> bool:
    return package.engine_state is not None and state_of(package).view_to_confirm


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
@with_package
def review(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    """GET shows what providers will see; POST `preview` shows it with the words removed,
    `confirm` confirms it (sourcing starts), `remove` removes them after the confirmation."""
    now = timezone.now()
    form = RedactWordsForm(posted(request), prefix="view")
    waiting = _to_confirm(package)
    status = 200
    typed: list[str] = []
    if request.method == "POST":
        status = ERROR_STATUS
        action = request.POST.get("action", "preview")
        if form.is_valid():
            try:
                words = form.cleaned_data["words"]
                typed = actions.check_redact_words(words)
                if action == "confirm" and waiting:
                    outcome = actions.do_confirm_view(user, package, words, now)
                    tell(request, f"What providers see of {package.case_number} is confirmed: "
                         "sourcing has started.", outcome)  # fmt: skip
                    return redirect("package", case_number=package.case_number)
                if action == "remove" and not waiting:
                    actions.do_redact_words(user, package, words, now)
                    tell(request, "Those words are removed from what providers see.")
                    return redirect("package", case_number=package.case_number)
                status = 200  # a preview: nothing saved
            except SERVICE_ERRORS as error:
                form.add_service_error(error)
    context = {
        "package": package,
        "form": form,
        "waiting": waiting,
        "view": actions.preview_view(package, typed) if waiting or typed else package.provider_view,
        "removed": redaction_words(package),
        "typed": typed,
    }
    return render(request, "web/packages/provider_view_review.html", context, status=status)
