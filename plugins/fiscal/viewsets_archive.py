"""The fiscal archive screen ("Arquivo fiscal"): every archived XML of the
emitters the user sees, searchable by access key, number, date range,
customer or supplier document, kind, emitter and the status of the linked
NF-e, each with its XML download and its page (which checks the content
against its hash). Read only: the archive has no add, edit or delete view —
nothing removes a row, ever.

The accountant's monthly package is a header button here (for those who may
download it).
"""

from __future__ import annotations

import django_filters
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from content.validators import format_document, normalise_document
from plugins.display import EMPTY
from plugins.fiscal.menu import FISCAL_MENU
from plugins.fiscal.models import ArchivedXml, DocumentStatus
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.permissions import user_can_download_packages, visible_emitters
from plugins.fiscal.views_downloads import ARCHIVE, ARCHIVE_XML
from plugins.tables import AbsoluteDateColumn, LinkColumn
from plugins.viewsets import ScopedIndexView, ScopedInspectView

PACKAGE = "fiscal_package"


def _emitters(request):
    from plugins.fiscal.models import Emitter

    if request is None:
        return Emitter.objects.none()
    return visible_emitters(request.user)


class ArchiveFilterSet(WagtailFilterSet):
    access_key = django_filters.CharFilter(
        label=gettext_lazy("Access key"), method="filter_access_key"
    )
    number = django_filters.NumberFilter(label=gettext_lazy("Number"))
    issued_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Issued"), widget=DateRangePickerWidget
    )
    party_document = django_filters.CharFilter(
        label=gettext_lazy("Customer or supplier CPF/CNPJ"),
        method="filter_party_document",
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"), choices=ArchivedXmlKind.choices
    )
    emitter = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Emitter"), queryset=_emitters
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("NF-e status"),
        field_name="document__status",
        choices=DocumentStatus.choices,
    )

    class Meta:
        model = ArchivedXml
        fields = [
            "access_key",
            "number",
            "issued_at",
            "party_document",
            "kind",
            "emitter",
            "status",
        ]

    def filter_access_key(self, queryset, name, value):
        digits = "".join(c for c in value if c.isalnum()).upper()
        return queryset.filter(access_key__contains=digits) if digits else queryset

    def filter_party_document(self, queryset, name, value):
        number = normalise_document(value)
        return queryset.filter(party_document=number) if number else queryset


def field_labels() -> dict:
    """How the archive's screens name its fields (the listing's export and a
    row's page)."""
    return {
        "issued_at": gettext_lazy("Issued"),
        "kind": gettext_lazy("Kind"),
        "access_key": gettext_lazy("Access key"),
        "number": gettext_lazy("Number"),
        "party_document": gettext_lazy("Customer or supplier CPF/CNPJ"),
        "party_name": gettext_lazy("Customer or supplier"),
        "emitter": gettext_lazy("Emitter"),
        "document": gettext_lazy("NF-e"),
        "sha256": "SHA-256",
        "archived_at": gettext_lazy("Archived at"),
    }


def party(row: ArchivedXml) -> str:
    if not row.party_document and not row.party_name:
        return EMPTY
    document = format_document(row.party_document) if row.party_document else ""
    return " · ".join(part for part in (row.party_name, document) if part)


def document_status(row: ArchivedXml) -> str:
    return row.document.get_status_display() if row.document_id else EMPTY


class ArchiveIndexView(ScopedIndexView):
    page_title = gettext_lazy("Fiscal archive")
    default_ordering = "-issued_at"
    search_fields = ["access_key", "party_name", "party_document"]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("emitter", "document")
            .defer("content")
        )

    @cached_property
    def columns(self):
        return [
            AbsoluteDateColumn("issued_at", label=_("Issued"), sort_key="issued_at"),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            TitleColumn(
                "access_key",
                label=_("Access key"),
                get_url=lambda row: reverse(f"{ARCHIVE}:inspect", args=[row.pk]),
                accessor=lambda row: row.access_key or EMPTY,
            ),
            Column("number", label=_("Number"), sort_key="number"),
            Column("party", label=_("Customer or supplier"), accessor=party),
            Column("emitter", label=_("Emitter"), accessor="emitter"),
            Column("status", label=_("NF-e status"), accessor=document_status),
            LinkColumn(
                "download",
                label=_("XML"),
                accessor=lambda row: _("Download"),
                get_url=lambda row: reverse(ARCHIVE_XML, args=[row.pk]),
            ),
        ]

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if user_can_download_packages(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Monthly package"),
                    url=reverse(PACKAGE),
                    icon_name="download",
                )
            )
        return buttons


class ArchiveInspectView(ScopedInspectView):
    """A row's page: what it records, whether its content still matches its
    hash, and its download."""

    def get_fields(self):
        return [
            "kind",
            "access_key",
            "number",
            "issued_at",
            "party_document",
            "party_name",
            "emitter",
            "document",
            "sha256",
            "archived_at",
        ]

    def get_field_label(self, field_name, field):
        return field_labels()[field_name]

    def get_party_document_display_value(self):
        return format_document(self.object.party_document) or EMPTY

    def get_fields_context(self):
        intact = self.object.intact
        return [
            *super().get_fields_context(),
            {
                "label": _("Content check"),
                "value": _("Intact: the content matches its hash.")
                if intact
                else _("CHANGED: the content no longer matches its hash."),
                "component": None,
            },
        ]

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Download XML"),
                url=reverse(ARCHIVE_XML, args=[self.object.pk]),
                icon_name="download",
            )
        ]


class ArchiveViewSet(ModelViewSet):
    """Listing (filters, search, export) and a row's page, only."""

    model = ArchivedXml
    name = ARCHIVE
    url_prefix = "fiscal/archive"
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Fiscal archive")
    menu_name = "fiscal-archive"
    menu_order = 80
    menu_hook = FISCAL_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ArchiveIndexView
    inspect_view_class = ArchiveInspectView
    filterset_class = ArchiveFilterSet
    list_per_page = 50
    list_export = [
        "issued_at",
        "get_kind_display",
        "access_key",
        "number",
        "party_document",
        "party_name",
        "emitter",
        "sha256",
        "archived_at",
    ]

    @property
    def export_headings(self):
        labels = field_labels()
        return {**labels, "get_kind_display": labels["kind"]}

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            edit_url_name=None,
            delete_url_name=None,
            copy_url_name=None,
            usage_url_name=None,
            history_url_name=None,
            add_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<str:pk>/", self.inspect_view, name="inspect"),
        ]
