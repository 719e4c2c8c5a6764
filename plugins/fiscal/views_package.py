"""The accountant's monthly package screen (Pacote do contador): choose an
emitter (or all those the user sees) and a month, see what the month holds,
download the ZIP of its XML with the summary workbook (streamed as it is
written). For the Contador role (``fiscal.download_archive``) and
superusers; everyone else is denied. Each download is written to the audit
log, once per emitter of the package."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.audit import log_change
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.package import month_rows, package_filename, stream_package
from plugins.fiscal.permissions import (
    sees_every_emitter,
    user_can_download_packages,
    visible_emitters,
)
from plugins.fiscal.viewsets_archive import PACKAGE

#: The first year of the NF-e.
FIRST_YEAR = 2006


def previous_month(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return first.year, first.month


class PackageForm(forms.Form):
    emitter = forms.ModelChoiceField(
        label=_("Emitter"),
        queryset=None,
        required=False,
        empty_label=_("All the emitters you see"),
    )
    month = forms.TypedChoiceField(
        label=_("Month"), choices=list(MONTHS.items()), coerce=int
    )
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emitter"].queryset = visible_emitters(user)
        this_year = timezone.localdate().year
        self.fields["year"].validators.append(MaxValueValidator(this_year))
        self.fields["year"].widget.attrs["max"] = this_year


class PackageView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "fiscal/package.html"
    page_title = _("Accountant's monthly package")
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        if not user_can_download_packages(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form(self) -> PackageForm:
        user = self.request.user
        if "month" in self.request.GET:
            return PackageForm(self.request.GET, user=user)
        year, month = previous_month()
        return PackageForm({"month": month, "year": year}, user=user)

    def selection(self, form: PackageForm):
        """The emitters of the package, and whether rows of no emitter go in."""
        user = self.request.user
        emitter = form.cleaned_data["emitter"]
        if emitter is not None:
            return [emitter], False
        return list(visible_emitters(user)), sees_every_emitter(user)

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        context = self.get_context_data(form=form, **kwargs)
        if form.is_valid():
            emitters, with_unassigned = self.selection(form)
            year, month = form.cleaned_data["year"], form.cleaned_data["month"]
            rows = month_rows(
                emitters, year=year, month=month, with_unassigned=with_unassigned
            )
            if request.GET.get("download"):
                return self.download(rows, emitters, form)
            counts = dict(
                rows.order_by().values_list("kind").annotate(total=Count("pk"))
            )
            context.update(
                counts=[
                    (label, counts.get(kind, 0))
                    for kind, label in ArchivedXmlKind.choices
                ],
                total=sum(counts.values()),
                download_url=reverse(PACKAGE)
                + "?"
                + urlencode(
                    {
                        "emitter": form.cleaned_data["emitter"].pk
                        if form.cleaned_data["emitter"]
                        else "",
                        "month": month,
                        "year": year,
                        "download": 1,
                    }
                ),
                period=f"{MONTHS[month]} {year}",
            )
        return self.render_to_response(context)

    def download(self, rows, emitters, form):
        year, month = form.cleaned_data["year"], form.cleaned_data["month"]
        for emitter in emitters:
            log_change(
                emitter,
                "fiscal.package.download",
                user=self.request.user,
                year=year,
                month=month,
            )
        response = StreamingHttpResponse(
            stream_package(rows, language=translation.get_language()),
            content_type="application/zip",
        )
        filename = package_filename(year, month, form.cleaned_data["emitter"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
