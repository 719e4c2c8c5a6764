"""The "Fiscal" group of the shared back-office menu. Fiscal screens set
``menu_hook = FISCAL_MENU`` (or register a function returning a menu item
into it); the group hides itself when none of its items is shown."""

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
