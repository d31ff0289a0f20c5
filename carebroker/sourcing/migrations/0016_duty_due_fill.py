"""The duties' stored moments (0015, sourcing/duty_due.py) worked out for every existing row
from its status, acceptance and timeline by its council's policy. A council whose policy
cannot be read keeps NOT_WORKED_OUT: the next sweep tries again and reports it."""

from django.db import migrations


def fill(apps, schema_editor):  # noqa: ANN001, ANN201
    from carebroker.sourcing.duty_due import refill

    refill(
        fix=True,
        council_model=apps.get_model("councils", "Council"),
        package_model=apps.get_model("sourcing", "Package"),
        event_model=apps.get_model("sourcing", "TimelineEvent"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0004_enablement_team_email"),
        ("sourcing", "0015_duty_due"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
