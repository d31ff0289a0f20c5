from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The made-up demo councils and their commands (`seed-demo`, `demo`): the top layer,
    beside `web` and `portal` (docs/architecture.md §3); nothing imports it."""

    name = "carebroker.demo"
    verbose_name = "Demo"

    def ready(self) -> None:
        from carebroker.demo import clock

        clock.install()  # only with CAREBROKER_DEMO_CLOCK=1, never in production
