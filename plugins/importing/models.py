"""The import job: one uploaded file on its way through the dry run and the
import, whatever the importer. Rows change only through
:mod:`plugins.importing.services`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CHECKING = "checking", _("Checking the file")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.PENDING, Status.CHECKING, Status.IMPORTING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    importer = models.CharField(_("importer"), max_length=60, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    rows_hint = models.PositiveIntegerField(_("rows (estimate)"), default=0)
    options = models.JSONField(_("options"), default=dict, blank=True)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    dry_run_report = models.JSONField(_("check report"), default=dict, blank=True)
    report = models.JSONField(_("import report"), default=dict, blank=True)
    #: the invalid rows with their errors, as a spreadsheet (from the check)
    invalid_rows_file = models.FileField(
        _("invalid rows"), upload_to="imports/%Y/%m/", blank=True
    )

    class Meta:
        app_label = "plugins"
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def checked(self) -> bool:
        return self.status == self.Status.CHECKED and not self.report

    @property
    def can_confirm(self) -> bool:
        """Checked, the file readable and something valid to import."""
        report = self.dry_run_report
        return (
            self.checked
            and bool(self.file)  # not yet purged
            and not report.get("file_error")
            and report.get("valid_rows", 0) > 0
        )
