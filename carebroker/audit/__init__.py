"""The audit trail (issue 12 finding 9): who viewed or changed a person's record, when, what
and from where, in django-auditlog's log, append-only in the database (docs/security.md)."""
