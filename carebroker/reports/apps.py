from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Management information: the dashboard and the seeds' reports (issue 13).

    A layer above `placements` and `exchange`, below `web`: nothing lower imports it.
    The worker learns of its duty here, so `sourcing/worker.py` need not import it.
    """

    name = "carebroker.reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from carebroker.reports.schedule import send_scheduled_reports
        from carebroker.sourcing.worker import LISTS, add_duty

        # A report is many packages' figures: the list lane, not the due steps' (issue 14).
        add_duty(send_scheduled_reports, lane=LISTS)
