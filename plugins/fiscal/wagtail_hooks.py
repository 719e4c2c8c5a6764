"""Everything the fiscal plugin contributes to Wagtail and to the other
plugins."""

from django.urls import path
from wagtail import hooks

from plugins.fiscal.menu import FISCAL_MENU, FiscalMenu
from plugins.hooks import BACKOFFICE_MENU, DEMO_DATA

hooks.register(BACKOFFICE_MENU, FiscalMenu().get_menu_item)


# -- tax rules: the rules and the states' rates, and the simulator --------------

from plugins.fiscal import tax_defaults, views_rules, viewsets_rules  # noqa: E402

for _viewset in (viewsets_rules.TaxRuleViewSet, viewsets_rules.UFRateViewSet):
    hooks.register("register_admin_viewset", _viewset)
hooks.register(FISCAL_MENU, views_rules.simulator_menu_item)
# the demo invoices with the default tax tables (written by the migrations;
# again here after a database was flushed)
hooks.register(DEMO_DATA, tax_defaults.seed_demo_tax_tables)


@hooks.register("register_admin_urls")
def register_tax_simulator_url():
    return [
        path(
            "fiscal/tax-simulator/",
            views_rules.SimulatorView.as_view(),
            name=views_rules.SIMULATOR,
        )
    ]
