"""Named extension points between apps.

The app that owns a concept declares its hooks once, in its ``hooks.py``, as
:class:`Hook` constants: the name, when it runs, the keyword arguments it is
called with and whether it runs inside the caller's transaction. The owning
service calls them explicitly where they apply, so a reader of the service sees
every place where other code can act::

    # plugins/orders/hooks.py
    ORDER_PLACED = Hook(
        "order_placed",
        kwargs=("order",),
        in_transaction=True,
        doc="After an order and its lines are written, inside place_order's "
            "transaction. Raise a plugins.exceptions.Refused subclass to refuse.",
    )

    # plugins/orders/services/placing.py
    for fn in hooks.get_hooks(ORDER_PLACED):
        fn(order=order)

    # plugins/stock/wagtail_hooks.py
    @hooks.register(ORDER_PLACED)
    def reserve_order_stock(*, order): ...

``Hook`` is a ``str``, so Wagtail's own ``hooks.register`` / ``hooks.get_hooks``
take it as they are. :func:`call` and :func:`collect` add a check of the keyword
arguments against the declaration.

Payload extension is one use of this: the owner of a payload declares a hook
called with the payload dicts, and plugins add keys to them (see
:data:`API_ROUTES` for the routes counterpart).

Django signals are kept for reacting to Django's, Wagtail's or a library's own
events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from wagtail import hooks


class Hook(str):
    """A hook name with its declaration."""

    kwargs: tuple[str, ...]
    in_transaction: bool
    doc: str

    def __new__(
        cls,
        name: str,
        *,
        kwargs: Iterable[str] = (),
        in_transaction: bool = False,
        doc: str = "",
    ) -> Hook:
        obj = super().__new__(cls, name)
        obj.kwargs = tuple(kwargs)
        obj.in_transaction = in_transaction
        obj.doc = doc
        return obj

    def check_kwargs(self, given: Iterable[str]) -> None:
        given = set(given)
        if given != set(self.kwargs):
            raise TypeError(
                f"Hook '{self}' takes keyword arguments {sorted(self.kwargs)}, "
                f"called with {sorted(given)}."
            )


def implementations(hook: Hook) -> list[Callable[..., Any]]:
    return list(hooks.get_hooks(hook))


def call(hook: Hook, **kwargs: Any) -> None:
    """Call every implementation of ``hook`` in registration order."""
    hook.check_kwargs(kwargs)
    for fn in hooks.get_hooks(hook):
        fn(**kwargs)


def collect(hook: Hook, **kwargs: Any) -> list[Any]:
    """Call every implementation and return their non-``None`` results."""
    hook.check_kwargs(kwargs)
    results = (fn(**kwargs) for fn in hooks.get_hooks(hook))
    return [result for result in results if result is not None]


# -- Hooks offered by the core --------------------------------------------------

BACKOFFICE_MENU = Hook(
    "register_backoffice_menu_item",
    doc=(
        "Menu items of the shared back-office group ('Retaguarda') in the admin "
        "sidebar. Set `menu_hook = BACKOFFICE_MENU` on a viewset (or register a "
        "function returning a wagtail.admin.menu.MenuItem). The group hides "
        "itself when none of its items is shown to the user."
    ),
)

API_ROUTES = Hook(
    "register_api_routes",
    doc=(
        "A function taking no arguments and returning a list of URL patterns. "
        "api/urls.py mounts them at /api/v1/<label>/, <label> being the label of "
        "the app that defines the function. They appear in the OpenAPI schema."
    ),
)

DASHBOARD_PANELS = Hook(
    "construct_homepage_panels",
    kwargs=("request", "panels"),
    doc=(
        "Wagtail's own hook for the admin home page's panels, named here for "
        "plugins. A plugin's panel subclasses plugins.dashboard.DashboardPanel "
        "(name, order, heading, a user_can_see(user) permission check, "
        "get_context_data returning `figures` and/or extending the shared "
        "panel template) and registers its `add_to_homepage` class method: "
        "`hooks.register(DASHBOARD_PANELS, MyPanel.add_to_homepage)`."
    ),
)

DEMO_DATA = Hook(
    "register_demo_data",
    kwargs=("stdout",),
    doc=(
        "Called by `manage.py seed_demo` (demo mode only) after the demo users "
        "exist. Apps create their demo data here, idempotently, and may write "
        "a summary line to `stdout`."
    ),
)

KPI_SOURCES = Hook(
    "register_kpi_sources",
    doc=(
        "A function taking no arguments and returning a list of "
        "plugins.kpis.Source objects: the plugin's figures (KPIs) for the "
        "reports, goals and the KPI API of the analytics plugin, with the "
        "facts its daily rollups keep."
    ),
)
