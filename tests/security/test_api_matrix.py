"""Identity × API route → expected outcome, for every route under /api/.

Columns: anonymous, one API key per scope (``key:<scope>``, from
``api.models.Scope``), and the personal staff token of a user of every
declared role and of a superuser. Scoped roles take ``(inside, outside)`` on
routes of an object of their scope (the URL or the body names it): outside is
404. A route without a row, an identity without a column, or a row of a route
that is gone fails this module and names it.
"""

import pytest

from tests.security.matrix import (
    ANONYMOUS,
    API_DENIED,
    IN_OUT,
    NOT_FOUND,
    OK,
    ROLES,
    SUPERUSER,
    by_url,
    cells,
    check,
    get,
    key_columns,
    malformed,
    missing_columns,
    post,
    staff_columns,
    stale_rows,
    unlisted_routes,
)

KEYS = (
    "key:catalog:read",
    "key:orders:write",
    "key:orders:read",
    "key:logistics:quote",
)

#: nobody but the superuser's token
NOBODY = {
    ANONYMOUS: API_DENIED,
    **dict.fromkeys(KEYS, API_DENIED),
    **dict.fromkeys(ROLES, API_DENIED),
    SUPERUSER: OK,
}
EVERYONE = {**dict.fromkeys(NOBODY, OK)}
#: storefront routes: API keys of one scope, never staff tokens
NO_ONE = {**NOBODY, SUPERUSER: API_DENIED}
CATALOG = {**NO_ONE, "key:catalog:read": OK}
ORDERS_WRITE = {**NO_ONE, "key:orders:write": OK}
ORDERS_READ = {**NO_ONE, "key:orders:read": OK}
LOGISTICS_QUOTE = {**NO_ONE, "key:logistics:quote": OK}
ANY_KEY = {**NO_ONE, **dict.fromkeys(KEYS, OK)}
#: staff routes: tokens with the role's permissions
BACKOFFICE = {**NOBODY, "manager": OK, "auditor": OK}
STAFF_ORDERS = {**BACKOFFICE, "order_desk": OK}
STAFF_ORDER = {**BACKOFFICE, "order_desk": IN_OUT}
#: the orders themselves: the finance desk reads them all too
FINANCE = {"finance": OK, "finance_manager": OK}
#: the fiscal desk and the accountant read the orders they invoice
FISCAL = {"fiscal": OK, "accountant": OK}
#: the shipping desk and the logistics manager read the orders they ship
LOGISTICS = {"shipping_desk": OK, "logistics_manager": OK}
ORDER_ACT = {**NOBODY, "order_desk": IN_OUT}
CUSTOMERS = {**STAFF_ORDERS, "privacy_officer": OK}
CUSTOMER = {**STAFF_ORDER, "privacy_officer": OK}
PRIVACY = {**NOBODY, "manager": OK, "privacy_officer": OK}
STOCK_READ = {**BACKOFFICE, "stock_manager": OK, "stock_clerk": OK}
STOCK_OBJECT = {**STOCK_READ, "stock_clerk": IN_OUT}
STOCK_ACT = {**NOBODY, "stock_manager": OK, "stock_clerk": IN_OUT}
#: the reports' KPIs: every back-office role (each gets the figures it may
#: see, within its scopes), not the content roles
REPORTS = {
    **BACKOFFICE,
    **dict.fromkeys(
        (
            "order_desk",
            "stock_clerk",
            "stock_manager",
            "finance",
            "finance_manager",
            "fiscal",
            "accountant",
            "shipping_desk",
            "logistics_manager",
        ),
        OK,
    ),
}

ORDER = {
    "customer": {
        "name": "Maria da Silva",
        "email": "maria@example.com",
        "phone": "+55 11 91234-5678",
        "document": "529.982.247-25",
    },
    "lines": [{"sku": "CAN-1", "quantity": 1}],
    "shipping_address": {
        "recipient": "Maria da Silva",
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "district": "Bela Vista",
        "city": "São Paulo",
        "uf": "SP",
    },
    "payment_method": "pix",
    # a storefront names the freight option it chose; the server prices it
    "shipping_quote": "{quote}",
}

MATRIX = {
    # the schema and its documentation are public
    "/api/v1/schema/": get(EVERYONE),
    "/api/v1/docs/": get(EVERYONE),
    "/api/v1/redoc/": get(EVERYONE),
    # who am I: the key check answers keys, the token check tokens
    "/api/v1/auth/key/": get(ANY_KEY),
    "/api/v1/auth/token/": get({**NOBODY, **dict.fromkeys(ROLES, OK), SUPERUSER: OK}),
    # the public catalog: keys with catalog:read
    "/api/v1/catalog/products/": get(CATALOG),
    "/api/v1/catalog/products/{slug}/": get(CATALOG),
    "/api/v1/catalog/categories/": get(CATALOG),
    "/api/v1/catalog/categories/{category_path}/": get(CATALOG),
    "/api/v1/catalog/brands/": get(CATALOG),
    "/api/v1/catalog/collections/{collection_slug}/": get(CATALOG),
    "/api/v1/pages/?path=/": get(CATALOG),
    "/api/v1/pages/{page}/children/": get(CATALOG),
    "/api/v1/settings/store/": get(CATALOG),
    "/api/v1/search/?q=caneca": get(CATALOG),
    "/api/v1/redirects/?path=/promocao": get(CATALOG),
    "/api/v1/stock/availability/?sku=CAN-1": get(CATALOG),
    # the storefront's orders and holds
    "/api/v1/orders/": post(ORDERS_WRITE, ORDER),
    "/api/v1/orders/status/{customer_token}/": get(ORDERS_READ),
    "/api/v1/orders/status/{customer_token}/cancel/": post(ORDERS_WRITE),
    "/api/v1/orders/survey/{survey}/": post(ORDERS_WRITE, {"score": 9}),
    # the storefront's returns, by the customer token: the world's order is
    # not delivered, so a key that may ask reaches the service, which refuses
    "/api/v1/logistics/returns/{customer_token}/": get(ORDERS_READ),
    "/api/v1/logistics/returns/{customer_token}/request/": post(
        {**NO_ONE, "key:orders:write": "status 409"},
        {"reason": "defect", "items": [{"sku": "CAN-1", "quantity": 1}]},
    ),
    "/api/v1/stock/holds/": post(
        ORDERS_WRITE, {"lines": [{"sku": "CAN-1", "quantity": 1}]}
    ),
    "/api/v1/stock/holds/{hold}/": get(ORDERS_WRITE),
    # freight quotes for a cart (the storefront's checkout)
    "/api/v1/logistics/quote/": post(
        LOGISTICS_QUOTE,
        {"destination_cep": "01310-100", "lines": [{"sku": "CAN-1", "quantity": 1}]},
    ),
    "/api/v1/stock/holds/{hold}/extend/": post(ORDERS_WRITE),
    # the order desk's API: out-of-scope orders do not exist
    "/api/v1/orders/staff/": get(STAFF_ORDERS, **FINANCE, **FISCAL, **LOGISTICS),
    "/api/v1/orders/staff/{number}/": get(
        STAFF_ORDER, **FINANCE, **FISCAL, **LOGISTICS
    ),
    # payments: the storefront pays the orders it placed, by customer token
    "/api/v1/finance/payments/": post(
        ORDERS_WRITE, {"order": "{customer_token}", "method": "pix"}
    ),
    "/api/v1/finance/payments/{payment_ref}/": get(ORDERS_READ),
    "/api/v1/finance/payments/{payment_ref}/qr.png": get(ORDERS_READ),
    "/api/v1/finance/payments/{payment_ref}/qr.svg": get(ORDERS_READ),
    # the customer's NF-e (DANFE and XML), by the order's customer token
    "/api/v1/fiscal/nfe/{customer_token}/danfe/": get(ORDERS_READ),
    "/api/v1/fiscal/nfe/{customer_token}/xml/": get(ORDERS_READ),
    # providers' notifications: proven by their signature, never by a key
    "/api/v1/finance/webhooks/{webhook_token}/": post(
        {**NO_ONE, **dict.fromkeys(KEYS, API_DENIED)}, {"data": {"id": "1"}}
    ),
    # carriers' tracking pushes: proven by their signature, never by a key
    "/api/v1/logistics/webhooks/{carrier_webhook_token}/": post(
        {**NO_ONE, **dict.fromkeys(KEYS, API_DENIED)}, [{"id": "1"}]
    ),
    "/api/v1/orders/staff/{number}/transitions/{transition}/": post(ORDER_ACT),
    "/api/v1/orders/staff/{number}/notes/": post(ORDER_ACT, {"text": "Nota"}),
    "/api/v1/orders/import/": post(
        {**NOBODY, "order_desk": OK}, {"orders": [{"channel": "mercado-livre"}]}
    ),
    # customers: the order desk's are those with orders in its channels;
    # exporting and anonymising are the privacy officer's and the manager's
    "/api/v1/orders/staff/customers/": get(CUSTOMERS),
    "/api/v1/orders/staff/customers/{buyer}/": get(CUSTOMER),
    "/api/v1/orders/staff/customers/{buyer}/history/": get(CUSTOMER),
    "/api/v1/orders/staff/customers/{buyer}/export/": post(
        PRIVACY, order_desk=(API_DENIED, NOT_FOUND)
    ),
    "/api/v1/orders/staff/customers/{buyer}/anonymise/": post(
        PRIVACY, order_desk=(API_DENIED, NOT_FOUND)
    ),
    # stock: clerks in their warehouses
    "/api/v1/stock/warehouses/": get(STOCK_READ),
    "/api/v1/stock/levels/": get(STOCK_READ),
    "/api/v1/stock/movements/": get(STOCK_READ),
    "/api/v1/stock/transfers/": get(STOCK_READ),
    "/api/v1/stock/transfers/{transfer}/": get(STOCK_OBJECT),
    "/api/v1/stock/transfers/{transfer}/receive/": post(STOCK_ACT),
    "/api/v1/stock/counts/": get(STOCK_READ),
    "/api/v1/stock/counts/{count}/": get(STOCK_OBJECT),
    "/api/v1/stock/counts/{count}/lines/": post(
        STOCK_ACT, {"lines": [{"sku": "CAN-1", "counted": 8}]}
    ),
    "/api/v1/stock/counts/{count}/post/": post(STOCK_ACT),
    "/api/v1/stock/counts/{count}/cancel/": post(STOCK_ACT),
    "/api/v1/stock/receipts/": post(
        STOCK_ACT, {"warehouse": "{wh_code}", "sku": "CAN-1", "quantity": 1}
    ),
    "/api/v1/stock/adjustments/": post(
        STOCK_ACT,
        {"warehouse": "{wh_code}", "sku": "CAN-1", "quantity": -1, "reason": "Quebra"},
    ),
    # the reports' KPIs: a filter by a channel out of the attendant's scope
    # names an object they may not see
    "/api/v1/analytics/kpis/": get(REPORTS),
    "/api/v1/analytics/kpis/?channel={channel}&group_by=channel": get(
        REPORTS, order_desk=IN_OUT
    ),
    "/api/v1/analytics/kpis/definitions/": get(REPORTS),
    # the test plugin: shelves granted per object
    "/api/v1/shelves/": get(BACKOFFICE, shelf_keeper=OK),
    "/api/v1/shelves/{shelf}/": get(BACKOFFICE, shelf_keeper=IN_OUT),
    "/api/v1/shelves/{shelf}/restock/": post(NOBODY, {"units": 1}, shelf_keeper=IN_OUT),
    # any other path under /api/: a 404 problem for everyone
    "/api/v1/no-such-route/": post(dict.fromkeys(NOBODY, NOT_FOUND)),
}


def columns():
    return [ANONYMOUS, *key_columns(), *staff_columns()]


CELLS = cells(MATRIX, columns())
CELLS_BY_URL = by_url(CELLS)


@pytest.mark.parametrize("url", list(CELLS_BY_URL))
def test_api_matrix(url, world, db):
    failures = check(CELLS_BY_URL[url], world)
    assert failures == [], "\n".join(failures)


def test_every_api_route_has_a_row(world, db):
    missing = unlisted_routes(MATRIX, "api/", world.inside)
    assert missing == [], f"add these API routes to the security matrix: {missing}"


def test_every_row_is_an_api_route(world, db):
    stale = stale_rows(MATRIX, "api/", world.inside)
    assert stale == [], f"these rows name no API route: {stale}"


def test_every_identity_has_a_column_in_every_row():
    missing = missing_columns(MATRIX, columns())
    assert missing == [], "rows without a column for:\n" + "\n".join(missing)


def test_rows_are_well_formed():
    problems = malformed(MATRIX, columns())
    assert problems == [], "\n".join(problems)
