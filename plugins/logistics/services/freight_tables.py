"""Writing freight tables (the import's batch writer calls these)."""

from __future__ import annotations

from collections.abc import Iterable

from plugins.logistics.models import FreightRate
from plugins.logistics.services.quoting import bump_freight_version


def clear_rates(service_ids: Iterable[int]) -> int:
    """Delete every table row of ``service_ids`` (a "replace the table"
    import, inside its transaction). Returns how many rows went."""
    deleted, _by_model = FreightRate.objects.filter(
        service_id__in=sorted(set(service_ids))
    ).delete()
    bump_freight_version()
    return deleted


def add_rates(rows: Iterable[dict]) -> int:
    """Insert table rows (dicts of :class:`FreightRate` fields, checked by
    the caller; the database's CHECK constraint backs the ranges and the
    price). Cached quotes are forgotten once the transaction commits."""
    created = FreightRate.objects.bulk_create([FreightRate(**row) for row in rows])
    bump_freight_version()
    return len(created)
