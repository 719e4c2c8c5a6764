"""The "Relatórios" group of the shared back-office menu. The plugin's
screens join it with ``menu_hook = REPORTS_MENU`` (viewsets) or by
registering a function returning a ``MenuItem`` under :data:`REPORTS_MENU`;
the group hides itself when none of its items is shown to the user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import WagtailMenuRegisterableGroup

from plugins.hooks import BACKOFFICE_MENU

REPORTS_MENU = "register_reports_menu_item"


class ReportsMenu(WagtailMenuRegisterableGroup):
    menu_label = _("Reports")
    menu_name = "reports"
    menu_icon = "table"
    menu_order = 90
    menu_hook = BACKOFFICE_MENU
    submenu_hook = REPORTS_MENU
