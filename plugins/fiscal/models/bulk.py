"""Bulk issuing: the NF-e of many paid orders by one emitter, built and sent
in batches by a background task (:mod:`plugins.fiscal.services.bulk`).

A :class:`BulkIssue` is one run of the order listing's "Emitir NF-e" on a
selection; it has an item per order saying what became of it: the NF-e
built for it (whose status says whether it was authorised, rejected or is
still waiting for the authoriser), or why the order was skipped.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plugins.fiscal.models.documents import FiscalDocument
from plugins.fiscal.models.emitters import Emitter


class BulkIssueStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Issuing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped")


class SkipReason(models.TextChoices):
    """Why an order of a bulk issue got no NF-e."""

    LIVE = "live", _("Already has an NF-e")
    NOT_PAID = "not_paid", _("Not paid")
    NOT_BUILT = "not_built", _("NF-e not built")
    NOT_ALLOWED = "not_allowed", _("Not allowed")


class BulkIssue(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    emitter = models.ForeignKey(
        Emitter, on_delete=models.PROTECT, related_name="bulk_issues"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BulkIssueStatus.choices,
        default=BulkIssueStatus.PENDING,
    )
    total = models.PositiveIntegerField(_("orders"), default=0)
    #: why the run stopped before its end (``status`` failed)
    error = models.CharField(_("error"), max_length=255, blank=True)

    RUNNING = (BulkIssueStatus.PENDING, BulkIssueStatus.RUNNING)

    class Meta:
        verbose_name = _("bulk NF-e issue")
        verbose_name_plural = _("bulk NF-e issues")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.emitter} · {self.total} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING


class BulkIssueItem(models.Model):
    """One order of a bulk issue: its NF-e, or why it has none."""

    job = models.ForeignKey(BulkIssue, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        FiscalDocument,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    skipped = models.CharField(
        _("skipped"), max_length=12, choices=SkipReason.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order of a bulk NF-e issue")
        verbose_name_plural = _("orders of a bulk NF-e issue")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "order"], name="fiscal_bulk_issue_item_unique"
            ),
            # an order gets an NF-e or a reason, never both
            models.CheckConstraint(
                condition=models.Q(document__isnull=True) | models.Q(skipped=""),
                name="fiscal_bulk_issue_item_document_or_skip",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_id} · {self.order_id}"
