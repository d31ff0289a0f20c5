"""The council's providers in one area with what each declared it can take (docs/policies.md
§8): brokers see every provider's capacity before it is asked, not only beside the requests
already sent. In the area's own order (rank, tier then rank), out-of-date declarations
flagged; a provider that declared nothing is said so, and is still asked."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.councils.models import Area
from carebroker.lib.london import london_date
from carebroker.providers.models import CapacityDeclaration, ProviderArea
from carebroker.providers.words import capacity_words
from carebroker.web.views.access import STAFF, role_required, the_user


@require_GET
@role_required(*STAFF)
def provider_capacity(request: HttpRequest) -> HttpResponse:
    user = the_user(request)
    council = user.council
    assert council is not None
    areas = list(Area.objects.filter(council=council).order_by("name"))
    chosen = request.GET.get("area", "")
    area = next((a for a in areas if str(a.pk) == chosen), areas[0] if areas else None)
    today = london_date(timezone.now())
    rows = []
    counts = {"declared": 0, "full": 0, "out_of_date": 0, "none": 0}
    if area is not None:
        declared = {row.provider_id: row for row in CapacityDeclaration.objects.filter(area=area)}
        for rank in (
            ProviderArea.objects.filter(area=area, provider__council=council)
            .select_related("provider")
            .order_by("provider__tier", "rank", "provider__name")
        ):
            row = declared.get(rank.provider_id)
            words, stale = capacity_words(row, today)
            state = (
                "none" if row is None
                else "out_of_date" if stale
                else "full" if row.amount == 0
                else "declared"
            )  # fmt: skip
            counts[state] += 1
            declared_at = row.declared_at if row else None
            rows.append({"provider": rank.provider, "rank": rank.rank, "capacity": words,
                         "state": state, "declared_at": declared_at})  # fmt: skip
    return render(
        request,
        "web/providers/capacity.html",
        {"areas": areas, "area": area, "rows": rows, "counts": counts},
    )
