"""Where the reports' screens go in the admin's menu: Wagtail's own
*Relatórios* menu (its ``register_reports_menu_item`` hook), beside the
site history and the workflows' reports. The screens join it with
``menu_hook = REPORTS_MENU`` (viewsets) or by registering a function
returning a ``MenuItem`` under :data:`REPORTS_MENU`; each item shows itself
only to whoever may open it."""

from __future__ import annotations

#: Wagtail's hook for the items of its Reports menu.
REPORTS_MENU = "register_reports_menu_item"
