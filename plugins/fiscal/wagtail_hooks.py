"""Everything the fiscal plugin contributes to Wagtail and to the other
plugins."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from plugins.fiscal.models import SupplierInvoice
from plugins.fiscal.services.intake import intake_policy

# Supplier NF-e belong to their recipient emitter (before the viewsets).
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
)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


from plugins.fiscal import menu, viewsets_intake  # noqa: E402
from plugins.hooks import BACKOFFICE_MENU  # noqa: E402
from plugins.importing.base import REGISTER_IMPORTER  # noqa: E402

hooks.register(BACKOFFICE_MENU, menu.FiscalMenu().get_menu_item)
hooks.register("register_admin_viewset", viewsets_intake.SupplierInvoiceViewSet)


@hooks.register(REGISTER_IMPORTER)
def fiscal_supplier_nfe_importer():
    from plugins.fiscal.importers import SupplierNFeImporter

    return SupplierNFeImporter
