"""NF-e numbers without gaps or duplicates: one sequence per emitter, série
and environment, taken under a row lock in the transaction that creates the
document. A number taken in a transaction that rolls back goes back with it;
one taken by a document that will never be authorised is inutilized
(:func:`plugins.fiscal.services.inutilization.inutilize_numbers`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Max

from plugins.fiscal.authoriser import Code
from plugins.fiscal.models import (
    Emitter,
    FiscalDocument,
    NumberGap,
    NumberSequence,
    Operation,
)

#: The largest NF-e number (nNF has nine digits).
MAX_NUMBER = 999_999_999


class NumbersExhausted(Exception):
    """The série has used its 999,999,999 numbers: start another série."""


def take_number(
    emitter: Emitter, series: int | None = None, environment: str | None = None
) -> int:
    """The next number of ``emitter``'s ``series`` (default: the emitter's)
    in ``environment`` (default: the emitter's), taken for the document the
    caller's transaction creates.

    Must run inside that transaction (``transaction.atomic``): the sequence
    row stays locked (``SELECT … FOR UPDATE``) until it commits, so concurrent
    takers wait in turn, and a rollback gives the number back. The sequence
    is created on first use, starting after the highest number the série
    already used (documents issued and inutilized ranges); two first uses at
    once both end up on the one row.

    Raises ``TransactionManagementError`` outside a transaction and
    :class:`NumbersExhausted` past 999,999,999.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "take_number() runs inside the transaction that creates the document."
        )
    series = emitter.series if series is None else series
    environment = environment or emitter.environment
    lookup = {"emitter": emitter, "series": series, "environment": environment}
    sequence = NumberSequence.objects.select_for_update().filter(**lookup).first()
    if sequence is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(
                    **lookup, next_number=_first_free(emitter, series, environment)
                )
        except IntegrityError:
            pass  # another transaction created it first: lock theirs below
        sequence = NumberSequence.objects.select_for_update().get(**lookup)
    number = sequence.next_number
    if number > MAX_NUMBER:
        raise NumbersExhausted(f"série {series} has no number left")
    NumberSequence.objects.filter(pk=sequence.pk).update(
        next_number=F("next_number") + 1
    )
    return number


def _first_free(emitter: Emitter, series: int, environment: str) -> int:
    """The number after the highest the série has used."""
    issued = (
        FiscalDocument.objects.filter(
            emitter=emitter, series=series, environment=environment
        )
        .exclude(operation=Operation.PURCHASE)
        .aggregate(top=Max("number"))["top"]
        or 0
    )
    inutilized = (
        NumberGap.objects.filter(
            emitter=emitter,
            series=series,
            environment=environment,
            status_code=Code.INUTILIZED,
        ).aggregate(top=Max("last_number"))["top"]
        or 0
    )
    return max(issued, inutilized) + 1
