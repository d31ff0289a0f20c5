"""The cache table the API's rate limit counts in when no REDIS_URL is set (settings.CACHES):
made here so `carebroker migrate` makes it, as every other table. Idempotent: Django's
createcachetable skips a table that exists (the test database set-up makes it too)."""

from django.core.management import call_command
from django.db import migrations


def make_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(make_cache_table, migrations.RunPython.noop)]
