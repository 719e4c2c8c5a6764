"""Dashboard panels: the figures each role sees on the admin home page.

A panel is a Wagtail component (``wagtail.admin.ui.components.Component``)
added to the home page through Wagtail's ``construct_homepage_panels`` hook
(:data:`plugins.hooks.DASHBOARD_PANELS`). :class:`DashboardPanel` gives every
panel the same frame — a collapsible Wagtail panel with a heading, a row of
figure cards and the dashboard's stylesheet — and the same contract:

``name``
    A unique slug; the panel's HTML id is ``<name>-section``.
``order``
    Position on the page (lower first). Wagtail's own panels use 210–300;
    the built-in plugins use 100–200.
``heading``
    The panel's title (lazy translation); ``icon`` an admin icon name.
``user_can_see(user)``
    The permission check (a class method): the panel is added only for users
    it returns ``True`` for.
``get_context_data(parent_context)``
    Returns the template context: call ``super()`` and add to it. A panel
    whose figures are cards returns them as ``figures`` (a list of
    :class:`Figure`); anything else goes in the ``body`` block of a template
    extending ``plugins/dashboard/panel.html`` (which can show more cards with
    ``{% include "plugins/dashboard/figures.html" with figures=… %}``).

Figures are computed in a number of queries that does not grow with the data
(aggregates with ``Count(filter=Q(...))``, ``TruncDate`` group-bys), and each
figure links to the listing that shows what it counts. Register a panel in the
plugin's ``wagtail_hooks.py``::

    from plugins.dashboard import DashboardPanel, Figure
    from plugins.hooks import DASHBOARD_PANELS

    class ShipmentsPanel(DashboardPanel):
        name = "shipments"
        order = 170
        heading = _("Shipments")

        @classmethod
        def user_can_see(cls, user):
            return user.has_perm("logistics.view_shipment")

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["figures"] = [Figure(_("To collect"), 3, url=...)]
            return context

    hooks.register(DASHBOARD_PANELS, ShipmentsPanel.add_to_homepage)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wagtail.admin.ui.components import Component


@dataclass(frozen=True)
class Detail:
    """A secondary number under a figure (the orders and average ticket of a
    period's sales)."""

    label: str
    value: Any
    key: str = ""


@dataclass(frozen=True)
class Figure:
    """One number on a panel: its label, its value as shown (a count, or money
    already formatted), the listing it links to, an optional hint and
    details. ``alert`` highlights a figure that needs attention (late
    orders); ``key`` names it in the HTML (``data-figure``) for tests and
    styles."""

    label: str
    value: Any
    url: str = ""
    hint: str = ""
    alert: bool = False
    key: str = ""
    details: tuple[Detail, ...] = ()


class DashboardPanel(Component):
    """Base class of the dashboard panels (see the module docstring)."""

    name: str = ""
    order: int = 500
    heading: str = ""
    icon: str = ""
    template_name = "plugins/dashboard/panel.html"

    class Media:
        css = {"all": ["plugins/dashboard/dashboard.css"]}

    def __init__(self, request):
        self.request = request
        self.user = request.user

    @classmethod
    def user_can_see(cls, user) -> bool:
        """Whether ``user`` gets this panel. Override: the default hides it."""
        return False

    @classmethod
    def add_to_homepage(cls, request, panels: list) -> None:
        """The ``construct_homepage_panels`` hook implementation."""
        if cls.user_can_see(request.user):
            panels.append(cls(request))

    def get_context_data(self, parent_context=None) -> dict[str, Any]:
        return {
            "panel": self,
            "heading": self.heading,
            "figures": [],
            "request": self.request,
        }
