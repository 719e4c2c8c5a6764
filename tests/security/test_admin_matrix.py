"""Role × admin URL → expected outcome, for every admin screen the project
registers: its own views and the Wagtail viewsets (snippets, model viewsets,
choosers) it configures.

A row is ``get(BASE, role=OUTCOME, ...)`` or ``post(...)``: a base dict that
names every column, with the roles that differ. Scoped roles take
``(inside, outside)`` on URLs of an object of their scope (``IN_OUT`` is
``(OK, NOT_FOUND)``). An admin URL of ours without a row, a role without a
column, or a row of a URL that is gone fails this module and names it.
"""

import pytest

from tests.security.matrix import (
    ANONYMOUS,
    DENIED,
    IN_OUT,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    SUPERUSER,
    by_url,
    cells,
    check,
    get,
    malformed,
    missing_columns,
    post,
    staff_columns,
    stale_rows,
    unlisted_routes,
)


def unseen(base: dict) -> dict:
    """An object screen that checks visibility before anything else (the
    customers'): to a role that may not see the object it does not exist,
    404 as outside a scope. Other scoped screens deny a role that has no use
    for them at all alike for every id."""
    return {col: NOT_FOUND if value == DENIED else value for col, value in base.items()}


#: superuser only
NOBODY = {ANONYMOUS: LOGIN, **dict.fromkeys(ROLES, DENIED), SUPERUSER: OK}
#: every role with access to the admin
STAFF = {ANONYMOUS: LOGIN, **dict.fromkeys(ROLES, OK), SUPERUSER: OK}
#: the read-only back office: managers and auditors
BACKOFFICE = {**NOBODY, "manager": OK, "auditor": OK}
#: the catalog: editors and moderators work it, managers and auditors read it
CATALOG_READ = {**BACKOFFICE, "content_editor": OK, "content_moderator": OK}
CATALOG_EDIT = {**NOBODY, "content_editor": OK, "content_moderator": OK}
CATALOG_MODERATE = {**NOBODY, "content_moderator": OK}
#: stock: managers, auditors and stock managers read; clerks in their warehouses
STOCK_READ = {**BACKOFFICE, "stock_manager": OK, "stock_clerk": OK}
STOCK_READ_OBJECT = {**STOCK_READ, "stock_clerk": IN_OUT}
STOCK_ACT = {**NOBODY, "stock_manager": OK, "stock_clerk": OK}
STOCK_ACT_OBJECT = {**STOCK_ACT, "stock_clerk": IN_OUT}
STOCK_SETUP = {**NOBODY, "stock_manager": OK}
#: orders: managers and auditors read; the order desk in its channels
ORDERS_READ = {**BACKOFFICE, "order_desk": OK}
ORDERS_READ_OBJECT = {**BACKOFFICE, "order_desk": IN_OUT}
#: the orders themselves: the finance desk reads them all too, the fiscal
#: desk and the accountant, who invoice them, and the shipping desk and the
#: logistics manager, who ship them
ORDER_READERS = (
    "finance",
    "finance_manager",
    "fiscal",
    "accountant",
    "shipping_desk",
    "logistics_manager",
)
ORDER_READ = {
    **ORDERS_READ,
    **dict.fromkeys(ORDER_READERS, OK),
}
ORDER_READ_OBJECT = {
    **ORDERS_READ_OBJECT,
    **dict.fromkeys(ORDER_READERS, OK),
}
ORDERS_ACT = {**NOBODY, "order_desk": OK}
ORDERS_ACT_OBJECT = {**NOBODY, "order_desk": IN_OUT}
#: customers' personal data: the privacy officer and managers
PRIVACY = {**NOBODY, "manager": OK, "privacy_officer": OK}
#: customers' records: the order desk reaches those with orders in its
#: channels; to everyone else without a customer permission they do not exist
CUSTOMER_OBJECT = unseen({**ORDERS_READ_OBJECT, "privacy_officer": OK})
#: a workflow task state that does not exist
NO_TASK = {ANONYMOUS: LOGIN, **dict.fromkeys(ROLES, NOT_FOUND), SUPERUSER: NOT_FOUND}
#: an object that is its creator's (the superuser's) alone
SOMEONE_ELSES = {**NO_TASK, SUPERUSER: OK}
#: chooser modals: every screen that picks a product (orders, stock) uses them
CHOOSER = STAFF
#: finance: the finance desk and its manager; managers and auditors read
FINANCE_READ = {**BACKOFFICE, "finance": OK, "finance_manager": OK}
FINANCE_SETUP = {**NOBODY, "finance_manager": OK}
FINANCE_SETUP_READ = {**FINANCE_SETUP, "manager": OK, "auditor": OK, "finance": OK}
#: payables: the finance desk records bills and payments; its manager approves
PAYABLES_ACT = {**NOBODY, "finance": OK, "finance_manager": OK}
#: bank accounts are the finance clerk's scope: the accounts granted to them
BANK_READ = {**BACKOFFICE, "finance": OK, "finance_manager": OK}
BANK_OBJECT = {**BANK_READ, "finance": IN_OUT}
#: importing statements: whoever may reconcile an account
BANK_IMPORT = {**NOBODY, "finance": OK, "finance_manager": OK}
#: reconciliation: the finance manager everywhere, the finance desk in the
#: bank accounts granted to it
RECONCILE = {**NOBODY, "finance": IN_OUT, "finance_manager": OK}
#: fiscal: the fiscal desk in the emitters granted to it; the accountant,
#: managers and auditors read every emitter's documents
FISCAL_READ = {**BACKOFFICE, "fiscal": OK, "accountant": OK}
FISCAL_READ_OBJECT = {**FISCAL_READ, "fiscal": IN_OUT}
#: emitters are set up by the manager (and the superuser); the fiscal desk
#: sees its own but edits none (denied alike for every emitter)
EMITTER_SETUP = {**NOBODY, "manager": OK}
#: switching an emitter's contingency: whoever issues for it
FISCAL_ISSUE = {**NOBODY, "fiscal": IN_OUT}
#: inutilizing numbers: whoever issues for an emitter (the form offers theirs)
FISCAL_INUTILIZE = {**NOBODY, "fiscal": OK}
#: a bulk NF-e issue's page: its creator's (the world's is the superuser's);
#: to another clerk who issues it does not exist, the others are denied
BULK_ISSUE_JOB = {**NOBODY, "fiscal": NOT_FOUND}
#: the order listing's bulk "Emitir NF-e": whoever sees the orders and issues
#: for an emitter (the confirmation, with the emitters to choose from)
BULK_ISSUE_ACTION = {**NOBODY, "fiscal": OK}
#: logistics: the shipping desk in the carriers granted to it and the
#: logistics manager in every carrier work the queue and label orders
SHIPPING_DESK = {**NOBODY, "shipping_desk": OK, "logistics_manager": OK}
SHIPPING_DESK_OBJECT = {**SHIPPING_DESK, "shipping_desk": IN_OUT}
#: shipments and manifests: read by whoever reads shipments (in their
#: carriers), worked by whoever ships with their carrier
SHIPMENTS_READ = {**SHIPPING_DESK, "manager": OK, "auditor": OK}
SHIPMENTS_READ_OBJECT = {**SHIPMENTS_READ, "shipping_desk": IN_OUT}
SHIPMENTS_ACT_OBJECT = SHIPPING_DESK_OBJECT
#: a label batch is its creator's (here the superuser's)
LABEL_BATCH = {**NOBODY, "shipping_desk": NOT_FOUND, "logistics_manager": NOT_FOUND}
#: tax rules and the states' rates: the fiscal desk keeps them; the
#: accountant, managers and auditors read them
TAX_RULES_READ = {**BACKOFFICE, "fiscal": OK, "accountant": OK}
TAX_RULES_EDIT = {**NOBODY, "fiscal": OK}
#: the tax simulator with an emitter: the fiscal clerk's own emitters only
TAX_SIMULATOR_EMITTER = {**TAX_RULES_READ, "fiscal": IN_OUT}
#: the accountant's monthly packages
FISCAL_PACKAGE = {**NOBODY, "accountant": OK}
#: supplier NF-e: the fiscal clerk receives them for the emitters granted to
#: them; the accountant, managers and auditors read them all
SUPPLIER_NFE_READ = {**BACKOFFICE, "fiscal": OK, "accountant": OK}
SUPPLIER_NFE_OBJECT = {**SUPPLIER_NFE_READ, "fiscal": IN_OUT}
SUPPLIER_NFE_RECEIVE = {**NOBODY, "fiscal": OK}
SUPPLIER_NFE_ACT = {**NOBODY, "fiscal": IN_OUT}
#: the test plugin's shelves: the keeper on the shelves granted to them
SHELVES_READ = {**BACKOFFICE, "shelf_keeper": OK}
SHELF_OBJECT = {**BACKOFFICE, "shelf_keeper": IN_OUT}

#: logistics set-up: the logistics manager keeps carriers, services,
#: freight tables, origins and free-shipping rules; the manager too
#: and the auditor reads them
LOGISTICS_SETUP = {**NOBODY, "manager": OK, "logistics_manager": OK}
LOGISTICS_SETUP_READ = {**LOGISTICS_SETUP, "auditor": OK}
#: carriers are the shipping desk's scope: it sees its own, read-only
#: (editing is denied alike for every carrier)
CARRIER_READ = {**LOGISTICS_SETUP_READ, "shipping_desk": OK}
CARRIER_READ_OBJECT = {**LOGISTICS_SETUP_READ, "shipping_desk": IN_OUT}
#: origins: the shipping desk reads them (the labels' sender)
ORIGIN_READ = {**LOGISTICS_SETUP_READ, "shipping_desk": OK}
#: shipments and returns: the shipping desk within its carriers, the
#: logistics manager all of them; managers and auditors read
SHIPPING_READ = {**BACKOFFICE, "logistics_manager": OK, "shipping_desk": OK}
SHIPPING_READ_OBJECT = {**SHIPPING_READ, "shipping_desk": IN_OUT}
SHIPPING_ACT_OBJECT = {**NOBODY, "logistics_manager": OK, "shipping_desk": IN_OUT}

#: the reports: every back-office role, each figure within its own scopes
#: (the content roles, the privacy officer and the shelf keeper have none)
REPORTS_READ = {
    **STAFF,
    "content_editor": DENIED,
    "content_moderator": DENIED,
    "privacy_officer": DENIED,
    "shelf_keeper": DENIED,
}

CATALOG_MODELS = {
    # model: (pk placeholder, has an inspect view, has a copy view)
    "product": ("p", True, False),
    "category": ("category", False, True),
    "brand": ("brand", False, True),
    "collection": ("collection", False, True),
}


def _snippet_rows(model, pk, inspect, copy):
    base = f"/admin/snippets/content/{model}"
    obj = "{" + pk + "}"
    rev = "{rev_" + model + "}"
    rows = {
        f"{base}/": get(CATALOG_READ),
        f"{base}/results/": get(CATALOG_READ),
        f"{base}/add/": get(CATALOG_EDIT),
        f"{base}/edit/{obj}/": get(CATALOG_EDIT),
        f"{base}/delete/{obj}/": get(CATALOG_MODERATE),
        # Wagtail shows history and usage to those who may change the object
        f"{base}/usage/{obj}/": get(CATALOG_EDIT),
        f"{base}/history/{obj}/": get(CATALOG_EDIT),
        f"{base}/history-results/{obj}/": get(CATALOG_EDIT),
        f"{base}/preview/": post(CATALOG_EDIT),
        f"{base}/preview/{obj}/": post(CATALOG_EDIT),
        f"{base}/history/{obj}/revisions/{rev}/view/": get(CATALOG_EDIT),
        f"{base}/history/{obj}/revisions/{rev}/revert/": get(CATALOG_EDIT),
        f"{base}/history/{obj}/revisions/compare/earliest...latest/": get(CATALOG_EDIT),
        f"{base}/history/{obj}/revisions/{rev}/unschedule/": get(CATALOG_MODERATE),
        f"{base}/unpublish/{obj}/": get(CATALOG_MODERATE),
        f"{base}/lock/{obj}/": post(CATALOG_EDIT),
        f"{base}/unlock/{obj}/": post(CATALOG_MODERATE),
        # no workflow is in progress: the task state does not exist
        f"{base}/workflow/action/{obj}/approve/0/": post(NO_TASK),
        f"{base}/workflow/collect_action_data/{obj}/approve/0/": post(NO_TASK),
        f"{base}/workflow/preview/{obj}/0/": get(NO_TASK),
        f"{base}/workflow/confirm_cancellation/{obj}/": get(CATALOG_EDIT),
        f"{base}/workflow_history/{obj}/": get(CATALOG_EDIT),
        f"{base}/workflow_history/{obj}/detail/0/": get(
            NOBODY,
            content_editor=NOT_FOUND,
            content_moderator=NOT_FOUND,
            superuser=NOT_FOUND,
        ),
        # the choosers of the catalog's own fields and blocks
        f"/admin/snippets/choose/content/{model}/": get(CHOOSER),
        f"/admin/snippets/choose/content/{model}/results/": get(CHOOSER),
        f"/admin/snippets/choose/content/{model}/chosen/{obj}/": get(CHOOSER),
        f"/admin/snippets/choose/content/{model}/chosen-multiple/?id={obj}": get(
            CHOOSER
        ),
        f"/admin/snippets/choose/content/{model}/create/": get(CATALOG_EDIT),
    }
    if inspect:
        rows[f"{base}/inspect/{obj}/"] = get(CATALOG_READ)
    if copy:
        rows[f"{base}/copy/{obj}/"] = get(CATALOG_EDIT)
    return rows


MATRIX = {
    "/admin/": get(STAFF),
    # the catalog: snippets, import, export, preview tokens
    **{
        url: row
        for model, args in CATALOG_MODELS.items()
        for url, row in _snippet_rows(model, *args).items()
    },
    "/admin/catalog/export/products/": get(CATALOG_EDIT, manager=OK),
    "/admin/catalog/preview-token/page/{page}/": get(CATALOG_EDIT),
    "/admin/catalog/preview-token/product/{p}/": get(CATALOG_EDIT),
    # settings: object permissions, audit log
    "/admin/object-permissions/": get(NOBODY, manager=OK),
    "/admin/object-permissions/grant/{shelf_model}/": get(NOBODY, manager=OK),
    "/admin/object-permissions/revoke/{grant_kind}/{grant}/": post(NOBODY, manager=OK),
    "/admin/audit-log/": get(BACKOFFICE),
    "/admin/audit-log/results/": get(BACKOFFICE),
    # API keys and webhooks: managers; auditors read
    "/admin/api-keys/": get(BACKOFFICE),
    "/admin/api-keys/results/": get(BACKOFFICE),
    "/admin/api-keys/new/": get(NOBODY, manager=OK),
    "/admin/api-keys/edit/{key}/": get(NOBODY, manager=OK),
    "/admin/api-keys/inspect/{key}/": get(BACKOFFICE),
    # Wagtail shows history and usage to those who may change the object
    "/admin/api-keys/history/{key}/": get(NOBODY, manager=OK),
    "/admin/api-keys/history-results/{key}/": get(NOBODY, manager=OK),
    "/admin/api-keys/usage/{key}/": get(NOBODY, manager=OK),
    "/admin/api-keys/revoke/{key}/": post(NOBODY, manager=OK),
    # keys are revoked, never deleted (the audit trail keeps naming them)
    "/admin/api-keys/delete/{key}/": get(NOBODY),
    "/admin/webhooks/": get(BACKOFFICE),
    "/admin/webhooks/results/": get(BACKOFFICE),
    "/admin/webhooks/new/": get(NOBODY, manager=OK),
    "/admin/webhooks/edit/{hook}/": get(NOBODY, manager=OK),
    "/admin/webhooks/delete/{hook}/": get(NOBODY),
    "/admin/webhooks/history/{hook}/": get(NOBODY, manager=OK),
    "/admin/webhooks/history-results/{hook}/": get(NOBODY, manager=OK),
    "/admin/webhooks/usage/{hook}/": get(NOBODY, manager=OK),
    # deliveries are a log: read and redelivered, never written by hand
    "/admin/webhook-deliveries/": get(BACKOFFICE),
    "/admin/webhook-deliveries/results/": get(BACKOFFICE),
    "/admin/webhook-deliveries/inspect/{delivery}/": get(BACKOFFICE),
    "/admin/webhook-deliveries/history/{delivery}/": get(NOBODY),
    "/admin/webhook-deliveries/history-results/{delivery}/": get(NOBODY),
    "/admin/webhook-deliveries/usage/{delivery}/": get(NOBODY),
    "/admin/webhook-deliveries/new/": get(NOBODY),
    "/admin/webhook-deliveries/edit/{delivery}/": get(NOBODY),
    "/admin/webhook-deliveries/delete/{delivery}/": get(NOBODY),
    "/admin/webhook-deliveries/redeliver/{delivery}/": post(NOBODY, manager=OK),
    # login lockouts: who reads the access log sees them; unlocking deletes
    "/admin/login-lockouts/": get(BACKOFFICE),
    "/admin/login-lockouts/unlock/": post(
        NOBODY, {"username": "papel-auditor"}, manager=OK
    ),
    # personal staff tokens: everyone with admin access manages their own
    "/admin/api-tokens/": get(STAFF),
    "/admin/api-tokens/{token}/revoke/": post(
        {**dict.fromkeys(STAFF, NOT_FOUND), ANONYMOUS: LOGIN, SUPERUSER: OK}
    ),
    # orders
    "/admin/orders/": get(ORDER_READ),
    "/admin/orders/results/": get(ORDER_READ),
    "/admin/orders/new/": get(ORDERS_ACT),
    # “Novo pedido”'s product search and customer lookup (JSON)
    "/admin/orders/new/products/": get(ORDERS_ACT),
    "/admin/orders/new/customers/": get(ORDERS_ACT),
    "/admin/orders/survey/": get(ORDER_READ),
    "/admin/orders/{order}/": get(ORDER_READ_OBJECT),
    "/admin/orders/{order}/transition/{transition}/": post(ORDERS_ACT_OBJECT),
    "/admin/orders/{order}/note/": post(ORDERS_ACT_OBJECT, {"text": "Nota"}),
    # customers: the order desk sees the customers of its channels' orders;
    # exporting and anonymising personal data is the privacy officer's
    "/admin/customers/": get(ORDERS_READ, privacy_officer=OK),
    "/admin/customers/results/": get(ORDERS_READ, privacy_officer=OK),
    "/admin/customers/new/": get(NOBODY),
    "/admin/customers/edit/{buyer}/": get(ORDERS_ACT_OBJECT),
    "/admin/customers/inspect/{buyer}/": get(CUSTOMER_OBJECT),
    "/admin/customers/history/{buyer}/": get(CUSTOMER_OBJECT),
    "/admin/customers/history-results/{buyer}/": get(CUSTOMER_OBJECT),
    "/admin/customers/export-data/{buyer}/": get(
        PRIVACY, order_desk=(DENIED, NOT_FOUND)
    ),
    "/admin/customers/anonymise/{buyer}/": get(PRIVACY, order_desk=(DENIED, NOT_FOUND)),
    "/admin/customers/merge/{buyer}/": get(NOBODY, manager=OK),
    # sales channels: managers set them up
    "/admin/sales-channels/": get(ORDERS_READ),
    "/admin/sales-channels/results/": get(ORDERS_READ),
    "/admin/sales-channels/new/": get(NOBODY, manager=OK),
    "/admin/sales-channels/edit/{channel}/": get(NOBODY, manager=OK),
    "/admin/sales-channels/inspect/{channel}/": get(ORDERS_READ_OBJECT),
    "/admin/sales-channels/history/{channel}/": get(ORDERS_READ_OBJECT),
    "/admin/sales-channels/history-results/{channel}/": get(ORDERS_READ_OBJECT),
    # stock
    "/admin/stock/levels/": get(STOCK_READ),
    "/admin/stock/levels/results/": get(STOCK_READ),
    # reorder points are the stock manager's: a clerk is denied in their
    # warehouses, and finds nothing outside them
    "/admin/stock/levels/{lvl}/reorder-point/": get(
        STOCK_SETUP, stock_clerk=(DENIED, NOT_FOUND)
    ),
    # finance
    "/admin/finance/orders/{order}/manual-payment/": post(
        FINANCE_SETUP, {"method": "transfer"}, finance=OK
    ),
    # refunds: the finance manager's (the world's payment is not paid: the
    # page says there is nothing to refund, the post changes nothing)
    "/admin/finance/payments/{payment}/refund/": get(FINANCE_SETUP),
    "/admin/finance/payments/{payment}/refund/?confirm=1": post(
        FINANCE_SETUP, {"reason": "Matriz"}
    ),
    # the world's notification is unprocessed: the manager may process it
    # again (the page; its post is in the finance tests)
    "/admin/finance/notifications/{pay_event}/reprocess/": get(FINANCE_SETUP),
    "/admin/finance/receivables/": get(FINANCE_READ),
    "/admin/finance/receivables/results/": get(FINANCE_READ),
    "/admin/finance/receivables/inspect/{receivable}/": get(FINANCE_READ),
    "/admin/finance/payments/": get(FINANCE_READ),
    "/admin/finance/payments/results/": get(FINANCE_READ),
    "/admin/finance/payments/inspect/{payment}/": get(FINANCE_READ),
    "/admin/finance/notifications/": get(FINANCE_READ),
    "/admin/finance/notifications/results/": get(FINANCE_READ),
    "/admin/finance/notifications/inspect/{pay_event}/": get(FINANCE_READ),
    "/admin/finance/accounts/": get(FINANCE_SETUP_READ),
    "/admin/finance/accounts/results/": get(FINANCE_SETUP_READ),
    "/admin/finance/accounts/new/": get(FINANCE_SETUP),
    "/admin/finance/accounts/edit/{pay_account}/": get(FINANCE_SETUP),
    "/admin/finance/accounts/history/{pay_account}/": get(FINANCE_SETUP),
    "/admin/finance/accounts/history-results/{pay_account}/": get(FINANCE_SETUP),
    "/admin/finance/accounts/usage/{pay_account}/": get(FINANCE_SETUP),
    "/admin/finance/payout-terms/": get(FINANCE_READ),
    "/admin/finance/payout-terms/results/": get(FINANCE_READ),
    "/admin/finance/payout-terms/new/": get(FINANCE_SETUP),
    "/admin/finance/payout-terms/edit/{payout_terms}/": get(FINANCE_SETUP),
    "/admin/finance/payout-terms/delete/{payout_terms}/": get(FINANCE_SETUP),
    "/admin/finance/payout-terms/history/{payout_terms}/": get(FINANCE_SETUP),
    "/admin/finance/payout-terms/history-results/{payout_terms}/": get(FINANCE_SETUP),
    "/admin/finance/payout-terms/usage/{payout_terms}/": get(FINANCE_SETUP),
    # bank accounts: the finance manager sets them up
    "/admin/finance/bank-accounts/": get(BANK_READ),
    "/admin/finance/bank-accounts/results/": get(BANK_READ),
    "/admin/finance/bank-accounts/new/": get(FINANCE_SETUP),
    "/admin/finance/bank-accounts/edit/{bank}/": get(FINANCE_SETUP),
    "/admin/finance/bank-accounts/inspect/{bank}/": get(BANK_OBJECT),
    "/admin/finance/bank-accounts/history/{bank}/": get(BANK_OBJECT),
    "/admin/finance/bank-accounts/history-results/{bank}/": get(BANK_OBJECT),
    "/admin/finance/bank-accounts/usage/{bank}/": get(BANK_OBJECT),
    "/admin/finance/statement-lines/": get(BANK_READ),
    "/admin/finance/statement-lines/results/": get(BANK_READ),
    "/admin/finance/statement-lines/inspect/{line}/": get(BANK_OBJECT),
    # payables: bills change only through their own screens
    "/admin/finance/bills/": get(FINANCE_READ),
    "/admin/finance/bills/results/": get(FINANCE_READ),
    "/admin/finance/bills/new/": get(PAYABLES_ACT),
    "/admin/finance/bills/{bill}/": get(FINANCE_READ),
    "/admin/finance/bills/{bill}/approve/": post(FINANCE_SETUP),
    "/admin/finance/bills/{bill}/cancel/": post(PAYABLES_ACT),
    "/admin/finance/bills/{bill}/attachments/": post(PAYABLES_ACT),
    "/admin/finance/bills/attachments/{bill_file}/": get(FINANCE_READ),
    "/admin/finance/bills/installments/{bill_row}/pay/": get(PAYABLES_ACT),
    "/admin/finance/bills/installments/{bill_row}/boleto/": get(PAYABLES_ACT),
    # reconciliation: lines and matches of the bank accounts a user sees;
    # acting needs reconcile on the line's account
    "/admin/finance/reconciliation/": get(FINANCE_READ),
    "/admin/finance/reconciliation/{bank}/": get(FINANCE_READ, finance=IN_OUT),
    "/admin/finance/reconciliation/{bank}/run/": post(RECONCILE),
    "/admin/finance/reconciliation/{bank}/matches/": get(FINANCE_READ, finance=IN_OUT),
    "/admin/finance/reconciliation/lines/{line}/": get(FINANCE_READ, finance=IN_OUT),
    "/admin/finance/reconciliation/lines/{line}/match/": post(RECONCILE),
    "/admin/finance/reconciliation/lines/{line}/ignore/": post(
        RECONCILE, {"reason": "Tarifa bancária"}
    ),
    "/admin/finance/reconciliation/lines/{line}/unignore/": post(RECONCILE),
    "/admin/finance/reconciliation/lines/{line}/undo/": post(RECONCILE),
    "/admin/finance/bill-installments/": get(FINANCE_READ),
    "/admin/finance/bill-installments/results/": get(FINANCE_READ),
    # the cash flow: of every account, or of the granted ones (the clerk)
    "/admin/finance/cash-flow/": get(FINANCE_READ),
    "/admin/finance/cash-flow/account/{bank}/": get(
        {**FINANCE_READ, "finance": IN_OUT}
    ),
    "/admin/finance/suppliers/": get(FINANCE_READ),
    "/admin/finance/suppliers/results/": get(FINANCE_READ),
    "/admin/finance/suppliers/new/": get(PAYABLES_ACT),
    "/admin/finance/suppliers/edit/{supplier}/": get(PAYABLES_ACT),
    "/admin/finance/suppliers/history/{supplier}/": get(PAYABLES_ACT),
    "/admin/finance/suppliers/history-results/{supplier}/": get(PAYABLES_ACT),
    "/admin/finance/suppliers/usage/{supplier}/": get(PAYABLES_ACT),
    # the chart of accounts is the finance manager's to change
    "/admin/finance/chart-of-accounts/": get(FINANCE_READ),
    "/admin/finance/chart-of-accounts/results/": get(FINANCE_READ),
    "/admin/finance/chart-of-accounts/new/": get(FINANCE_SETUP),
    "/admin/finance/chart-of-accounts/edit/{chart_line}/": get(FINANCE_SETUP),
    "/admin/finance/chart-of-accounts/history/{chart_line}/": get(FINANCE_SETUP),
    "/admin/finance/chart-of-accounts/history-results/{chart_line}/": get(
        FINANCE_SETUP
    ),
    "/admin/finance/chart-of-accounts/usage/{chart_line}/": get(FINANCE_SETUP),
    # tax rules: the fiscal desk writes them, with their history
    "/admin/fiscal/tax-rules/": get(TAX_RULES_READ),
    "/admin/fiscal/tax-rules/results/": get(TAX_RULES_READ),
    "/admin/fiscal/tax-rules/new/": get(TAX_RULES_EDIT),
    "/admin/fiscal/tax-rules/edit/{taxrule}/": get(TAX_RULES_EDIT),
    "/admin/fiscal/tax-rules/copy/{taxrule}/": get(TAX_RULES_EDIT),
    "/admin/fiscal/tax-rules/delete/{taxrule}/": get(TAX_RULES_EDIT),
    "/admin/fiscal/tax-rules/inspect/{taxrule}/": get(TAX_RULES_READ),
    "/admin/fiscal/tax-rules/history/{taxrule}/": get(TAX_RULES_EDIT),
    "/admin/fiscal/tax-rules/history-results/{taxrule}/": get(TAX_RULES_EDIT),
    # the states' ICMS rates: edited, never added or deleted
    "/admin/fiscal/uf-rates/": get(TAX_RULES_READ),
    "/admin/fiscal/uf-rates/results/": get(TAX_RULES_READ),
    "/admin/fiscal/uf-rates/edit/{ufrate}/": get(TAX_RULES_EDIT),
    "/admin/fiscal/uf-rates/history/{ufrate}/": get(TAX_RULES_EDIT),
    "/admin/fiscal/uf-rates/history-results/{ufrate}/": get(TAX_RULES_EDIT),
    # the simulator reads only; another emitter than the clerk's is not there
    "/admin/fiscal/tax-simulator/": get(TAX_RULES_READ),
    "/admin/fiscal/tax-simulator/?emitter={emitter}&order={number}": get(
        TAX_SIMULATOR_EMITTER
    ),
    # fiscal: an NF-e's DANFE and XML, the archive and the monthly package
    "/admin/fiscal/documents/{nfe}/danfe/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/documents/{nfe}/xml/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/archive/": get(FISCAL_READ),
    "/admin/fiscal/archive/results/": get(FISCAL_READ),
    "/admin/fiscal/archive/inspect/{archived}/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/archive/{archived}/xml/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/archive/package/": get(FISCAL_PACKAGE),
    "/admin/fiscal/archive/package/?month=7&year=2017&download=1": get(FISCAL_PACKAGE),
    "/admin/stock/movements/": get(STOCK_READ),
    "/admin/stock/movements/results/": get(STOCK_READ),
    "/admin/stock/transfers/": get(STOCK_READ),
    "/admin/stock/transfers/results/": get(STOCK_READ),
    "/admin/stock/transfers/new/": get(STOCK_ACT),
    "/admin/stock/transfers/{transfer}/": get(STOCK_READ_OBJECT),
    "/admin/stock/counts/": get(STOCK_READ),
    "/admin/stock/counts/results/": get(STOCK_READ),
    "/admin/stock/counts/new/": get(STOCK_ACT),
    "/admin/stock/counts/{count}/": get(STOCK_READ_OBJECT),
    "/admin/stock/counts/{count}/review/": get(STOCK_ACT_OBJECT),
    "/admin/stock/counts/{count}/sheet/": get(STOCK_READ_OBJECT),
    "/admin/stock/counts/{count}/add-line/": post(STOCK_ACT_OBJECT),
    "/admin/stock/counts/{count}/post/": post(STOCK_ACT_OBJECT),
    "/admin/stock/counts/{count}/cancel/": post(STOCK_ACT_OBJECT),
    "/admin/stock/warehouses/": get(STOCK_READ),
    "/admin/stock/warehouses/results/": get(STOCK_READ),
    "/admin/stock/warehouses/new/": get(STOCK_SETUP),
    "/admin/stock/warehouses/edit/{wh}/": get(STOCK_SETUP),
    "/admin/stock/warehouses/inspect/{wh}/": get(STOCK_READ_OBJECT),
    "/admin/stock/warehouses/history/{wh}/": get(STOCK_READ_OBJECT),
    "/admin/stock/warehouses/history-results/{wh}/": get(STOCK_READ_OBJECT),
    "/admin/stock/warehouses/usage/{wh}/": get(STOCK_READ_OBJECT),
    "/admin/stock/channels/": get(BACKOFFICE, stock_manager=OK),
    "/admin/stock/channels/results/": get(BACKOFFICE, stock_manager=OK),
    "/admin/stock/channels/new/": get(STOCK_SETUP),
    "/admin/stock/channels/edit/{cw}/": get(STOCK_SETUP),
    "/admin/stock/channels/delete/{cw}/": get(STOCK_SETUP),
    "/admin/stock/receive/": get(STOCK_ACT),
    "/admin/stock/adjust/": get(STOCK_ACT),
    # a SKU's kardex: catalog SKUs are not scoped, their movements are (a
    # clerk sees those of their warehouses; another warehouse is 404)
    "/admin/stock/sku/{variant}/": get(STOCK_READ),
    "/admin/stock/sku/{variant}/?warehouse={wh}": get(STOCK_READ_OBJECT),
    "/admin/stock/sku-search/?q=CAN": get(STOCK_READ),
    "/admin/stock/sku-search/?q=CAN&warehouse={wh}": get(STOCK_READ_OBJECT),
    # fiscal: documents and inutilized numbers of the emitters a user sees
    "/admin/fiscal/nfe/": get(FISCAL_READ),
    "/admin/fiscal/nfe/results/": get(FISCAL_READ),
    "/admin/fiscal/nfe/inspect/{nfe}/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/inutilizacoes/": get(FISCAL_READ),
    "/admin/fiscal/inutilizacoes/results/": get(FISCAL_READ),
    "/admin/fiscal/inutilizacoes/inspect/{gap}/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/inutilizacoes/inutilizar/": get(FISCAL_INUTILIZE),
    "/admin/fiscal/emitters/": get(FISCAL_READ),
    "/admin/fiscal/emitters/results/": get(FISCAL_READ),
    "/admin/fiscal/emitters/new/": get(EMITTER_SETUP),
    "/admin/fiscal/emitters/edit/{emitter}/": get(EMITTER_SETUP),
    "/admin/fiscal/emitters/inspect/{emitter}/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/emitters/history/{emitter}/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/emitters/history-results/{emitter}/": get(FISCAL_READ_OBJECT),
    "/admin/fiscal/emitters/{emitter}/contingency/": post(
        FISCAL_ISSUE, {"switch": "on", "reason": "SEFAZ fora do ar desde as 10h"}
    ),
    # issuing an order's NF-e: whoever issues for the emitter (the world's
    # order is not paid: refused with a message on the order's page)
    "/admin/fiscal/orders/{order}/issue/{emitter}/": post(FISCAL_ISSUE),
    # issuing the NF-e of the selected orders in bulk, and the job's page
    "/admin/bulk/orders/order/issue_nfe/?id={order}&next=/admin/orders/": get(
        BULK_ISSUE_ACTION
    ),
    "/admin/fiscal/bulk-issue/{bulk}/": get(BULK_ISSUE_JOB),
    "/admin/fiscal/bulk-issue/{bulk}/status/": get(BULK_ISSUE_JOB),
    # cancelling and correcting an NF-e: whoever issues for its emitter (the
    # form; sending is tested with the local SEFAZ)
    "/admin/fiscal/nfe/{nfe}/cancel/": get(FISCAL_ISSUE),
    "/admin/fiscal/nfe/{nfe}/correct/": get(FISCAL_ISSUE),
    # the returns of a sale NF-e: whoever issues for its emitter (the form; the
    # world's order is not delivered, so the page says why it takes none)
    "/admin/fiscal/nfe/{nfe}/return/": get(FISCAL_ISSUE),
    "/admin/fiscal/nfe/{nfe}/customer-return/": get(FISCAL_ISSUE),
    # supplier NF-e: per recipient emitter (the fiscal clerk's scope)
    "/admin/fiscal/supplier-nfe/": get(SUPPLIER_NFE_READ),
    "/admin/fiscal/supplier-nfe/results/": get(SUPPLIER_NFE_READ),
    "/admin/fiscal/supplier-nfe/new/": get(SUPPLIER_NFE_RECEIVE),
    "/admin/fiscal/supplier-nfe/{sinv}/": get(SUPPLIER_NFE_OBJECT),
    "/admin/fiscal/supplier-nfe/{sinv}/xml/": get(SUPPLIER_NFE_OBJECT),
    "/admin/fiscal/supplier-nfe/{sinv}/confirm/": post(SUPPLIER_NFE_ACT),
    "/admin/fiscal/supplier-nfe/{sinv}/discard/": post(SUPPLIER_NFE_ACT),
    # logistics: the set-up screens
    "/admin/logistics/carriers/": get(CARRIER_READ),
    "/admin/logistics/carriers/results/": get(CARRIER_READ),
    "/admin/logistics/carriers/new/": get(LOGISTICS_SETUP),
    "/admin/logistics/carriers/edit/{carrier}/": get(LOGISTICS_SETUP),
    "/admin/logistics/carriers/inspect/{carrier}/": get(CARRIER_READ_OBJECT),
    "/admin/logistics/carriers/history/{carrier}/": get(CARRIER_READ_OBJECT),
    "/admin/logistics/carriers/history-results/{carrier}/": get(CARRIER_READ_OBJECT),
    **{
        f"/admin/logistics/{prefix}/{suffix}": get(base)
        for prefix, key, base in (
            ("services", "service", LOGISTICS_SETUP_READ),
            ("origins", "origin", ORIGIN_READ),
            ("free-shipping", "fsr", LOGISTICS_SETUP_READ),
        )
        for suffix in ("", "results/")
    },
    **{
        f"/admin/logistics/{prefix}/{suffix}{{{key}}}/": get(LOGISTICS_SETUP)
        for prefix, key in (
            ("services", "service"),
            ("origins", "origin"),
            ("free-shipping", "fsr"),
        )
        for suffix in ("edit/", "history/", "history-results/")
    },
    "/admin/logistics/services/new/": get(LOGISTICS_SETUP),
    "/admin/logistics/origins/new/": get(LOGISTICS_SETUP),
    "/admin/logistics/free-shipping/new/": get(LOGISTICS_SETUP),
    "/admin/logistics/free-shipping/delete/{fsr}/": get(LOGISTICS_SETUP),
    "/admin/logistics/rates/": get(LOGISTICS_SETUP_READ),
    "/admin/logistics/rates/results/": get(LOGISTICS_SETUP_READ),
    # logistics: late parcels, within the user's carriers
    "/admin/logistics/late-shipments/": get(SHIPPING_READ),
    "/admin/logistics/late-shipments/results/": get(SHIPPING_READ),
    "/admin/logistics/late-deliveries/": get(SHIPPING_READ),
    "/admin/logistics/late-deliveries/results/": get(SHIPPING_READ),
    # logistics: returns, per carrier (the world's returns are requested)
    "/admin/logistics/returns/": get(SHIPPING_READ),
    "/admin/logistics/returns/results/": get(SHIPPING_READ),
    "/admin/logistics/returns/inspect/{ret}/": get(SHIPPING_READ_OBJECT),
    "/admin/logistics/returns/history/{ret}/": get(SHIPPING_READ_OBJECT),
    "/admin/logistics/returns/history-results/{ret}/": get(SHIPPING_READ_OBJECT),
    "/admin/logistics/returns/{ret}/authorise/": post(SHIPPING_ACT_OBJECT),
    "/admin/logistics/returns/{ret}/refuse/": post(
        SHIPPING_ACT_OBJECT, {"reason": "Fora do prazo"}
    ),
    "/admin/logistics/returns/{ret}/receive/": get(SHIPPING_ACT_OBJECT),
    "/admin/logistics/orders/{shipped_order}/return/": get(SHIPPING_ACT_OBJECT),
    # logistics: the shipping desk's queue, shipments, manifests, labels
    "/admin/logistics/shipping/": get(SHIPPING_DESK),
    "/admin/logistics/shipping/picking-list/?order={ship_order}": get(
        SHIPPING_DESK_OBJECT
    ),
    "/admin/logistics/shipping/packing-slips/?order={ship_order}": get(
        SHIPPING_DESK_OBJECT
    ),
    "/admin/logistics/shipments/{shipment}/": get(SHIPMENTS_READ_OBJECT),
    "/admin/logistics/shipments/{shipment}/labels/10x15/": get(SHIPMENTS_READ_OBJECT),
    "/admin/logistics/shipments/{shipment}/cancel/": get(SHIPMENTS_ACT_OBJECT),
    "/admin/logistics/manifests/": get(SHIPMENTS_READ),
    "/admin/logistics/manifests/{manifest}/": get(SHIPMENTS_READ_OBJECT),
    "/admin/logistics/manifests/{manifest}/pdf/": get(SHIPMENTS_READ_OBJECT),
    "/admin/logistics/manifests/{manifest}/close/": get(SHIPMENTS_ACT_OBJECT),
    "/admin/logistics/labels/{label_batch}/": get(LABEL_BATCH),
    "/admin/logistics/labels/{label_batch}/status/": get(LABEL_BATCH),
    "/admin/logistics/labels/{label_batch}/download/": get(LABEL_BATCH),
    # purchase planning: managers, auditors and stock managers (each within
    # the warehouses they see); suppliers' lead times: the manager edits them
    "/admin/reports/planning/": get(BACKOFFICE, stock_manager=OK),
    "/admin/reports/lead-times/": get(BACKOFFICE),
    "/admin/reports/lead-times/results/": get(BACKOFFICE),
    "/admin/reports/lead-times/new/": get(NOBODY, manager=OK),
    "/admin/reports/lead-times/edit/{leadtime}/": get(NOBODY, manager=OK),
    "/admin/reports/lead-times/delete/{leadtime}/": get(NOBODY, manager=OK),
    "/admin/reports/lead-times/history/{leadtime}/": get(NOBODY, manager=OK),
    "/admin/reports/lead-times/history-results/{leadtime}/": get(NOBODY, manager=OK),
    "/admin/reports/lead-times/usage/{leadtime}/": get(NOBODY, manager=OK),
    # the test plugin: shelves granted per object to the shelf keeper
    "/admin/shelves/": get(SHELVES_READ),
    "/admin/shelves/results/": get(SHELVES_READ),
    "/admin/shelves/new/": get(NOBODY, manager=OK),
    "/admin/shelves/edit/{shelf}/": get(NOBODY, shelf_keeper=IN_OUT),
    "/admin/shelves/delete/{shelf}/": get(NOBODY, shelf_keeper=(DENIED, NOT_FOUND)),
    "/admin/shelves/copy/{shelf}/": get(NOBODY, manager=OK),
    "/admin/shelves/inspect/{shelf}/": get(SHELF_OBJECT),
    "/admin/shelves/history/{shelf}/": get(SHELF_OBJECT),
    "/admin/shelves/history-results/{shelf}/": get(SHELF_OBJECT),
    "/admin/shelves/usage/{shelf}/": get(SHELF_OBJECT),
    "/admin/shelf-items/": get(SHELVES_READ),
    "/admin/shelf-items/results/": get(SHELVES_READ),
    "/admin/shelf-items/new/": get(NOBODY, shelf_keeper=OK),
    "/admin/shelf-items/edit/{item}/": get(NOBODY, shelf_keeper=IN_OUT),
    "/admin/shelf-items/delete/{item}/": get(NOBODY, shelf_keeper=IN_OUT),
    "/admin/shelf-items/copy/{item}/": get(NOBODY, shelf_keeper=IN_OUT),
    "/admin/shelf-items/inspect/{item}/": get(SHELF_OBJECT),
    "/admin/shelf-items/history/{item}/": get(SHELF_OBJECT),
    "/admin/shelf-items/history-results/{item}/": get(SHELF_OBJECT),
    "/admin/shelf-items/usage/{item}/": get(SHELF_OBJECT),
    # the reports: figures, charts and exports within the user's scopes
    "/admin/reports/": get(REPORTS_READ),
    "/admin/reports/?period=ytd&export=csv&table=figures": get(REPORTS_READ),
    # the import framework: the importer's permission (the test plugin's
    # shelves importer: shelves.add_shelf, the manager's); a job is its
    # creator's (here the superuser's) and does not exist for anyone else
    "/admin/imports/{importer}/": get(NOBODY, manager=OK),
    "/admin/imports/content.catalog/": get(CATALOG_EDIT, manager=OK),
    "/admin/imports/stock.receipts/": get(STOCK_ACT),
    "/admin/imports/stock.counts/": get(STOCK_ACT),
    "/admin/imports/orders.marketplace/": get(ORDERS_ACT),
    "/admin/imports/finance.statement/": get(BANK_IMPORT),
    "/admin/imports/finance.settlement/": get(BANK_IMPORT),
    "/admin/imports/fiscal.supplier_nfe/": get(SUPPLIER_NFE_RECEIVE),
    "/admin/imports/logistics.freight_rates/": get(
        NOBODY, manager=OK, logistics_manager=OK
    ),
    "/admin/imports/job/{ijob}/": get(SOMEONE_ELSES),
    "/admin/imports/job/{ijob}/status/": get(SOMEONE_ELSES),
    "/admin/imports/job/{ijob}/invalid-rows/": get(SOMEONE_ELSES),
    "/admin/imports/job/{ijob}/confirm/": post(SOMEONE_ELSES, {"skip_invalid": "on"}),
    # analytics: goals, set by managers (the auditor reads them)
    "/admin/reports/goals/": get(BACKOFFICE),
    "/admin/reports/goals/results/": get(BACKOFFICE),
    "/admin/reports/goals/new/": get(NOBODY, manager=OK),
    "/admin/reports/goals/edit/{goal}/": get(NOBODY, manager=OK),
    "/admin/reports/goals/delete/{goal}/": get(NOBODY, manager=OK),
    "/admin/reports/goals/history/{goal}/": get(NOBODY, manager=OK),
    "/admin/reports/goals/history-results/{goal}/": get(NOBODY, manager=OK),
    "/admin/reports/goals/usage/{goal}/": get(NOBODY, manager=OK),
}


def columns():
    return [ANONYMOUS, *staff_columns()]


CELLS = cells(MATRIX, columns())
CELLS_BY_URL = by_url(CELLS)


@pytest.mark.parametrize("url", list(CELLS_BY_URL))
def test_admin_matrix(url, world, db):
    failures = check(CELLS_BY_URL[url], world)
    assert failures == [], "\n".join(failures)


def test_every_admin_url_of_ours_has_a_row(world, db):
    missing = unlisted_routes(MATRIX, "admin/", world.inside)
    assert missing == [], f"add these admin URLs to the security matrix: {missing}"


def test_every_row_is_an_admin_url_of_ours(world, db):
    # kept: the dashboard, and Wagtail's bulk actions' route, where plugins
    # add actions of their own (the fiscal "Emitir NF-e" on orders)
    keep = {"admin/", "admin/bulk/<str:app_label>/<str:model_name>/<str:action>/"}
    stale = stale_rows(MATRIX, "admin/", world.inside, keep=keep)
    assert stale == [], f"these rows name no admin URL of ours: {stale}"


def test_every_role_has_a_column_in_every_row():
    missing = missing_columns(MATRIX, columns())
    assert missing == [], "rows without a column for these roles:\n" + "\n".join(
        missing
    )


def test_rows_are_well_formed():
    problems = malformed(MATRIX, columns())
    assert problems == [], "\n".join(problems)


def test_scoped_roles_are_tested_inside_and_outside_their_scope():
    scoped = {cell.column for cell in CELLS if cell.where == "outside"}
    from tests.security.matrix import role_scopes

    unscoped = [c for c in staff_columns() if role_scopes(c) and c not in scoped]
    assert unscoped == [], f"no URL tests these scoped roles outside: {unscoped}"
