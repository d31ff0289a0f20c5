"""The notices partitioned by month on PostgreSQL (docs/deployment.md, Partitioning); on
SQLite this migration does nothing.

`outbox_notice` becomes a table partitioned by range on `created_at` (the time it was
queued, which never changes), as the timeline is (sourcing 0012, lib/partitioning.py): a
partition per UTC month, three months ahead, a default partition; primary key (id,
created_at) in the database, `id` for Django; the attachments' foreign key to their notice
(NoticeAttachment.notice) dropped in the database, Django's on_delete and the archive moving
them instead.

The exactly-once key. A notice's key is unique within its council (`notice_unique_key`), and
PostgreSQL allows a unique constraint on a partitioned table only with the partition key in
it: (council, key, created_at) would let the same key be queued again a second later, and
(council, key, month) again the next month, and the outbox must never send twice. So the
uniqueness moves to a small table that is not partitioned, `outbox_noticekey` (council_id,
key), whose primary key keeps the name `notice_unique_key`. A trigger on the notices inserts
each new notice's (council, key) into it in the same statement, so:

- a second insert of a key fails with a unique violation on `notice_unique_key`, as before;
  a concurrent one waits on the first transaction's uncommitted key, exactly as on a unique
  index, and fails if that one commits (outbox/notices.py turns that into "already queued");
- the key stays taken when its notice is archived (or deleted): an archived notice is never
  queued again. The table is small (two columns a notice) and is not archived;
- Django's test flush empties the notices with TRUNCATE, which row triggers do not see: a
  TRUNCATE trigger empties the keys with them.

The lookup by (council, key) keeps an index of its own (`notice_council_key`). Django's
model still names the unique constraint: on PostgreSQL it is this table's primary key, so a
future migration must not drop `notice_unique_key` from `outbox_notice` there.
"""

from django.db import migrations
from django.utils import timezone

from carebroker.lib import partitioning

TABLE, COLUMN = "outbox_notice", "created_at"

KEYS = """
CREATE TABLE outbox_noticekey (
    council_id bigint NOT NULL,
    key varchar(200) NOT NULL,
    CONSTRAINT notice_unique_key PRIMARY KEY (council_id, key)
);
INSERT INTO outbox_noticekey (council_id, key) SELECT council_id, key FROM outbox_notice;
CREATE INDEX notice_council_key ON outbox_notice (council_id, key);
CREATE FUNCTION carebroker_notice_key() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.council_id = OLD.council_id AND NEW.key = OLD.key THEN
        RETURN NEW;  -- Django's save() writes every column, the key unchanged
    END IF;
    INSERT INTO outbox_noticekey (council_id, key) VALUES (NEW.council_id, NEW.key);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER outbox_notice_key BEFORE INSERT OR UPDATE OF council_id, key ON outbox_notice
    FOR EACH ROW EXECUTE FUNCTION carebroker_notice_key();
CREATE FUNCTION carebroker_notice_keys_truncated() RETURNS trigger AS $$
BEGIN
    TRUNCATE outbox_noticekey;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER outbox_notice_keys_truncated AFTER TRUNCATE ON outbox_notice
    FOR EACH STATEMENT EXECUTE FUNCTION carebroker_notice_keys_truncated();
"""
NO_KEYS = """
DROP TRIGGER outbox_notice_key ON outbox_notice;
DROP TRIGGER outbox_notice_keys_truncated ON outbox_notice;
DROP FUNCTION carebroker_notice_key();
DROP FUNCTION carebroker_notice_keys_truncated();
DROP TABLE outbox_noticekey;
DROP INDEX notice_council_key;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        partitioning.partition_by_month(
            cursor, TABLE, COLUMN, now=timezone.now(), unique_replaced=["notice_unique_key"]
        )
    schema_editor.execute(KEYS, params=None)  # no placeholders: plpgsql


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(NO_KEYS, params=None)
    with schema_editor.connection.cursor() as cursor:
        partitioning.unpartition(cursor, TABLE)
    notice = apps.get_model("outbox", "Notice")
    [unique] = [c for c in notice._meta.constraints if c.name == "notice_unique_key"]
    schema_editor.add_constraint(notice, unique)
    attachment = apps.get_model("outbox", "NoticeAttachment")
    field = attachment._meta.get_field("notice")
    schema_editor.execute(
        schema_editor._create_fk_sql(attachment, field, "_fk_%(to_table)s_%(to_column)s")
    )


class Migration(migrations.Migration):
    dependencies = [("outbox", "0010_notice_kinds_from_the_vocabulary")]
    operations = [migrations.RunPython(forward, backward)]
