"""Fiscal › Emitters (estabelecimentos): the listing, the emitter's page,
creating and editing an emitter with its A1 certificate, and its history.

Emitters are scope objects (their policy is registered in
:mod:`plugins.fiscal.wagtail_hooks` before this viewset): a fiscal clerk
sees the emitters granted to them; the superuser and the manager set them
up. Emitters are deactivated, never deleted (their documents point at them
for five years).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from plugins.fiscal import views_emitters as views
from plugins.fiscal.forms_emitters import EmitterForm
from plugins.fiscal.menu import FISCAL_MENU
from plugins.fiscal.models import Emitter
from plugins.viewsets import ScopedModelViewSet


class EmitterViewSet(ScopedModelViewSet):
    model = Emitter
    name = views.EMITTERS
    url_prefix = "fiscal/emitters"
    icon = "site"
    menu_label = _("Emitters")
    menu_name = "fiscal-emitters"
    menu_order = 90
    menu_hook = FISCAL_MENU
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = views.EmitterIndexView
    inspect_view_class = views.EmitterInspectView
    list_filter = ["uf", "environment", "contingency", "active"]
    search_fields = ["legal_name", "trade_name", "cnpj"]
    list_export = [
        "legal_name",
        "trade_name",
        "cnpj",
        "ie",
        "tax_regime",
        "city",
        "uf",
        "environment",
        "series",
        "certificate_subject",
        "certificate_not_after",
        "contingency",
        "active",
    ]

    def get_form_class(self, for_update=False):
        return EmitterForm

    def get_urlpatterns(self):
        return [
            p for p in super().get_urlpatterns() if p.name not in ("delete", "usage")
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None, usage_url_name=None, **kwargs
        )
