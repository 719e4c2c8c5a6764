"""The import screens, one set for every importer: upload and check, the
job's page (progress, the check's result, confirm with or without the
invalid rows), the invalid rows as a spreadsheet.

A job is its creator's: to anyone else it does not exist (404), whatever
their permissions. The importer's permission is checked on every screen."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.importing import services
from plugins.importing.base import Importer, get_importer
from plugins.importing.models import ImportJob
from plugins.importing.reader import MACRO_EXTENSIONS, Limits, megabytes
from plugins.permissions import is_active_user

RECENT_JOBS = 10


class UploadForm(forms.Form):
    #: the importer the file is for (set by the start screen)
    importer: type[Importer] | None = None

    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
        error_messages={"empty": gettext_lazy("The file is empty.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limits = Limits.from_settings()
        if upload.size > limits.max_bytes:
            raise forms.ValidationError(
                _("The file has %(size)s, more than the %(limit)s allowed.")
                % {"size": megabytes(upload.size), "limit": megabytes(limits.max_bytes)}
            )
        if self.importer is not None and not self.importer.accepts_file_name(
            upload.name
        ):
            raise forms.ValidationError(
                _("This import takes %(types)s files.")
                % {"types": ", ".join(self.importer.file_types)}
            )
        if upload.name.lower().endswith(MACRO_EXTENSIONS):
            raise forms.ValidationError(
                _(
                    "Macro-enabled workbooks are not accepted: save the file as "
                    "XLSX (Pasta de Trabalho do Excel) or CSV and try again."
                )
            )
        return upload

    def __init__(self, *args, user=None, **kwargs):
        # the importer's options form may depend on the user
        if self.__class__ is not UploadForm and self.importer.options_form:
            kwargs["user"] = user
        super().__init__(*args, **kwargs)
        importer = self.importer
        if importer is not None and importer.file_types is not None:
            field = self.fields["file"]
            field.widget.attrs["accept"] = ",".join(importer.file_types)
            if importer.file_help_text:
                field.help_text = importer.file_help_text


class ImporterMixin:
    """Resolves the importer (from the URL or the job) and checks its
    permission."""

    importer: type[Importer]

    def dispatch(self, request, *args, **kwargs):
        if not is_active_user(request.user):
            raise PermissionDenied
        if "pk" in kwargs:
            self.job = get_object_or_404(
                ImportJob, pk=kwargs["pk"], created_by=request.user
            )
            key = self.job.importer
        else:
            self.job = None
            key = kwargs["importer"]
        importer = get_importer(key)
        if importer is None:
            raise Http404
        if not importer.user_can_import(request.user):
            raise PermissionDenied
        self.importer = importer
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.importer.verbose_name

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if self.job is not None:
            items.append(
                {
                    "url": reverse("imports:start", args=[self.importer.key]),
                    "label": self.importer.verbose_name,
                }
            )
            items.append({"url": "", "label": self.job.original_name})
        else:
            items.append({"url": "", "label": self.importer.verbose_name})
        return items


class StartView(ImporterMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "importing/start.html"
    header_icon = "upload"

    def get_form_class(self):
        bases = (UploadForm,)
        if self.importer.options_form is not None:
            bases = (UploadForm, self.importer.options_form)
        return type("ImportForm", bases, {"importer": self.importer})

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        options = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        job = services.start(
            self.importer,
            user=self.request.user,
            upload=form.cleaned_data["file"],
            options=options,
        )
        return redirect("imports:job", pk=job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            importer=self.importer,
            columns=self.importer.visible_columns(user),
            recent_jobs=ImportJob.objects.filter(
                created_by=user, importer=self.importer.key
            )[:RECENT_JOBS],
        )
        return context


class JobView(ImporterMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "importing/job.html"
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        report = job.report or job.dry_run_report
        importer = self.importer(self.request.user, job.options, job)
        context.update(
            job=job,
            importer=self.importer,
            report=report,
            dry_run=not job.report,
            counters=[
                (label, report.get("counts", {}).get(name, 0))
                for name, label in self.importer.counters.items()
            ],
            result_url=importer.result_url(job)
            if job.status == job.Status.DONE
            else "",
            status_url=reverse("imports:status", args=[job.pk]),
        )
        return context


class StatusView(ImporterMixin, View):
    def get(self, request, pk):
        job = self.job
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "progress": job.progress,
                "running": job.is_running,
            }
        )


class ConfirmView(ImporterMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        skip_invalid = request.POST.get("skip_invalid") == "on"
        if not services.confirm(self.job, user=request.user, skip_invalid=skip_invalid):
            messages.warning(
                request,
                _("This file cannot be imported as it is: see the check's result."),
            )
        return redirect("imports:job", pk=self.job.pk)


class InvalidRowsView(ImporterMixin, View):
    def get(self, request, pk):
        if not self.job.invalid_rows_file:
            raise Http404
        name = self.job.original_name.rsplit(".", 1)[0]
        return FileResponse(
            self.job.invalid_rows_file.open("rb"),
            as_attachment=True,
            filename=_("%(name)s - invalid rows.xlsx") % {"name": name},
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
