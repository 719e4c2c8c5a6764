from django.utils.translation import gettext_lazy as _

from plugins.base import PluginConfig
from plugins.roles import ACCESS_ADMIN, RoleTemplate

_READ = (
    # the orders they take payments for (read only; the order desk moves them)
    "orders.view_order",
    "finance.view_provideraccount",
    "finance.view_payment",
    "finance.view_providerevent",
    "finance.view_receivable",
    "finance.view_supplier",
    "finance.view_billcategory",
    "finance.view_bill",
    "finance.view_billinstallment",
    "finance.view_marketplacepayoutterms",
)
#: Payables: the finance desk records bills and their payments.
#: What a finance clerk is granted per bank account (Configurações ›
#: Permissões por objeto): to see its statements and to import and reconcile
#: them.
BANK_ACCOUNT_PERMISSIONS = (
    "finance.view_bankaccount",
    "finance.reconcile_bankaccount",
)
_PAYABLES = (
    "finance.add_supplier",
    "finance.change_supplier",
    "finance.add_bill",
    "finance.change_bill",
    "finance.pay_bill",
)


class FinanceConfig(PluginConfig):
    name = "plugins.finance"
    label = "finance"
    verbose_name = _("Finance")
    default_auto_field = "django.db.models.BigAutoField"
    version = "0.1.0"
    requires = ("orders",)
    scoped_models = ("finance.BankAccount",)
    description = (
        "Payments (Pix, boleto, card installments) through Mercado Pago, PagBank "
        "and manual methods, signed provider notifications, receivables, and "
        "payables: suppliers, the chart of accounts, bills and their approval."
    )
    roles = (
        RoleTemplate(
            "finance",
            "Financeiro",
            permissions=(
                ACCESS_ADMIN,
                *_READ,
                "finance.register_manual_payment",
                "finance.change_receivable",
                *_PAYABLES,
            ),
            description=_(
                "Follows payments and receivables, registers manual payments, "
                "records bills to pay and their payments, imports and reconciles "
                "the statements of the bank accounts granted to them."
            ),
            object_permissions=BANK_ACCOUNT_PERMISSIONS,
        ),
        RoleTemplate(
            "finance_manager",
            "Gerente financeiro",
            permissions=(
                ACCESS_ADMIN,
                *_READ,
                "finance.add_provideraccount",
                "finance.change_provideraccount",
                "finance.add_marketplacepayoutterms",
                "finance.change_marketplacepayoutterms",
                "finance.delete_marketplacepayoutterms",
                "finance.manage_credentials",
                "finance.register_manual_payment",
                "finance.refund_payment",
                "finance.reprocess_providerevent",
                "finance.change_receivable",
                *_PAYABLES,
                "finance.approve_bill",
                "finance.add_billcategory",
                "finance.change_billcategory",
                "finance.view_bankaccount",
                "finance.add_bankaccount",
                "finance.change_bankaccount",
                "finance.reconcile_bankaccount",
                "finance.view_statementline",
                "finance.view_match",
            ),
            description=_(
                "Everything in finance: provider accounts and their credentials, "
                "refunds, the chart of accounts, approval of bills above the limit, "
                "bank accounts and the reconciliation of every account."
            ),
        ),
    )
