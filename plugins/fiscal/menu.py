"""The "Fiscal" group of the shared back-office menu: fiscal screens put
``menu_hook = FISCAL_MENU`` on their viewsets (or register a function
returning a ``MenuItem`` with it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import WagtailMenuRegisterableGroup

from plugins.hooks import BACKOFFICE_MENU

FISCAL_MENU = "register_fiscal_menu_item"


class FiscalMenu(WagtailMenuRegisterableGroup):
    menu_label = _("Fiscal")
    menu_name = "fiscal"
    menu_icon = "doc-full"
    menu_order = 350
    menu_hook = BACKOFFICE_MENU
    submenu_hook = FISCAL_MENU
