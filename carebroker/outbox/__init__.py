"""The transactional outbox: notices written with the change that caused them, delivered later.

`notices.queue_notice` writes a rendered email inside the caller's transaction;
`delivery.deliver_due` (run by `carebroker worker`) sends the due ones, retrying.
"""
