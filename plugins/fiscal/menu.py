"""The "Fiscal" group of the shared back-office menu. The plugin's screens
join it with ``menu_hook = FISCAL_MENU`` (viewsets) or by registering a
function returning a ``MenuItem`` under :data:`FISCAL_MENU`; the group hides
itself when none of its items is shown to the user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import WagtailMenuRegisterableGroup

from plugins.hooks import BACKOFFICE_MENU

FISCAL_MENU = "register_fiscal_menu_item"


class FiscalMenu(WagtailMenuRegisterableGroup):
    menu_label = _("Fiscal")
    menu_name = "fiscal"
    menu_icon = "clipboard-list"
    menu_order = 350
    menu_hook = BACKOFFICE_MENU
    submenu_hook = FISCAL_MENU
