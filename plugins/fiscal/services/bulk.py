"""Issuing the NF-e of many paid orders at once (the order listing's bulk
action "Emitir NF-e"): a job per run, its orders issued and sent in batches
by a background task, its progress read by the job's page.

:func:`start_bulk_issue` records the job (one item per order) and queues
:func:`run_bulk_issue` after the transaction commits. The task takes the
orders in batches of up to :data:`BATCH` (the most one ``enviNFe`` takes):
each order's NF-e is built, numbered and signed in its own transaction
(:func:`plugins.fiscal.services.issuing.issue_for_order`, under the order's
row lock: an order that got a live NF-e meanwhile — the same selection run
twice at once — is skipped, never issued twice), then the batch's NF-e go
to the authoriser together (:func:`send_documents`). Orders not paid, with a
live NF-e already, or whose NF-e cannot be built (a product without NCM, no
tax rule) are skipped with the reason. Numbers are taken only by the NF-e
built, in the transaction that records them: no gap, no duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.fiscal.exceptions import AlreadyIssued, FiscalRefused, OrderNotPaid
from plugins.fiscal.models import (
    BulkIssue,
    BulkIssueItem,
    BulkIssueStatus,
    DocumentStatus,
    Emitter,
    SkipReason,
)
from plugins.fiscal.services.authorisation import MAX_BATCH, send_documents
from plugins.fiscal.services.authorisers import check_may_issue, may_issue
from plugins.fiscal.services.issuing import issue_for_order, live_sale_document
from plugins.orders.models import Order
from plugins.orders.status import OrderStatus

logger = logging.getLogger(__name__)

#: Orders built and sent together: one authoriser batch (enviNFe).
BATCH = MAX_BATCH
LOG_ACTION = "fiscal.bulk_issue"


def start_bulk_issue(orders: Iterable[Order], *, emitter: Emitter, user) -> BulkIssue:
    """Record a bulk issue of ``orders`` (each once, in the order of their
    ids) by ``emitter`` on behalf of ``user``, and queue its task after the
    transaction commits. Logs ``fiscal.bulk_issue``. Raises PermissionDenied
    when ``user`` does not issue for ``emitter``; the caller checks that
    ``user`` sees the orders."""
    check_may_issue(user, emitter)
    pks = sorted({order.pk for order in orders})
    with transaction.atomic():
        job = BulkIssue.objects.create(emitter=emitter, created_by=user, total=len(pks))
        BulkIssueItem.objects.bulk_create(
            [BulkIssueItem(job=job, order_id=pk) for pk in pks]
        )
        log_change(emitter, LOG_ACTION, user=user, job=str(job.pk), orders=len(pks))
        job_id = str(job.pk)

        def enqueue() -> None:
            from plugins.fiscal.tasks import issue_orders_task

            issue_orders_task.enqueue(job_id)

        transaction.on_commit(enqueue)
    return job


def run_bulk_issue(job_id) -> BulkIssue:
    """Issue and send the NF-e of a bulk issue's orders not processed yet
    (the task's work; see the module's docstring). Runs once per job: a job
    already taken by a worker is left alone. Makes network calls: run it
    outside a transaction."""
    now = timezone.now()
    claimed = BulkIssue.objects.filter(
        pk=job_id, status=BulkIssueStatus.PENDING
    ).update(status=BulkIssueStatus.RUNNING, started_at=now)
    job = BulkIssue.objects.select_related("emitter", "created_by").get(pk=job_id)
    if not claimed:
        return job
    user, emitter = job.created_by, job.emitter
    try:
        if not (user.is_active and may_issue(user, emitter)):
            _skip_all(job, _("You no longer issue NF-e for this emitter."))
        else:
            pending = list(
                job.items.filter(processed_at__isnull=True)
                .select_related("order")
                .order_by("pk")
            )
            for start in range(0, len(pending), BATCH):
                _run_batch(pending[start : start + BATCH], emitter=emitter, user=user)
    except Exception as error:
        logger.exception("bulk NF-e issue %s stopped", job.pk)
        BulkIssue.objects.filter(pk=job.pk).update(
            status=BulkIssueStatus.FAILED,
            finished_at=timezone.now(),
            error=str(error)[:255],
        )
        raise
    BulkIssue.objects.filter(pk=job.pk).update(
        status=BulkIssueStatus.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _run_batch(items: list[BulkIssueItem], *, emitter: Emitter, user) -> None:
    """Build the NF-e of a batch's orders, then send them together."""
    documents = []
    for item in items:
        order = item.order
        existing = live_sale_document(order)
        if existing is not None:
            _skip(item, SkipReason.LIVE, _already(order, existing))
            continue
        if order.status != OrderStatus.PAID:
            _skip(item, SkipReason.NOT_PAID, _("The order is not paid."))
            continue
        try:
            document = issue_for_order(order, emitter=emitter, user=user)
        except AlreadyIssued as error:  # issued meanwhile (another run)
            _skip(item, SkipReason.LIVE, str(error.message))
        except OrderNotPaid as error:
            _skip(item, SkipReason.NOT_PAID, str(error.message))
        except FiscalRefused as error:  # no NCM, no tax rule, a schema error …
            _skip(item, SkipReason.NOT_BUILT, str(error.message))
        except PermissionDenied:
            _skip(item, SkipReason.NOT_ALLOWED, _("You may not issue this NF-e."))
        else:
            item.document = document
            documents.append(document)
    if documents:
        send_documents(documents, user=user)
    now = timezone.now()
    for item in items:
        item.processed_at = now
    BulkIssueItem.objects.bulk_update(
        items, ["document", "skipped", "reason", "processed_at"]
    )


def _skip(item: BulkIssueItem, reason: str, text: str) -> None:
    item.skipped = reason
    item.reason = text[:255]


def _already(order: Order, document) -> str:
    return _("Order %(number)s already has NF-e %(nfe)s (%(status)s).") % {
        "number": order.number,
        "nfe": document.number,
        "status": document.get_status_display(),
    }


def _skip_all(job: BulkIssue, text: str) -> None:
    job.items.filter(processed_at__isnull=True).update(
        skipped=SkipReason.NOT_ALLOWED, reason=text[:255], processed_at=timezone.now()
    )


# -- Progress ----------------------------------------------------------------------

S = DocumentStatus


@dataclass(frozen=True)
class Progress:
    """What became of a bulk issue's orders so far: processed of total; the
    NF-e authorised, rejected, denied and still waiting for the authoriser
    (their status now); the orders skipped, per reason."""

    total: int
    processed: int
    authorised: int
    rejected: int
    denied: int
    waiting: int
    skipped: dict[str, int]

    @property
    def progress(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "processed": self.processed,
            "progress": self.progress,
            "authorised": self.authorised,
            "rejected": self.rejected,
            "denied": self.denied,
            "waiting": self.waiting,
            "skipped": self.skipped_total,
            **{f"skipped_{reason}": count for reason, count in self.skipped.items()},
        }


def progress(job: BulkIssue) -> Progress:
    """The job's figures, in one query."""
    processed = Q(processed_at__isnull=False)
    figures = job.items.aggregate(
        processed=Count("pk", filter=processed),
        authorised=Count(
            "pk",
            filter=processed & Q(document__status__in=(S.AUTHORISED, S.CANCELLED)),
        ),
        rejected=Count("pk", filter=processed & Q(document__status=S.REJECTED)),
        denied=Count("pk", filter=processed & Q(document__status=S.DENIED)),
        waiting=Count(
            "pk", filter=processed & Q(document__status__in=(S.SIGNED, S.SENT))
        ),
        **{
            f"skipped_{reason}": Count("pk", filter=processed & Q(skipped=reason))
            for reason in SkipReason.values
        },
    )
    return Progress(
        total=job.total,
        processed=figures["processed"],
        authorised=figures["authorised"],
        rejected=figures["rejected"],
        denied=figures["denied"],
        waiting=figures["waiting"],
        skipped={r: figures[f"skipped_{r}"] for r in SkipReason.values},
    )
