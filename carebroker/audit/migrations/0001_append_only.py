"""The audit log is append-only in the database itself (issue 12 finding 9): on PostgreSQL a
trigger refuses UPDATE and DELETE of a log row, whoever asks, the admin and a shell included.

The one update let through: deleting a user makes Django set the entries' actor to NULL
(`on_delete=SET_NULL`); `actor_email` keeps who it was, and nothing else may change.

SQLite (the one-command demo) has no trigger: Django's test flush empties tables there with
DELETE (PostgreSQL's flush is TRUNCATE, which row triggers do not see), so a trigger would
break every test that keeps its data in the database. Production runs on PostgreSQL
(docs/architecture.md §9).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION carebroker_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % of entry % refused', TG_OP, OLD.id;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER auditlog_logentry_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION carebroker_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS auditlog_logentry_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS carebroker_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # no placeholders: % is plpgsql


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunPython(forward, backward)]
