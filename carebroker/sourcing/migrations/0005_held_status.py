"""Packages held by a broker before `held` was a status (they were `on_hold` with a
`held_reason`) become `held`, and their engine state carries the hold (engine/by_hand.py)."""

from django.db import migrations, models


def _fields(stored):
    """The PackageState's fields in a stored snapshot (sourcing/snapshot.py), or None."""
    value = stored.get("value") if isinstance(stored, dict) else None
    fields = value.get("fields") if isinstance(value, dict) else None
    return fields if isinstance(fields, dict) else None


def held_status(apps, schema_editor):
    Package = apps.get_model("sourcing", "Package")
    for row in Package.objects.exclude(held_reason="").iterator():
        row.status = "held"
        fields = _fields(row.engine_state)
        if fields is not None:
            fields["status"] = "held"
            fields["held_reason"] = row.held_reason
        row.save(update_fields=["status", "engine_state"])


def on_hold_status(apps, schema_editor):
    Package = apps.get_model("sourcing", "Package")
    for row in Package.objects.filter(status="held").iterator():
        row.status = "on_hold"
        fields = _fields(row.engine_state)
        if fields is not None:
            fields["status"] = "on_hold" if fields.get("gate") else "sourcing"
            fields.pop("held_reason", None)
        row.save(update_fields=["status", "engine_state"])


class Migration(migrations.Migration):
    dependencies = [
        ("sourcing", "0004_mosaic_id_format"),
    ]

    operations = [
        migrations.AlterField(
            model_name="package",
            name="held_reason",
            field=models.CharField(
                blank=True,
                help_text="Why a broker holds it (status held): the clocks wait.",
                max_length=300,
            ),
        ),
        migrations.RunPython(held_status, on_hold_status),
    ]
