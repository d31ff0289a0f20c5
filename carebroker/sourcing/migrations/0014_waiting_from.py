"""When each package started waiting, stored for the waiting list (sourcing/waiting_from.py),
and worked out for every existing row from its acceptance and its timeline."""

from django.db import migrations, models


def fill(apps, schema_editor):  # noqa: ANN001, ANN201
    from carebroker.sourcing.waiting_from import refill

    refill(
        fix=True,
        council_model=apps.get_model("councils", "Council"),
        package_model=apps.get_model("sourcing", "Package"),
        event_model=apps.get_model("sourcing", "TimelineEvent"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0004_enablement_team_email"),
        ("sourcing", "0013_working_time"),
    ]

    operations = [
        migrations.AddField(
            model_name="package",
            name="waiting_from",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="package",
            index=models.Index(
                fields=["council", "status", "waiting_from", "case_number"],
                name="package_live_waiting",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
