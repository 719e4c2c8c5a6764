"""NF-e numbers: one sequence per emitter, série and environment, taken under
a row lock in the transaction that creates the document — no gap and no
duplicate, also with many invoicing at once on PostgreSQL."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from plugins.fiscal.models import FiscalDocument, NumberSequence
from plugins.fiscal.services.numbering import take_number


def create_document(emitter, number, *, series=1, environment="2"):
    return FiscalDocument.objects.create(
        emitter=emitter,
        operation="sale",
        status="signed",
        environment=environment,
        series=series,
        number=number,
        access_key=f"{series:03d}{environment}{number:040d}",
        issued_at=timezone.now(),
    )


@pytest.mark.django_db
def test_numbers_follow_each_other_per_serie_and_environment(emitter):
    with transaction.atomic():
        taken = [take_number(emitter) for _ in range(3)]
        other_series = take_number(emitter, series=2)
        production = take_number(emitter, environment="1")

    assert taken == [1, 2, 3]
    assert (other_series, production) == (1, 1)
    assert NumberSequence.objects.get(series=1, environment="2").next_number == 4


@pytest.mark.django_db
def test_a_number_taken_in_a_transaction_that_rolls_back_is_taken_again(emitter):
    with transaction.atomic():
        assert take_number(emitter) == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        assert take_number(emitter) == 2
        raise RuntimeError("the document could not be built")

    with transaction.atomic():
        assert take_number(emitter) == 2


@pytest.mark.django_db
def test_a_new_sequence_starts_after_the_numbers_the_serie_used(emitter):
    create_document(emitter, 41)

    with transaction.atomic():
        assert take_number(emitter) == 42


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_only_inside_the_transaction_that_uses_it(emitter):
    with pytest.raises(transaction.TransactionManagementError):
        take_number(emitter)


def invoice_concurrently(emitter_pk, workers, *, failing=()):
    """Each worker, in its own thread and connection, takes a number and
    creates its document in one transaction, all released at once; the
    workers in ``failing`` roll back after taking theirs."""
    from plugins.fiscal.models import Emitter

    barrier = threading.Barrier(workers)
    outcomes = []
    lock = threading.Lock()

    def worker(index):
        try:
            emitter = Emitter.objects.get(pk=emitter_pk)
            barrier.wait(timeout=60)
            try:
                with transaction.atomic():
                    number = take_number(emitter)
                    create_document(emitter, number)
                    if index in failing:
                        raise RuntimeError("rolled back")
                outcome = "ok"
            except RuntimeError:
                outcome = "rolled back"
            except Exception as error:  # a deadlock or lock timeout fails the test
                outcome = f"{type(error).__name__}: {error}"
            with lock:
                outcomes.append(outcome)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_invoicing_leaves_no_gap_and_no_duplicate(emitter):
    # 24 invoices at once, on a série never used (its sequence is created by
    # the first of them), 4 of which roll back after taking their number
    workers, failing = 24, {3, 9, 15, 21}

    outcomes = invoice_concurrently(emitter.pk, workers, failing=failing)

    assert sorted(outcomes) == sorted(
        ["ok"] * (workers - len(failing)) + ["rolled back"] * len(failing)
    ), outcomes
    numbers = sorted(
        FiscalDocument.objects.filter(emitter=emitter).values_list("number", flat=True)
    )
    assert numbers == list(range(1, workers - len(failing) + 1))
    assert NumberSequence.objects.get().next_number == workers - len(failing) + 1
