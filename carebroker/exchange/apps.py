from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Files in and out: the provider directory, the CQC care directory, EHM visit returns,
    and the lists of packages mailed to providers (batch reports, Available Packages)."""

    name = "carebroker.exchange"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The worker's duties of this layer, after the engine's sweep (advance_due) so a
        # `--once` sweep mails the batch it issued; sourcing/worker.py cannot import them
        # (docs/architecture.md §3).
        from carebroker.exchange.ehm_delivery import delivery_by_provider
        from carebroker.exchange.personal_data import HOLDERS
        from carebroker.exchange.provider_lists import send_batch_reports, send_open_market_lists
        from carebroker.placements.personal_data import add_holder
        from carebroker.sourcing.due import advance_due
        from carebroker.sourcing.market_db import add_delivery_source
        from carebroker.sourcing.worker import LISTS, add_duty

        # The list lane: these read every open request and make workbooks, which must not
        # hold back the due steps (sourcing/worker.py, issue 14).
        add_duty(send_batch_reports, after=advance_due, lane=LISTS)
        add_duty(send_open_market_lists, after=send_batch_reports, lane=LISTS)
        add_delivery_source(delivery_by_provider)  # the weighted award (docs/policies.md §9)
        for holder in HOLDERS:  # erasure and subject access reach replies and EHM returns
            add_holder(holder)
