from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "carebroker.portal"
    verbose_name = "Provider portal"

    def ready(self) -> None:
        # The worker learns of the capacity reminder here (docs/architecture.md §3: a lower
        # layer is told by a higher one).
        from carebroker.portal.capacity import remind_stale_capacity
        from carebroker.sourcing.worker import add_duty

        add_duty(remind_stale_capacity)
