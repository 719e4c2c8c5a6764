"""Background work of the finance plugin."""

from __future__ import annotations

from django_tasks import task


@task()
def process_provider_event(event_pk: int) -> str:
    """Apply a provider's stored notification (see services.events)."""
    from plugins.finance.services.events import process

    return process(event_pk).outcome
