"""The "Logística" group of the shared back-office menu. The plugin's screens
join it with ``menu_hook = LOGISTICS_MENU`` (viewsets) or by registering a
function returning a ``MenuItem`` under :data:`LOGISTICS_MENU`; the group
hides itself when none of its items is shown to the user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import WagtailMenuRegisterableGroup

from plugins.hooks import BACKOFFICE_MENU

LOGISTICS_MENU = "register_logistics_menu_item"


class LogisticsMenu(WagtailMenuRegisterableGroup):
    menu_label = _("Logistics")
    menu_name = "logistics"
    menu_icon = "mail"
    menu_order = 360
    menu_hook = BACKOFFICE_MENU
    submenu_hook = LOGISTICS_MENU
