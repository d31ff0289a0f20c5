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
        from carebroker.sourcing.worker import add_duty

        add_duty(send_scheduled_reports)
