"""Everything the fiscal plugin contributes to Wagtail and to the other
plugins."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from api.hooks import PAYLOAD_SCHEMA
from plugins.fiscal.models import (
    ArchivedXml,
    Emitter,
    FiscalDocument,
    NumberGap,
    SupplierInvoice,
)
from plugins.fiscal.permissions import (
    archive_policy,
    document_policy,
    emitter_policy,
    number_gap_policy,
    user_can_download_packages,
)
from plugins.fiscal.services.intake import intake_policy

# Emitters are scope objects: a fiscal clerk sees and works the documents of
# the emitters granted to them (before the viewsets below).
register_permission_policy(Emitter, emitter_policy())
register_permission_policy(FiscalDocument, document_policy())
register_permission_policy(NumberGap, number_gap_policy())
register_permission_policy(ArchivedXml, archive_policy())
# Supplier NF-e belong to their recipient emitter.
register_permission_policy(SupplierInvoice, intake_policy())

LOG_ACTIONS = (
    (
        "fiscal.supplier_nfe.receive",
        _("Receive supplier NF-e"),
        _("Supplier NF-e received"),
    ),
    (
        "fiscal.supplier_nfe.confirm",
        _("Confirm receipt"),
        _("Receipt of the supplier NF-e confirmed"),
    ),
    (
        "fiscal.supplier_nfe.discard",
        _("Discard supplier NF-e"),
        _("Supplier NF-e discarded"),
    ),
    ("fiscal.danfe.download", _("Open the DANFE"), _("DANFE opened")),
    ("fiscal.xml.download", _("Download the XML"), _("NF-e XML downloaded")),
    (
        "fiscal.archive.download",
        _("Download an archived XML"),
        _("Archived XML downloaded"),
    ),
    (
        "fiscal.package.download",
        _("Download the monthly package"),
        _("Accountant's monthly package downloaded"),
    ),
    (
        "fiscal.contingency.on",
        _("Switch the contingency on"),
        _("Contingency (SVC) switched on"),
    ),
    (
        "fiscal.contingency.off",
        _("Switch the contingency off"),
        _("Contingency (SVC) switched off"),
    ),
    (
        "fiscal.authorise",
        _("NF-e authorised"),
        _("NF-e authorised by the authoriser"),
    ),
    (
        "fiscal.deny",
        _("NF-e denied"),
        _("NF-e denied by the authoriser"),
    ),
    (
        "fiscal.reject",
        _("NF-e rejected"),
        _("NF-e rejected by the authoriser"),
    ),
    (
        "fiscal.rebuild",
        _("NF-e built again"),
        _("NF-e built again for another authoriser (contingency)"),
    ),
    (
        "fiscal.bulk_issue",
        _("Issue NF-e in bulk"),
        _("NF-e of the selected orders issued in bulk"),
    ),
    (
        "fiscal.event",
        _("Send an NF-e event"),
        _("NF-e event sent to the authoriser"),
    ),
    (
        "fiscal.inutilize",
        _("Inutilize numbers"),
        _("NF-e numbers sent for inutilization"),
    ),
    (
        "fiscal.return.issue",
        _("Issue a return NF-e"),
        _("Return NF-e issued for the goods that came back"),
    ),
    (
        "fiscal.return.receive",
        _("Record the customer's return NF-e"),
        _("The customer's return NF-e recorded"),
    ),
)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


from plugins.fiscal import (  # noqa: E402
    bulk_actions,
    dashboard,
    demo,
    panels,
    tax_defaults,
    views_bulk,
    views_downloads,
    views_emitters,
    views_events,
    views_issuing,
    views_package,
    views_returns,
    views_rules,
    viewsets_archive,
    viewsets_intake,
    viewsets_rules,
)
from plugins.fiscal import hooks as fiscal_hooks  # noqa: E402
from plugins.fiscal.menu import FISCAL_MENU, FiscalMenu  # noqa: E402
from plugins.fiscal.services import authorisers  # noqa: E402
from plugins.fiscal.viewsets_documents import (  # noqa: E402
    DocumentViewSet,
    NumberGapViewSet,
)
from plugins.fiscal.viewsets_emitters import EmitterViewSet  # noqa: E402
from plugins.hooks import (  # noqa: E402
    API_ROUTES,
    BACKOFFICE_MENU,
    DASHBOARD_PANELS,
    DEMO_DATA,
)
from plugins.importing.base import REGISTER_IMPORTER  # noqa: E402
from plugins.orders import hooks as order_hooks  # noqa: E402

hooks.register(BACKOFFICE_MENU, FiscalMenu().get_menu_item)
for _viewset in (
    DocumentViewSet,
    NumberGapViewSet,
    EmitterViewSet,
    viewsets_rules.TaxRuleViewSet,
    viewsets_rules.UFRateViewSet,
    viewsets_archive.ArchiveViewSet,
    viewsets_intake.SupplierInvoiceViewSet,
):
    hooks.register("register_admin_viewset", _viewset)
hooks.register(FISCAL_MENU, views_rules.simulator_menu_item)
# the demo invoices with the default tax tables (written by the migrations;
# again here after a database was flushed)
hooks.register(DEMO_DATA, tax_defaults.seed_demo_tax_tables)
# the store's emitter and the NF-e of orders of its own, after the orders'
# and the finance's demo data (order 1): the sales channels, the paid orders
hooks.register(DEMO_DATA, demo.seed_demo_fiscal, order=2)

hooks.register(DASHBOARD_PANELS, dashboard.FiscalPanel.add_to_homepage)
hooks.register(order_hooks.ORDER_DETAIL_PANELS, panels.order_fiscal_panel)
hooks.register(fiscal_hooks.ORDER_ACTIONS, views_issuing.issue_buttons)
hooks.register(fiscal_hooks.ORDER_ACTIONS, views_returns.order_return_buttons)
# the order listing's "Emitir NF-e" for the selected paid orders
hooks.register("register_bulk_action", bulk_actions.IssueNFeBulkAction)
hooks.register(fiscal_hooks.DOCUMENT_ACTIONS, views_events.event_buttons)
hooks.register(fiscal_hooks.DOCUMENT_ACTIONS, views_returns.return_buttons)
hooks.register(fiscal_hooks.DOCUMENT_ACTIONS, views_downloads.document_buttons)
hooks.register(
    fiscal_hooks.CONTINGENCY_SWITCHED, authorisers.resend_after_contingency_switch
)


@hooks.register("register_admin_urls")
def register_fiscal_urls():
    return [
        path(
            "fiscal/emitters/<int:pk>/contingency/",
            views_emitters.ContingencyView.as_view(),
            name=views_emitters.CONTINGENCY,
        ),
        path(
            "fiscal/orders/<int:pk>/issue/<int:emitter_pk>/",
            views_issuing.IssueOrderView.as_view(),
            name=views_issuing.ISSUE_URL,
        ),
        path(
            "fiscal/bulk-issue/<uuid:pk>/",
            views_bulk.BulkIssueView.as_view(),
            name=views_bulk.BULK_ISSUE,
        ),
        path(
            "fiscal/bulk-issue/<uuid:pk>/status/",
            views_bulk.BulkIssueStatusView.as_view(),
            name=views_bulk.BULK_ISSUE_STATUS,
        ),
        path(
            "fiscal/documents/<int:pk>/danfe/",
            views_downloads.DocumentDanfeView.as_view(),
            name=views_downloads.DANFE,
        ),
        path(
            "fiscal/documents/<int:pk>/xml/",
            views_downloads.DocumentXmlView.as_view(),
            name=views_downloads.DOCUMENT_XML,
        ),
        path(
            "fiscal/archive/<int:pk>/xml/",
            views_downloads.ArchivedXmlView.as_view(),
            name=views_downloads.ARCHIVE_XML,
        ),
        path(
            "fiscal/archive/package/",
            views_package.PackageView.as_view(),
            name=viewsets_archive.PACKAGE,
        ),
        path(
            "fiscal/nfe/<int:pk>/cancel/",
            views_events.CancelView.as_view(),
            name=views_events.CANCEL_URL,
        ),
        path(
            "fiscal/nfe/<int:pk>/correct/",
            views_events.CorrectView.as_view(),
            name=views_events.CORRECT_URL,
        ),
        path(
            "fiscal/nfe/<int:pk>/return/",
            views_returns.ReturnView.as_view(),
            name=views_returns.RETURN_URL,
        ),
        path(
            "fiscal/nfe/<int:pk>/customer-return/",
            views_returns.CustomerReturnView.as_view(),
            name=views_returns.CUSTOMER_RETURN_URL,
        ),
        path(
            "fiscal/tax-simulator/",
            views_rules.SimulatorView.as_view(),
            name=views_rules.SIMULATOR,
        ),
    ]


class PackageMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_download_packages(request.user)


hooks.register(
    FISCAL_MENU,
    lambda: PackageMenuItem(
        _("Monthly package"),
        reverse(viewsets_archive.PACKAGE),
        name="fiscal-package",
        icon_name="download",
        order=81,
    ),
)


@hooks.register(API_ROUTES)
def fiscal_api_routes():
    from plugins.fiscal.api.routes import api_routes

    return api_routes()


def _add_nfe(*, order, payload, audience):
    from plugins.fiscal.api.customer import add_nfe

    add_nfe(order=order, payload=payload, audience=audience)


def _payload_schema():
    from plugins.fiscal.api.customer import payload_schema

    return payload_schema()


# The customer's status page carries the order's NF-e.
hooks.register(order_hooks.ORDER_PAYLOAD, _add_nfe)
hooks.register(PAYLOAD_SCHEMA, _payload_schema)


@hooks.register(REGISTER_IMPORTER)
def fiscal_supplier_nfe_importer():
    from plugins.fiscal.importers import SupplierNFeImporter

    return SupplierNFeImporter


from plugins.hooks import KPI_SOURCES  # noqa: E402


@hooks.register(KPI_SOURCES)
def fiscal_kpi_sources():
    from plugins.fiscal.analytics import sources

    return sources()
