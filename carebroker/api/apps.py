from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "carebroker.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The worker's list lives in sourcing; this layer adds its duty (docs/architecture.md §3).
        from carebroker.api.webhooks import deliver_webhooks, queue_webhooks
        from carebroker.sourcing.worker import add_duty, deliver_outbox

        add_duty(queue_webhooks, after=deliver_outbox)
        add_duty(deliver_webhooks, after=queue_webhooks)
