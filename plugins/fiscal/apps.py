from django.utils.translation import gettext_lazy as _

from plugins.base import PluginConfig
from plugins.roles import ACCESS_ADMIN, RoleTemplate

#: What a fiscal clerk is granted per emitter (Configurações › Permissões por
#: objeto): to see its documents and to issue, cancel, correct and
#: inutilizar them.
EMITTER_PERMISSIONS = (
    "fiscal.view_emitter",
    "fiscal.issue_emitter",
)
_READ = (
    "orders.view_order",
    "fiscal.view_fiscaldocument",
    "fiscal.view_fiscalevent",
    "fiscal.view_numbergap",
    "fiscal.view_archivedxml",
    "fiscal.view_taxrule",
    "fiscal.view_ufrate",
)
#: The fiscal desk keeps the tax rules and the states' rates: the store's tax
#: set-up is the invoicing desk's work (with the accountant's guidance), and
#: every change is on the audit log and the rule's history.
_TAX_SETUP = (
    "fiscal.add_taxrule",
    "fiscal.change_taxrule",
    "fiscal.delete_taxrule",
    "fiscal.change_ufrate",
)


class FiscalConfig(PluginConfig):
    name = "plugins.fiscal"
    label = "fiscal"
    verbose_name = _("Fiscal")
    default_auto_field = "django.db.models.BigAutoField"
    version = "0.1.0"
    requires = ("orders",)
    scoped_models = ("fiscal.Emitter",)
    description = (
        "NF-e 4.00 issued from orders: emitters and their A1 certificates, tax "
        "rules, the signed XML, SEFAZ authorisation (a local simulator for "
        "tests and the demo), DANFE, events, returns, supplier NF-e and the "
        "archive with the accountant's monthly package."
    )
    roles = (
        RoleTemplate(
            "fiscal",
            "Fiscal / Faturamento",
            permissions=(ACCESS_ADMIN, *_READ, *_TAX_SETUP),
            description=_(
                "Issues, cancels and corrects the NF-e of the emitters granted "
                "to them, and inutilizes their unused numbers; keeps the tax "
                "rules and the states' ICMS rates."
            ),
            object_permissions=EMITTER_PERMISSIONS,
        ),
        RoleTemplate(
            "accountant",
            "Contador",
            permissions=(
                ACCESS_ADMIN,
                *_READ,
                "fiscal.view_emitter",
                "fiscal.view_taxrule",
                "fiscal.view_supplierinvoice",
                "fiscal.download_archive",
            ),
            description=_(
                "Reads every fiscal document and downloads the XML and the "
                "monthly package of every emitter."
            ),
        ),
        # The manager sets emitters up and renews their A1 certificates
        # (every emitter's view permission comes with the role).
        RoleTemplate(
            "manager",
            "Gerente",
            permissions=("fiscal.add_emitter", "fiscal.change_emitter"),
        ),
    )
