"""Record an Essex package's purchase order reference (docs/policies.md §4 After the award):
a broker or manager of the package's council; a refused reference is shown on its field and
changes nothing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from carebroker.accounts.models import User
from carebroker.placements.purchase_orders import do_record_purchase_order
from carebroker.sourcing.models import Package
from carebroker.web.forms.purchase_order import PurchaseOrderForm
from carebroker.web.views.access import STAFF, role_required, with_package
from carebroker.web.views.outcomes import SERVICE_ERRORS, tell
from carebroker.web.views.packages import render_package


@require_POST
@role_required(*STAFF)
@with_package
def purchase_order(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    now = timezone.now()
    form = PurchaseOrderForm(request.POST, prefix="purchase-order")
    if form.is_valid():
        try:
            order = do_record_purchase_order(user, package, form.cleaned_data["reference"], now)
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            tell(
                request,
                f"Purchase order {order.reference} is recorded for package "
                f"{package.case_number}, at £{order.hourly_rate} an hour.",
            )
            return redirect("package", case_number=package.case_number)
    return render_package(request, user, package, now, 400, purchase_order_form=form)
