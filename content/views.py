"""Admin screens of the catalog beyond the snippet viewsets: import, export and
storefront preview tokens."""

from __future__ import annotations

import csv
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from content import tasks
from content.importing.reader import Limits
from content.models import ImportJob, Product
from content.preview import issue_preview_token, max_age, storefront_preview_url
from content.resources import COLUMNS, CatalogResource, export_queryset, parse_decimal
from content.viewsets import ProductFilterSet
from plugins.permissions import PermissionRequiredMixin
from plugins.views import ScreenBreadcrumbsMixin

NUMERIC_COLUMNS = {
    "price",
    "compare_at_price",
    "cost_price",
    "length_cm",
    "width_cm",
    "height_cm",
}


# -- import ---------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252, comma or semicolon) or XLSX; "
            "one row per variant."
        ),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the imported products"),
        required=False,
        help_text=gettext_lazy("Otherwise the changes are saved as drafts."),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Skip invalid rows and import the rest"),
        required=False,
        help_text=gettext_lazy(
            "By default a file with any invalid row imports nothing."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.has_perm("content.publish_product"):
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limits = Limits.from_settings()
        if upload.size > limits.max_bytes:
            size, limit = upload.size / 2**20, limits.max_bytes / 2**20
            raise forms.ValidationError(
                _("The file has %(size).0f MB, more than the %(limit).0f MB allowed.")
                % {"size": size, "limit": limit}
            )
        return upload


def _rows_hint(data: bytes, name: str) -> int:
    if data[:4] == b"PK\x03\x04":
        return max(1, len(data) // 40)  # compressed rows are about 40 bytes
    return data.count(b"\n")


class ImportStartView(
    PermissionRequiredMixin, ScreenBreadcrumbsMixin, WagtailAdminTemplateMixin, FormView
):
    permission = "content.import_product"
    template_name = "content/import/start.html"
    page_title = gettext_lazy("Import products")
    header_icon = "upload"

    def get_form(self, form_class=None):
        return ImportForm(**self.get_form_kwargs(), user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = [
            c
            for c in COLUMNS
            if c != "cost_price"
            or self.request.user.has_perm("content.view_cost_price")
        ]
        context["recent_jobs"] = ImportJob.objects.filter(created_by=self.request.user)[
            :10
        ]
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = upload.read()
        upload.seek(0)
        job = ImportJob.objects.create(
            created_by=self.request.user,
            file=upload,
            original_name=upload.name[:255],
            publish=form.cleaned_data.get("publish", False),
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        tasks.start(job, dry_run=True, rows_hint=_rows_hint(data, upload.name))
        return redirect("content_import:job", pk=job.pk)


def _job_for(request, pk) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


class ImportJobView(
    PermissionRequiredMixin,
    ScreenBreadcrumbsMixin,
    WagtailAdminTemplateMixin,
    TemplateView,
):
    permission = "content.import_product"
    template_name = "content/import/job.html"
    page_title = gettext_lazy("Import products")
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
                job.status == ImportJob.Status.VALIDATED
                and not job.report
                and not report.get("file_error")
                and (report.get("error_count", 0) == 0 or job.skip_invalid)
            ),
            status_url=reverse("content_import:status", args=[job.pk]),
        )
        return context


class ImportStatusView(PermissionRequiredMixin, View):
    permission = "content.import_product"

    def get(self, request, pk):
        job = _job_for(request, pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "progress": job.progress,
                "stage": job.stage,
                "running": job.is_running,
            }
        )


class ImportConfirmView(PermissionRequiredMixin, View):
    permission = "content.import_product"
    http_method_names = ["post"]

    def post(self, request, pk):
        job = _job_for(request, pk)
        report = job.dry_run_report
        if job.status != ImportJob.Status.VALIDATED or job.report:
            raise PermissionDenied
        if report.get("file_error") or (
            report.get("error_count") and not job.skip_invalid
        ):
            raise PermissionDenied
        if job.publish and not request.user.has_perm("content.publish_product"):
            raise PermissionDenied
        # Only one confirmation starts the import, however many are posted.
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.VALIDATED, report={}
        ).update(status=ImportJob.Status.PENDING, progress=0)
        if not claimed:
            return redirect("content_import:job", pk=job.pk)
        with job.file.open("rb") as handle:
            hint = _rows_hint(handle.read(), job.original_name)
        tasks.start(job, dry_run=False, rows_hint=hint)
        return redirect("content_import:job", pk=job.pk)


# -- export ---------------------------------------------------------------------


def filtered_products(request):
    queryset = Product.objects.all()
    filters = ProductFilterSet(request.GET, queryset=queryset, request=request)
    if filters.is_valid():
        queryset = filters.qs
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query)
            | Q(slug__icontains=query)
            | Q(short_description__icontains=query)
            | Q(variants__sku__icontains=query)
        ).distinct()
    return queryset


class ExportView(PermissionRequiredMixin, View):
    """The variants of the products in the current listing filter, in the import
    format (so an export can be edited and imported back)."""

    permission = "content.export_product"

    def get(self, request):
        fmt = request.GET.get("format", "csv")
        if fmt not in {"csv", "xlsx"}:
            raise Http404
        include_cost = request.user.has_perm("content.view_cost_price")
        resource = CatalogResource(include_cost=include_cost)
        dataset = resource.export(export_queryset(filtered_products(request)))
        filename = f"produtos-{timezone.localdate():%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            buffer = io.StringIO()
            buffer.write("\ufeff")  # BOM: spreadsheets then read UTF-8
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(dataset.headers)
            writer.writerows(dataset)
            response = HttpResponse(
                buffer.getvalue(), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(
                _xlsx(dataset),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _xlsx(dataset) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="produtos")
    headers = list(dataset.headers)
    sheet.append(headers)
    numeric = [h in NUMERIC_COLUMNS for h in headers]
    for row in dataset:
        sheet.append(
            [
                parse_decimal(value) if is_number and value not in ("", None) else value
                for value, is_number in zip(row, numeric, strict=True)
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# -- storefront preview tokens --------------------------------------------------------


class PreviewTokenView(ScreenBreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView):
    """Issues a signed, expiring token for the latest draft of a product and
    opens the storefront's preview with it (``RETAGUARDA_STOREFRONT_PREVIEW_URL``);
    without a storefront address, shows the token for a headless frontend to
    pass to the API."""

    template_name = "content/preview_token.html"
    page_title = gettext_lazy("Preview on the storefront")
    header_icon = "view"

    def get_object(self):
        product = get_object_or_404(Product, pk=self.kwargs["pk"])
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(Product)
        if not policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "publish"], product
        ):
            raise PermissionDenied
        return product

    def get_object_name(self, obj) -> str:
        return obj.name

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        token = issue_preview_token(obj)
        if url := storefront_preview_url(token):
            return redirect(url)
        context = self.get_context_data(
            object_name=self.get_object_name(obj),
            token=token,
            max_age_minutes=max_age() // 60,
        )
        return self.render_to_response(context)


class PagePreviewTokenView(PreviewTokenView):
    """The same for the latest draft of a storefront page."""

    def get_object(self):
        page = get_object_or_404(Page, pk=self.kwargs["pk"]).specific
        if not page.permissions_for_user(self.request.user).can_edit():
            raise PermissionDenied
        return page

    def get_object_name(self, obj) -> str:
        return obj.title
