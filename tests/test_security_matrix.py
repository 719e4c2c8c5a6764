"""Role × URL → expected outcome, for every screen and endpoint of the core
and the test plugin. A new admin URL or API route of ours that is missing here
fails ``test_every_url_of_ours_is_in_the_matrix``."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.helpers import is_admin_denied

OK, DENIED, LOGIN, NOT_FOUND, API_DENIED = "ok", "denied", "login", "404", "api-denied"
ROLES = [
    "anonymous",
    "editor",
    "moderator",
    "manager",
    "auditor",
    "keeper",
    "superuser",
]

STOCK_READ = [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]
STOCK_ACT = [LOGIN] + [DENIED] * 5 + [OK]
API_STOCK_READ = [API_DENIED, API_DENIED, API_DENIED, OK, OK, API_DENIED, OK]
STOCK_READ_URLS = [
    "/admin/stock/levels/",
    "/admin/stock/levels/results/",
    "/admin/stock/movements/",
    "/admin/stock/movements/results/",
    "/admin/stock/transfers/",
    "/admin/stock/transfers/results/",
    "/admin/stock/transfers/{transfer}/",
    "/admin/stock/counts/",
    "/admin/stock/counts/results/",
    "/admin/stock/counts/{count}/",
    "/admin/stock/warehouses/",
    "/admin/stock/warehouses/results/",
    "/admin/stock/warehouses/inspect/{wh}/",
    "/admin/stock/warehouses/history/{wh}/",
    "/admin/stock/warehouses/history-results/{wh}/",
    "/admin/stock/warehouses/usage/{wh}/",
    "/admin/stock/channels/",
    "/admin/stock/channels/results/",
]
STOCK_ACT_URLS = [
    "/admin/stock/levels/{lvl}/reorder-point/",
    "/admin/stock/transfers/new/",
    "/admin/stock/counts/new/",
    "/admin/stock/counts/{count}/review/",
    "/admin/stock/warehouses/new/",
    "/admin/stock/warehouses/edit/{wh}/",
    "/admin/stock/channels/new/",
    "/admin/stock/channels/edit/{cw}/",
    "/admin/stock/receive/",
    "/admin/stock/adjust/",
    "/admin/stock/import/",
    "/admin/stock/import/{sjob}/",
    "/admin/stock/import/{sjob}/status/",
]
API_STOCK_READ_URLS = [
    "/api/v1/stock/warehouses/",
    "/api/v1/stock/levels/",
    "/api/v1/stock/movements/",
    "/api/v1/stock/transfers/",
    "/api/v1/stock/transfers/{transfer}/",
    "/api/v1/stock/counts/",
    "/api/v1/stock/counts/{count}/",
]
API_STOCK_ACT_URLS = [
    "/api/v1/stock/receipts/",
    "/api/v1/stock/adjustments/",
    "/api/v1/stock/transfers/{transfer}/receive/",
    "/api/v1/stock/counts/{count}/lines/",
    "/api/v1/stock/counts/{count}/post/",
    "/api/v1/stock/counts/{count}/cancel/",
]

# url template -> (method, expected outcome per role, in ROLES order)
MATRIX = {
    "/admin/": ("get", [LOGIN, OK, OK, OK, OK, OK, OK]),
    "/admin/shelves/": ("get", [LOGIN, DENIED, DENIED, OK, OK, OK, OK]),
    "/admin/shelves/results/": ("get", [LOGIN, DENIED, DENIED, OK, OK, OK, OK]),
    "/admin/shelves/new/": ("get", [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK]),
    "/admin/shelves/edit/{a}/": (
        "get",
        [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    ),
    "/admin/shelves/edit/{b}/": (
        "get",
        [LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/shelves/inspect/{b}/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/shelves/history/{a}/": ("get", [LOGIN, DENIED, DENIED, OK, OK, OK, OK]),
    "/admin/shelves/delete/{a}/": (
        "get",
        [LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/shelves/copy/{a}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/shelves/usage/{a}/": ("get", [LOGIN, DENIED, DENIED, OK, OK, OK, OK]),
    "/admin/shelf-items/": ("get", [LOGIN, DENIED, DENIED, OK, OK, OK, OK]),
    "/admin/shelf-items/new/": ("get", [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK]),
    "/admin/object-permissions/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/object-permissions/grant/{model}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/object-permissions/revoke/{kind}/{grant}/": (
        "post",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/audit-log/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/audit-log/results/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    # the catalog (Wagtail snippet screens and our own)
    "/admin/snippets/content/product/": ("get", [LOGIN, OK, OK, OK, OK, DENIED, OK]),
    "/admin/snippets/content/product/results/": (
        "get",
        [LOGIN, OK, OK, OK, OK, DENIED, OK],
    ),
    "/admin/snippets/content/product/add/": (
        "get",
        [LOGIN, OK, OK, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/snippets/content/product/edit/{p}/": (
        "get",
        [LOGIN, OK, OK, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/snippets/content/category/": ("get", [LOGIN, OK, OK, OK, OK, DENIED, OK]),
    "/admin/snippets/content/brand/": ("get", [LOGIN, OK, OK, OK, OK, DENIED, OK]),
    "/admin/snippets/content/collection/": ("get", [LOGIN, OK, OK, OK, OK, DENIED, OK]),
    "/admin/catalog/import/": ("get", [LOGIN, OK, OK, DENIED, DENIED, DENIED, OK]),
    "/admin/catalog/import/{job}/": (
        "get",
        [LOGIN, NOT_FOUND, NOT_FOUND, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/catalog/import/{job}/status/": (
        "get",
        [LOGIN, NOT_FOUND, NOT_FOUND, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/catalog/import/{job}/confirm/": (
        "post",
        [LOGIN, NOT_FOUND, NOT_FOUND, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/catalog/export/products/": ("get", [LOGIN, OK, OK, OK, DENIED, DENIED, OK]),
    "/admin/catalog/preview-token/page/{page}/": (
        "get",
        [LOGIN, OK, OK, DENIED, DENIED, DENIED, OK],
    ),
    "/admin/catalog/preview-token/product/{p}/": (
        "get",
        [LOGIN, OK, OK, DENIED, DENIED, DENIED, OK],
    ),
    # API keys (managers) and the key check (API keys only, never sessions)
    "/admin/api-keys/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/api-keys/new/": ("get", [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK]),
    "/admin/api-keys/edit/{key}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/api-keys/revoke/{key}/": (
        "post",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/webhooks/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/webhook-deliveries/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/webhook-deliveries/results/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    "/admin/webhook-deliveries/redeliver/{delivery}/": (
        "post",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/api/v1/auth/key/": (
        "get",
        [API_DENIED] * 7,
    ),
    # personal staff tokens: everyone with admin access manages their own
    "/admin/api-tokens/": ("get", [LOGIN, OK, OK, OK, OK, OK, OK]),
    "/admin/api-tokens/{token}/revoke/": (
        "post",
        [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
    ),
    # the token endpoint itself answers to tokens only, never to sessions
    "/api/v1/auth/token/": ("get", [API_DENIED] * 7),
    # the public catalog: API keys with catalog:read only (sessions are refused)
    **{
        url: ("get", [API_DENIED] * 7)
        for url in (
            "/api/v1/catalog/products/",
            "/api/v1/catalog/products/caneca/",
            "/api/v1/catalog/categories/",
            "/api/v1/catalog/categories/{category}/",
            "/api/v1/catalog/brands/",
            "/api/v1/catalog/collections/{collection}/",
            "/api/v1/pages/",
            "/api/v1/pages/{p}/children/",
            "/api/v1/settings/store/",
            "/api/v1/search/",
            "/api/v1/redirects/",
        )
    },
    "/api/v1/shelves/": ("get", [API_DENIED, API_DENIED, API_DENIED, OK, OK, OK, OK]),
    "/api/v1/shelves/{a}/": (
        "get",
        [API_DENIED, API_DENIED, API_DENIED, OK, OK, OK, OK],
    ),
    "/api/v1/shelves/{b}/": (
        "get",
        [API_DENIED, API_DENIED, API_DENIED, OK, OK, NOT_FOUND, OK],
    ),
    "/api/v1/shelves/{a}/restock/": (
        "post",
        [API_DENIED, API_DENIED, API_DENIED, API_DENIED, API_DENIED, OK, OK],
    ),
    # orders, storefront: API keys only (sessions are refused)
    "/api/v1/orders/": ("post", [API_DENIED] * 7),
    "/api/v1/orders/status/{customer}/": ("get", [API_DENIED] * 7),
    "/api/v1/orders/status/{customer}/cancel/": ("post", [API_DENIED] * 7),
    "/api/v1/orders/survey/{customer}/": ("post", [API_DENIED] * 7),
    # orders, staff: managers and auditors read; only the order desk (here the
    # superuser) acts
    "/api/v1/orders/staff/": (
        "get",
        [API_DENIED, API_DENIED, API_DENIED, OK, OK, API_DENIED, OK],
    ),
    "/api/v1/orders/staff/{number}/": (
        "get",
        [API_DENIED, API_DENIED, API_DENIED, OK, OK, API_DENIED, OK],
    ),
    "/api/v1/orders/staff/{number}/transitions/{transition}/": (
        "post",
        [API_DENIED] * 6 + [OK],
    ),
    "/api/v1/orders/staff/{number}/notes/": ("post", [API_DENIED] * 6 + [OK]),
    "/api/v1/orders/import/": ("post", [API_DENIED] * 6 + [OK]),
    # the order desk (admin): managers and auditors read, only the order desk
    # (here the superuser) acts; tests/plugins/orders covers the attendant
    "/admin/orders/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/orders/results/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/orders/new/": ("get", [LOGIN] + [DENIED] * 5 + [OK]),
    "/admin/orders/import/": ("get", [LOGIN] + [DENIED] * 5 + [OK]),
    "/admin/orders/import/confirm/": ("post", [LOGIN] + [DENIED] * 5 + [OK]),
    "/admin/orders/survey/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/orders/{order}/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/orders/{order}/transition/{transition}/": (
        "post",
        [LOGIN] + [DENIED] * 5 + [OK],
    ),
    "/admin/orders/{order}/note/": ("post", [LOGIN] + [DENIED] * 5 + [OK]),
    "/admin/customers/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/customers/results/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    "/admin/customers/new/": ("get", [LOGIN] + [DENIED] * 5 + [OK]),
    "/admin/customers/edit/{buyer}/": ("get", [LOGIN] + [DENIED] * 5 + [OK]),
    "/admin/customers/inspect/{buyer}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    "/admin/customers/export-data/{buyer}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    "/admin/customers/anonymise/{buyer}/": ("get", [LOGIN] + [DENIED] * 5 + [OK]),
    "/admin/sales-channels/": ("get", [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK]),
    "/admin/sales-channels/results/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    "/admin/sales-channels/new/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/sales-channels/edit/{channel}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK],
    ),
    "/admin/sales-channels/inspect/{channel}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    "/admin/sales-channels/history/{channel}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    "/admin/sales-channels/history-results/{channel}/": (
        "get",
        [LOGIN, DENIED, DENIED, OK, OK, DENIED, OK],
    ),
    # stock: managers and auditors read; only stock clerks and managers of
    # stock (here the superuser) move stock; tests/plugins/stock covers the
    # clerk of one warehouse
    **dict.fromkeys(STOCK_READ_URLS, ("get", STOCK_READ)),
    **dict.fromkeys(STOCK_ACT_URLS, ("get", STOCK_ACT)),
    "/admin/stock/counts/{count}/post/": ("post", STOCK_ACT),
    "/admin/stock/counts/{count}/cancel/": ("post", STOCK_ACT),
    "/admin/stock/channels/delete/{cw}/": ("get", STOCK_ACT),
    "/admin/stock/import/{sjob}/confirm/": ("post", STOCK_ACT),
    **dict.fromkeys(API_STOCK_READ_URLS, ("get", API_STOCK_READ)),
    **{url: ("post", [API_DENIED] * 6 + [OK]) for url in API_STOCK_ACT_URLS},
    "/api/v1/stock/availability/": ("get", [API_DENIED] * 7),
    "/api/v1/stock/holds/": ("post", [API_DENIED] * 7),
    "/api/v1/stock/holds/{hold}/": ("get", [API_DENIED] * 7),
    "/api/v1/stock/holds/{hold}/extend/": ("post", [API_DENIED] * 7),
    "/api/v1/schema/": ("get", [OK, OK, OK, OK, OK, OK, OK]),
    "/api/v1/docs/": ("get", [OK, OK, OK, OK, OK, OK, OK]),
    "/api/v1/redoc/": ("get", [OK, OK, OK, OK, OK, OK, OK]),
    # any other path under /api/: a 404 problem for every method and role
    "/api/v1/no-such-route/": ("post", [NOT_FOUND] * 7),
}

CASES = [
    (url, method, role, expected)
    for url, (method, outcomes) in MATRIX.items()
    for role, expected in zip(ROLES, outcomes, strict=True)
]


@pytest.fixture
def catalog_objects(superuser):
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from content.models import ImportJob, Product, Variant

    product = Product(name="Caneca", slug="caneca")
    product.variants = [Variant(sku="CAN-1", price=Decimal("39.90"))]
    product.save()
    job = ImportJob.objects.create(
        created_by=superuser,
        original_name="c.csv",
        file=ContentFile(b"product_slug;sku;price\ncaneca;CAN-1;39,90\n", name="c.csv"),
        status=ImportJob.Status.VALIDATED,
        dry_run_report={"error_count": 0},
    )
    from api.services import create_api_key

    key, _secret = create_api_key(
        name="Loja",
        scopes=["catalog:read"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    from api.models import WebhookDelivery, WebhookSubscription

    hook = WebhookSubscription.objects.create(
        name="ERP", url="https://erp.example.com/hook", events=["product.*"], secret="s"
    )
    delivery = WebhookDelivery.objects.create(
        subscription=hook, event="product.updated", payload={"id": product.pk}
    )
    from wagtail.models import Page

    from api.services import issue_staff_token

    token, _secret = issue_staff_token(user=superuser, name="ERP")
    return {
        "token": token.pk,
        "page": Page.objects.filter(depth=2).first().pk,
        "delivery": delivery.pk,
        "p": product.pk,
        "job": job.pk,
        "key": key.pk,
        "category": "moda",
        "collection": "vitrine",
    }


@pytest.fixture
def order_objects(db):
    from django.utils import timezone

    from plugins.orders.models import Order, SalesChannel

    loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    order = Order.objects.create(
        number="ABCD-EFGH",
        channel=loja,
        customer_name="Maria",
        subtotal=0,
        total=0,
        payment_method="pix",
        placed_at=timezone.now(),
    )
    from plugins.orders.models import Customer

    return {
        "number": order.number,
        "customer": order.customer_token,
        "transition": "pay",
        "order": order.pk,
        "channel": loja.pk,
        "buyer": Customer.objects.create(name="Maria").pk,
    }


@pytest.fixture
def stock_objects(superuser):
    from django.core.files.base import ContentFile

    from content.models import Variant
    from plugins.stock import services
    from plugins.stock.models import ChannelWarehouse, StockImportJob, Warehouse

    sp = Warehouse.objects.create(code="SP-01", name="São Paulo")
    rj = Warehouse.objects.create(code="RJ-01", name="Rio de Janeiro")
    can = Variant.objects.get(sku="CAN-1")
    services.receive_stock(sp, variant=can, quantity=10, user=None)
    transfer = services.send_transfer(
        source=sp, destination=rj, lines=[(can, 1)], user=None
    )
    count = services.open_count(sp, user=None)
    services.record_counts(
        count, counted={line.pk: 9 for line in count.lines.all()}, user=None
    )
    hold = services.create_hold(lines=[{"sku": "CAN-1", "quantity": 1}])
    job = StockImportJob.objects.create(
        kind="receipts",
        created_by=superuser,
        original_name="e.csv",
        file=ContentFile(b"warehouse;sku;quantity\nSP-01;CAN-1;1\n", name="e.csv"),
        status=StockImportJob.Status.VALIDATED,
        dry_run_report={"error_count": 0, "valid_rows": 1},
    )
    return {
        "wh": sp.pk,
        "lvl": sp.levels.get().pk,
        "transfer": transfer.pk,
        "count": count.pk,
        "hold": hold.token,
        "sjob": job.pk,
        "cw": ChannelWarehouse.objects.create(channel_code="loja", warehouse=sp).pk,
    }


# POST bodies an allowed user's request is accepted with
POST_DATA = {
    "/restock/": {"units": 1},
    "/notes/": {"text": "Nota"},
    "/orders/import/": {"orders": [{"channel": "loja"}]},
    "/stock/receipts/": {"warehouse": "SP-01", "sku": "CAN-1", "quantity": 1},
    "/stock/adjustments/": {
        "warehouse": "SP-01",
        "sku": "CAN-1",
        "quantity": -1,
        "reason": "Quebra",
    },
    "/stock/counts/": {"lines": [{"sku": "CAN-1", "counted": 8}]},
}


@pytest.fixture
def users(editor, moderator, manager, auditor, keeper_of_a, superuser):
    return {
        "anonymous": None,
        "editor": editor,
        "moderator": moderator,
        "manager": manager,
        "auditor": auditor,
        "keeper": keeper_of_a,
        "superuser": superuser,
    }


@pytest.mark.parametrize(("url", "method", "role", "expected"), CASES)
def test_security_matrix(
    url,
    method,
    role,
    expected,
    users,
    shelf_a,
    shelf_b,
    catalog_objects,
    order_objects,
    stock_objects,
):
    from guardian.models import UserObjectPermission

    grant = UserObjectPermission.objects.filter(user=users["keeper"]).first()
    path = url.format(
        a=shelf_a.pk,
        b=shelf_b.pk,
        grant=grant.pk,
        model="shelves.shelf",
        kind="user",
        **catalog_objects,
        **order_objects,
        **stock_objects,
    )
    client = APIClient()
    if users[role] is not None:
        client.force_login(users[role])
    data = next((d for part, d in POST_DATA.items() if part in path), {})
    if method == "post":
        response = client.post(path, data, format="json")
    else:
        response = client.get(path)

    if expected == OK:
        assert response.status_code in (200, 201, 302), response.status_code
        assert not is_admin_denied(response), (
            response.status_code,
            getattr(response, "url", ""),
        )
        if response.status_code == 302:  # a successful POST redirects onwards
            assert method == "post" and "/login/" not in response.url
    elif expected == DENIED:
        assert is_admin_denied(response), response.status_code
    elif expected == LOGIN:
        assert response.status_code == 302 and "/admin/login/" in response.url
    elif expected == API_DENIED:
        assert response.status_code in (401, 403)
        assert response["Content-Type"] == "application/problem+json"
    elif expected == NOT_FOUND:
        assert response.status_code == 404


def _our_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _our_patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            module = getattr(callback, "view_class", callback).__module__
            if module.startswith(("plugins.", "api.", "content.", "tests.")) or (
                "shelves" in route or "shelf-items" in route
            ):
                yield route


def _normalise(route: str) -> str:
    import re

    route = route.replace("^", "").replace("$", "")
    return re.sub(r"<[^>]+>", "{}", route)


def test_every_url_of_ours_is_in_the_matrix():
    import re

    covered = {re.sub(r"\{[a-z]+\}", "{}", url).lstrip("/") for url in MATRIX}
    covered.add("api/v1/catalog/products/{}/")  # matrix row uses a literal slug
    missing = sorted(
        {_normalise(route) for route in _our_patterns()}
        - covered
        # views the matrix reaches under another form of the same route
        - {
            "admin/shelves/history-results/{}/",
            "admin/shelf-items/results/",
            "admin/shelf-items/edit/{}/",
            "admin/shelf-items/delete/{}/",
            "admin/shelf-items/inspect/{}/",
            "admin/shelf-items/history/{}/",
            "admin/shelf-items/history-results/{}/",
            "admin/shelf-items/usage/{}/",
            "admin/shelf-items/copy/{}/",
            "admin/shelves/reorder/{}/",
            "admin/shelf-items/reorder/{}/",
            "healthz",
            "api/(.*/)?",  # unknown API routes: the /api/v1/no-such-route/ row
        }
    )
    assert missing == [], f"add these URLs to the security matrix: {missing}"
