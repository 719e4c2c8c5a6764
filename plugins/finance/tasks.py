"""Background work of the finance plugin."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from plugins.finance.providers import ProviderError

logger = logging.getLogger(__name__)

#: Attempts at applying a provider's notification while its API cannot be
#: reached (a timeout, HTTP 5xx or 429): the first retry after
#: ``RETRY_SECONDS``, each wait twice the one before (30 s … 32 min, about an
#: hour in all), or as long as the provider asked for (``Retry-After``, up
#: to ``MAX_RETRY_AFTER``) when that is longer.
MAX_ATTEMPTS = 8
RETRY_SECONDS = 30
MAX_RETRY_AFTER = 3600


@task()
def process_provider_event(event_pk: int, attempt: int = 1) -> str:
    """Apply a provider's stored notification (see services.events).

    While the provider's API cannot be reached, the same task is queued again
    for later (on backends that can defer a task); after ``MAX_ATTEMPTS``, or
    at once on a backend that cannot defer, the event is marked failed with
    the provider's error, for the finance desk to see.
    """
    from plugins.finance.models import ProviderEvent
    from plugins.finance.services.events import give_up, process

    try:
        return process(event_pk).outcome
    except ProviderError as error:  # retryable: process() records the others
        if (
            attempt >= MAX_ATTEMPTS
            or not process_provider_event.get_backend().supports_defer
        ):
            logger.error(
                "provider event %s: %s; given up after %s attempts",
                event_pk,
                error,
                attempt,
            )
            return give_up(event_pk, error).outcome
        delay = max(
            RETRY_SECONDS * 2 ** (attempt - 1),
            min(error.retry_after or 0, MAX_RETRY_AFTER),
        )
        run_after = timezone.now() + datetime.timedelta(seconds=delay)
        process_provider_event.using(run_after=run_after).enqueue(event_pk, attempt + 1)
        # not stale while it waits for its turn (services.events.stale_events)
        ProviderEvent.objects.filter(pk=event_pk, processed_at__isnull=True).update(
            queued_at=run_after
        )
        logger.warning(
            "provider event %s: %s; attempt %s of %s in %s s",
            event_pk,
            error,
            attempt + 1,
            MAX_ATTEMPTS,
            delay,
        )
        return "retrying"


@task()
def reconcile_account(account_pk: int, user_pk: int | None = None) -> dict:
    """Reconcile a bank account's statement lines ("Conciliar agora"), on
    behalf of the user who asked (whose permission is checked again)."""
    from django.contrib.auth import get_user_model

    from plugins.finance.models import BankAccount
    from plugins.finance.services.reconciliation import reconcile

    account = BankAccount.objects.get(pk=account_pk)
    user = get_user_model().objects.filter(pk=user_pk).first() if user_pk else None
    if user_pk and user is None:
        return {"lines": 0, "matched": 0, "rules": {}, "left": 0}
    return reconcile(account, user=user).as_dict()
