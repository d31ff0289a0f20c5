"""The placement documents (docs/architecture.md §10.4): one module per
document, `store.make_document` to make and keep one, `store.documents_for` to list them."""

from carebroker.placements.documents.facts import DocumentRefused
from carebroker.placements.documents.store import documents_for, keep_signed_ipa, make_document

__all__ = ["DocumentRefused", "documents_for", "keep_signed_ipa", "make_document"]
