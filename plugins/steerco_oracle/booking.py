"""The counts of a sync that found nothing to read; booking itself is ``erp_sync.book_run``."""

NOTHING = {"created": 0, "updated": 0, "unchanged": 0, "records": 0, "periods": 0, "held": 0, "unmapped": 0}
