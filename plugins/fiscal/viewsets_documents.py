"""Fiscal › NF-e and Fiscal › Inutilizações: listings (filters, search,
export), an NF-e's page and an inutilização's, read only, and the form
that inutilizes numbers. Documents change only through the
fiscal services (issuing, the authoriser's answer, events); their policies
(scoped by emitter) are registered in :mod:`plugins.fiscal.wagtail_hooks`
before these viewsets."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from plugins.fiscal import views_documents as views
from plugins.fiscal import views_inutilization
from plugins.fiscal.menu import FISCAL_MENU
from plugins.fiscal.models import FiscalDocument, NumberGap
from plugins.viewsets import ScopedInspectView

READ_ONLY = {
    "edit_url_name": None,
    "delete_url_name": None,
    "copy_url_name": None,
    "usage_url_name": None,
    "history_url_name": None,
    "add_url_name": None,
}


class ReadOnlyViewSet(ModelViewSet):
    menu_hook = FISCAL_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = ScopedInspectView
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**READ_ONLY, **kwargs)

    def get_urlpatterns(self):
        patterns = [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
        if self.inspect_view_enabled:
            patterns.append(
                path("inspect/<str:pk>/", self.inspect_view, name="inspect")
            )
        return patterns


class DocumentViewSet(ReadOnlyViewSet):
    model = FiscalDocument
    name = views.DOCUMENTS
    url_prefix = "fiscal/nfe"
    icon = "doc-full"
    menu_label = _("NF-e")
    menu_name = "fiscal-documents"
    menu_order = 10
    index_view_class = views.DocumentIndexView
    inspect_view_class = views.DocumentInspectView
    filterset_class = views.DocumentFilterSet
    search_fields = [
        "access_key",
        "number",
        "recipient_name",
        "recipient_document",
        "order__number",
    ]


class NumberGapViewSet(ReadOnlyViewSet):
    model = NumberGap
    name = views.NUMBER_GAPS
    url_prefix = "fiscal/inutilizacoes"
    icon = "list-ol"
    menu_label = _("Inutilized numbers")
    menu_name = "fiscal-number-gaps"
    menu_order = 30
    index_view_class = views.NumberGapIndexView
    inspect_view_class = views_inutilization.NumberGapInspectView
    filterset_class = views.NumberGapFilterSet
    search_fields = ["reason", "protocol"]
    list_export = [
        "emitter",
        "environment",
        "series",
        "first_number",
        "last_number",
        "reason",
        "protocol",
        "status_reason",
        "registered_at",
        "created_at",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "inutilizar/",
                views_inutilization.InutilizeView.as_view(),
                name="inutilize",
            ),
        ]
