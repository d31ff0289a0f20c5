from django.contrib.auth import views as auth_views
from django.urls import path

from carebroker.web import views
from carebroker.web.forms import SignInForm
from carebroker.web.views import (
    after_award,
    batch,
    batch_reports,
    changes,
    countersign,
    gates,
    package_actions,
    packages,
    personal_data,
    provider_view_review,
    providers,
    purchase_order,
    referrals,
    reviews,
    sign_on,
    today,
    two_factor,
    waiting,
)

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on with a council's own identity provider (docs/security.md).
    path("sign-on/callback/", sign_on.SignOnCallback.as_view(), name="sso_callback"),
    path("sign-on/<slug:slug>/", sign_on.SignOnStart.as_view(), name="sso_start"),
    # Two-factor sign-in: the code after the password (accounts/two_factor.py).
    path("sign-in/code/", two_factor.code_page, name="two_factor_code"),
    path("sign-in/recovery-code/", two_factor.recovery_page, name="two_factor_recovery"),
    path("two-factor/", two_factor.account_page, name="two_factor"),
    path("two-factor/set-up/", two_factor.setup_page, name="two_factor_setup"),
    path(
        "two-factor/recovery-codes/",
        two_factor.new_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    # Broker (and manager): packages to be placed and the package page.
    path("packages/", packages.package_list, name="packages"),
    path("packages/<str:case_number>/", packages.package_page, name="package"),
    path(
        "packages/<str:case_number>/requests/",
        packages.package_requests,
        name="package_requests",
    ),
    path(
        "packages/<str:case_number>/documents/<int:pk>/",
        packages.package_document,
        name="package_document",
    ),
    path(
        "packages/<str:case_number>/requests/<int:seq>/answer/",
        package_actions.request_answer,
        name="request_answer",
    ),
    path(
        "packages/<str:case_number>/query-answer/",
        package_actions.answer_query,
        name="package_query_answer",
    ),
    path("packages/<str:case_number>/award/", package_actions.award_by_hand, name="package_award"),
    path(
        "packages/<str:case_number>/purchase-order/",
        purchase_order.purchase_order,
        name="package_purchase_order",
    ),
    path(
        "packages/<str:case_number>/countersign/",
        countersign.countersign,
        name="package_countersign",
    ),
    path("packages/<str:case_number>/review/", reviews.record_review, name="package_review"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("providers/", providers.provider_capacity, name="provider_capacity"),
    path("packages/<str:case_number>/hold/", package_actions.hold, name="package_hold"),
    path(
        "packages/<str:case_number>/confirmation/",
        after_award.record_confirmation,
        name="package_confirmation",
    ),
    path(
        "packages/<str:case_number>/handback-call/",
        after_award.record_handback_call,
        name="package_handback_call",
    ),
    path(
        "packages/<str:case_number>/steps/<str:step>/",
        after_award.record_step,
        name="package_step",
    ),
    path("packages/<str:case_number>/release/", package_actions.release, name="package_release"),
    path("packages/<str:case_number>/cancel/", package_actions.cancel, name="package_cancel"),
    path(
        "packages/<str:case_number>/personal-data/export/",
        personal_data.export,
        name="package_personal_data_export",
    ),
    path(
        "packages/<str:case_number>/personal-data/erase/",
        personal_data.erase,
        name="package_personal_data_erase",
    ),
    path(
        "packages/<str:case_number>/provider-view/",
        provider_view_review.review,
        name="package_provider_view",
    ),
    path(
        "packages/<str:case_number>/next-provider/",
        package_actions.next_provider,
        name="package_next_provider",
    ),
    # Referrals: the broker checks them; a referrer makes and follows their own.
    path("referrals/", referrals.referrals_to_check, name="referrals"),
    path("referrals/new/", referrals.new_referral, name="referral_new"),
    path("referrals/mine/", referrals.my_referrals, name="my_referrals"),
    path("referrals/<int:pk>/", referrals.referral_page, name="referral"),
    path("referrals/<int:pk>/check/", referrals.check, name="referral_check"),
    path("referrals/<int:pk>/resubmit/", referrals.resubmit, name="referral_resubmit"),
    path("referrals/<int:pk>/return/", referrals.return_referral, name="referral_return"),
    # Gates: who must act; a manager's, a broker's or a referrer's decision.
    path("gates/", gates.gate_list, name="gates"),
    path("gates/<str:case_number>/", gates.gate_page, name="gate"),
    path("holds/<str:case_number>/", gates.hold_page, name="hold_answer"),
    # Today's batch per area, and the manager's waiting list and overview.
    path("batch/", batch.batch_page, name="batch"),
    path("batch/<int:area_id>/issue/", batch.issue, name="batch_issue"),
    # A day's batch reports, built in the background by the worker (exchange/tasks.py).
    path("batch/reports/", batch_reports.build, name="batch_reports_build"),
    path(
        "batch/reports/<uuid:result_id>/",
        batch_reports.build_page,
        name="batch_report_build",
    ),
    path(
        "batch/reports/<uuid:result_id>/<int:number>/",
        batch_reports.download,
        name="batch_report_download",
    ),
    path("waiting/", waiting.waiting_page, name="waiting"),
    path("overview/", waiting.overview, name="overview"),
    # What changed since the broker last looked; the header's count.
    path("changes/", changes.changes_page, name="changes"),
    path("changes/count/", changes.changes_count, name="changes_count"),
    path("today/", today.today_page, name="today"),
    path("today/count/", today.today_count, name="today_count"),
]
