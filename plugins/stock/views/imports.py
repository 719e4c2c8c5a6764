"""Importing stock receipts and counts: upload, dry run, confirm."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.importing.reader import Limits
from plugins.importing.services import rows_hint
from plugins.stock import tasks
from plugins.stock.forms import StockImportForm
from plugins.stock.models import StockImportJob
from plugins.stock.permissions import user_can_move_stock
from plugins.stock.resources import COLUMNS, REQUIRED
from plugins.stock.views import BreadcrumbsMixin, StockPermissionMixin


class ImportPermissionMixin(StockPermissionMixin):
    def test_user(self, user):
        return user_can_move_stock(user)


def _job_for(request, pk) -> StockImportJob:
    job = get_object_or_404(StockImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


class StockImportStartView(
    ImportPermissionMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "stock/import_start.html"
    page_title = gettext_lazy("Import stock")
    header_icon = "upload"
    form_class = StockImportForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        limits = Limits.from_settings()
        if upload.size > limits.max_bytes:
            form.add_error("file", gettext_lazy("The file is too large."))
            return self.form_invalid(form)
        data = upload.read()
        upload.seek(0)
        job = StockImportJob.objects.create(
            kind=form.cleaned_data["kind"],
            created_by=self.request.user,
            file=upload,
            original_name=upload.name[:255],
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        tasks.start_stock_import(
            job, dry_run=True, rows_hint=rows_hint(data)
        )
        return redirect("stock_import:job", pk=job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=COLUMNS,
            required=REQUIRED,
            recent_jobs=StockImportJob.objects.filter(created_by=self.request.user)[
                :10
            ],
        )
        return context


class StockImportJobView(
    ImportPermissionMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "stock/import_job.html"
    page_title = gettext_lazy("Import stock")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = _job_for(self.request, kwargs["pk"])
        report = job.report or job.dry_run_report
        context.update(
            job=job,
            report=report,
            dry_run=not job.report,
            can_confirm=(
                job.status == StockImportJob.Status.VALIDATED
                and not job.report
                and not report.get("file_error")
                and report.get("valid_rows", 0) > 0
                and (report.get("error_count", 0) == 0 or job.skip_invalid)
            ),
            status_url=reverse("stock_import:status", args=[job.pk]),
        )
        return context


class StockImportStatusView(ImportPermissionMixin, View):
    def get(self, request, pk):
        job = _job_for(request, pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "progress": job.progress,
                "running": job.is_running,
            }
        )


class StockImportConfirmView(ImportPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        job = _job_for(request, pk)
        report = job.dry_run_report
        if job.status != StockImportJob.Status.VALIDATED or job.report:
            raise PermissionDenied
        if report.get("file_error") or (
            report.get("error_count") and not job.skip_invalid
        ):
            raise PermissionDenied
        claimed = StockImportJob.objects.filter(
            pk=job.pk, status=StockImportJob.Status.VALIDATED, report={}
        ).update(status=StockImportJob.Status.PENDING, progress=0)
        if not claimed:
            return redirect("stock_import:job", pk=job.pk)
        with job.file.open("rb") as handle:
            hint = rows_hint(handle.read())
        tasks.start_stock_import(job, dry_run=False, rows_hint=hint)
        return redirect("stock_import:job", pk=job.pk)
