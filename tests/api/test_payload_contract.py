"""Schema and payloads cannot drift.

Most payloads of the API are built as plain dicts (``api.catalog.payloads``,
``api.pages``, ``plugins.orders.api.payloads``, the stock plugin's
availability and holds …); the serializers the OpenAPI schema is made from
only describe them. Here every operation is called with real data, on the
real database, and each response must validate against the component of the
schema it is documented with, made strict: every declared field present with
its declared type and nullability, and no key the schema does not declare
(``additionalProperties: false`` on every object with declared properties).
A field added to a payload but not to its serializer fails, and so does one
declared but not sent.

Data are chosen so that nullable fields are seen both ways where the API can
send both (a product with and without brand and category, an order with and
without a survey and an NF-e, a customer's addresses before and after
anonymisation).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import jsonschema
import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from api.services import create_api_key, issue_staff_token
from content.models import (
    Brand,
    Collection,
    CollectionProduct,
    ProductImage,
    Variant,
)
from plugins.finance.models import Provider, ProviderAccount
from plugins.orders.models import Order, SalesChannel
from plugins.stock import services as stock
from plugins.stock.models import Warehouse
from tests.api.storefront_pages import storefront_pages
from tests.api.strict_schema import closed
from tests.content.conftest import make_category, make_product, publish
from tests.factories import ShelfFactory, UserFactory
from tests.plugins.fiscal.archive.conftest import (
    SAMPLE_PROC,
    make_emitter,
    make_nfe,
    sample_xml,
)
from tests.plugins.orders.conftest import ADDRESS, CUSTOMER
from tests.shelves_plugin.models import ShelfItem

V1 = "/api/v1"

# Operations not called here, each with its reason. Every other operation
# with a JSON body must be called: a new endpoint fails the coverage test
# until it is added to ``test_every_payload_matches_its_schema`` or here.
NOT_CALLED = {
    # A free-form object by design (``type: object``): nothing to drift from.
    ("post", "/api/v1/orders/staff/customers/{id}/export/"),
    # Providers' notifications need a provider's signature and its API: the
    # simulators send them in tests/plugins/finance/test_end_to_end.py.
    ("post", "/api/v1/finance/webhooks/{token}/"),
    # Carriers' tracking pushes need a carrier's signature: the simulators
    # send them in tests/plugins/logistics/tracking/test_end_to_end.py.
    ("post", "/api/v1/logistics/webhooks/{token}/"),
}


# -- The strict schema -------------------------------------------------------------


def strict(node):
    """The OpenAPI 3.0 schema ``node`` as a strict JSON Schema: closed objects
    (:func:`closed`), and ``nullable`` as a ``null`` alternative."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = closed({key: strict(value) for key, value in node.items()})
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    return not isinstance(value, str) or bool(
        datetime.datetime.fromisoformat(value).tzinfo
    )


@FORMATS.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    return not isinstance(value, str) or bool(datetime.date.fromisoformat(value))


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    return not isinstance(value, str) or value.startswith(("http://", "https://"))


@pytest.fixture(scope="module")
def openapi():
    """The schema as ``/api/v1/schema/`` serves it, with strict components."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {**schema, "components": strict(schema["components"])}


def violations(openapi: dict, schema: dict, payload) -> list[str]:
    """How ``payload`` breaks ``schema`` (refs into ``openapi``'s components)."""
    validator = jsonschema.Draft202012Validator(
        {**strict(schema), "components": openapi["components"]},
        format_checker=FORMATS,
    )
    found = []
    for error in validator.iter_errors(payload):
        # In a nullable or polymorphic field, the error of the branch that
        # was meant (not "is not null").
        causes = [e for e in error.context or () if e.validator != "type"] or [error]
        found += [f"{cause.json_path}: {cause.message[:300]}" for cause in causes]
    return sorted(found)


def response_schema(openapi: dict, method: str, path: str, status: int) -> dict:
    responses = openapi["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path}: {status} undocumented"
    return responses[str(status)]["content"]["application/json"]["schema"]


class Contract:
    """Calls operations and collects how their responses break the schema."""

    def __init__(self, openapi: dict):
        self.openapi = openapi
        self.called: set[tuple[str, str]] = set()
        self.failures: list[str] = []

    def call(self, client, method, path, url=None, body=None, status=200, **extra):
        response = getattr(client, method)(
            V1 + (url or path), body, format="json", **extra
        )
        assert response.status_code == status, (method, url or path, response.data)
        payload = response.json()
        schema = response_schema(self.openapi, method, V1 + path, status)
        self.failures += [
            f"{method.upper()} {V1}{path} ({status}) {problem}"
            for problem in violations(self.openapi, schema, payload)
        ]
        self.called.add((method, V1 + path))
        return payload


def key_client(*scopes) -> APIClient:
    _key, secret = create_api_key(
        name=" ".join(scopes),
        scopes=list(scopes),
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


def staff_client(user) -> APIClient:
    _token, secret = issue_staff_token(user=user, name="Contrato")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


# -- The data ----------------------------------------------------------------------


@pytest.fixture
def world(db):
    """A catalog (a product with everything, one with nothing optional), pages,
    stock and sales channels."""
    moda = make_category("moda", "Moda")
    camisetas = make_category("camisetas", "Camisetas", parent=moda)
    casa = make_category("casa", "Casa")
    brand = publish(
        Brand.objects.create(slug="nordeste", name="Nordeste Têxtil", website="")
    )
    camiseta = make_product(
        "camiseta-basica",
        name="Camiseta básica",
        brand=brand,
        primary_category=camisetas,
        variants=[("CAM-AZ-M", "49.90"), ("CAM-AZ-G", "54.90")],
    )
    Variant.objects.filter(sku="CAM-AZ-M").update(
        compare_at_price=Decimal("59.90"),
        length_cm=Decimal("30.5"),
        width_cm=Decimal("20"),
        height_cm=Decimal("1.25"),
        weight_grams=180,
        gtin="7891234567895",
    )
    image = get_image_model().objects.create(
        title="Frente", file=get_test_image_file(size=(80, 60))
    )
    ProductImage.objects.create(product=camiseta, image=image, alt="Frente")
    camiseta.categories.add(casa)
    camiseta.tags.add("verão")
    publish(camiseta)
    make_product("caneca", variants=[("CAN-1", "29.00")])  # no brand, no category
    collection = Collection(name="Mais vendidos", slug="mais-vendidos")
    collection.items = [CollectionProduct(product=camiseta)]
    collection.save()
    publish(collection)

    root = Page.get_first_root_node()
    home = storefront_pages(root, collection, slug="loja-contrato")

    sp = Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)
    Warehouse.objects.create(code="RJ-01", name="Rio de Janeiro", priority=20)
    for sku in ("CAM-AZ-M", "CAN-1"):
        stock.receive_stock(
            sp, variant=Variant.objects.get(sku=sku), quantity=20, user=None
        )
    shelf = ShelfFactory(code="a1", name="Corredor A1", capacity=10, units=2)
    ShelfItem.objects.create(shelf=shelf, sku="CAM-AZ-M", facings=2)
    SalesChannel.objects.create(code="loja", name="Loja virtual", kind="storefront")
    SalesChannel.objects.create(
        code="mercado-livre",
        name="Mercado Livre",
        kind="marketplace",
        marketplace="Mercado Livre",
        accepts_custom_prices=True,
    )
    return {"home": home, "shelf": shelf}


def order_body(**overrides) -> dict:
    return {
        "customer": dict(CUSTOMER),
        "shipping_address": dict(ADDRESS),
        "lines": [{"sku": "CAM-AZ-M", "quantity": 2}, {"sku": "CAN-1", "quantity": 1}],
        "payment_method": "card",
        "installments": 3,
        **overrides,
    }


# -- The tests ---------------------------------------------------------------------


def test_every_payload_matches_its_schema(openapi, world):
    contract = Contract(openapi)
    call = contract.call
    catalog = key_client("catalog:read")
    writer = key_client("orders:write")
    reader = key_client("orders:read")
    staff = staff_client(UserFactory(username="root", is_superuser=True, is_staff=True))

    # The key itself; the catalog.
    call(catalog, "get", "/auth/key/")
    call(catalog, "get", "/catalog/products/", "/catalog/products/?page_size=1")
    call(catalog, "get", "/catalog/products/")
    for slug in ("camiseta-basica", "caneca"):
        call(catalog, "get", "/catalog/products/{slug}/", f"/catalog/products/{slug}/")
    call(catalog, "get", "/catalog/categories/")
    for path in ("moda", "moda/camisetas"):
        call(
            catalog,
            "get",
            "/catalog/categories/{path}/",
            f"/catalog/categories/{path}/",
        )
    call(catalog, "get", "/catalog/brands/")
    call(
        catalog,
        "get",
        "/catalog/collections/{slug}/",
        "/catalog/collections/mais-vendidos/",
    )

    # Pages, settings, search and redirects.
    for query in ("path=/", "path=/sobre-nos/", "type=content.contentpage"):
        call(catalog, "get", "/pages/", f"/pages/?{query}")
    home = world["home"].pk
    call(catalog, "get", "/pages/{id}/children/", f"/pages/{home}/children/")
    call(catalog, "get", "/settings/store/")
    call(catalog, "get", "/search/", "/search/?q=camiseta")
    call(catalog, "get", "/redirects/", "/redirects/?path=/quem-somos/")

    # Stock for storefronts: availability and cart holds.
    call(
        catalog,
        "get",
        "/stock/availability/",
        "/stock/availability/?sku=CAM-AZ-M&sku=CAM-AZ-G&sku=NAO-EXISTE",
    )
    hold = call(
        writer,
        "post",
        "/stock/holds/",
        body={"lines": [{"sku": "CAN-1", "quantity": 1}], "reference": "carrinho"},
        status=201,
    )
    held = f"/stock/holds/{hold['token']}/"
    call(writer, "get", "/stock/holds/{token}/", held)
    call(writer, "post", "/stock/holds/{token}/extend/", f"{held}extend/", {})

    # An order placed, replayed, read, worked by the desk until delivered, its
    # survey answered; another one cancelled by the customer.
    order = call(
        writer,
        "post",
        "/orders/",
        body=order_body(),
        status=201,
        HTTP_IDEMPOTENCY_KEY="pedido-1",
    )
    call(writer, "post", "/orders/", body=order_body(), HTTP_IDEMPOTENCY_KEY="pedido-1")
    status_url = f"/orders/status/{order['token']}/"
    call(reader, "get", "/orders/status/{token}/", status_url)
    desk = f"/orders/staff/{order['number']}/"
    call(staff, "get", "/orders/staff/")
    call(staff, "get", "/orders/staff/{number}/", desk)
    call(
        staff,
        "post",
        "/orders/staff/{number}/notes/",
        f"{desk}notes/",
        {"text": "Ligar antes de entregar"},
        status=201,
    )
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        call(
            staff,
            "post",
            "/orders/staff/{number}/transitions/{name}/",
            f"{desk}transitions/{name}/",
            {},
        )
    # Invoiced with an authorised NF-e: the status page links its DANFE and
    # XML (``nfe`` was null until then).
    make_nfe(
        sample_xml(SAMPLE_PROC),
        emitter=make_emitter("06117473000150"),
        order=Order.objects.get(number=order["number"]),
    )
    seen = call(reader, "get", "/orders/status/{token}/", status_url)
    survey = seen["survey"]
    assert survey is not None
    assert seen["nfe"]["number"] == 46320
    call(
        writer,
        "post",
        "/orders/survey/{token}/",
        f"/orders/survey/{survey['token']}/",
        {"score": 9, "comment": "Chegou rápido"},
    )
    call(staff, "get", "/orders/staff/{number}/", desk)
    other = call(
        writer,
        "post",
        "/orders/",
        body=order_body(payment_method="pix", installments=1),
        status=201,
        HTTP_IDEMPOTENCY_KEY="pedido-2",
    )
    # Its payment by Pix (a static code of the manual account), then read.
    ProviderAccount.objects.create(
        name="Depósito",
        provider=Provider.MANUAL,
        pix_key="financeiro@example.com",
        merchant_name="LOJA EXEMPLO",
        merchant_city="SAO PAULO",
    )
    payment = call(
        writer,
        "post",
        "/finance/payments/",
        body={"order": other["token"], "method": "pix"},
        status=201,
    )
    call(
        reader,
        "get",
        "/finance/payments/{reference}/",
        f"/finance/payments/{payment['id']}/",
    )
    call(
        writer,
        "post",
        "/orders/status/{token}/cancel/",
        f"/orders/status/{other['token']}/cancel/",
        {"reason": "Desisti"},
    )

    # Marketplace intake: one order created, one refused.
    marketplace = {
        "channel": "mercado-livre",
        "external_id": "ML-1",
        **order_body(payment_method="pix", installments=1),
        "shipping_total": "15.00",
    }
    refused = {**marketplace, "external_id": "ML-2", "lines": [{"sku": "X"}]}
    result = call(
        staff, "post", "/orders/import/", body={"orders": [marketplace, refused]}
    )
    assert [r["status"] for r in result["results"]] == ["created", "error"]

    # Customers, and an order of an anonymised customer.
    customers = call(staff, "get", "/orders/staff/customers/")
    customer = customers["results"][0]["id"]
    record = f"/orders/staff/customers/{customer}/"
    call(staff, "get", "/orders/staff/customers/{id}/", record)
    call(
        staff,
        "patch",
        "/orders/staff/customers/{id}/",
        record,
        {"phone": "+55 11 99999-0000"},
    )
    call(staff, "get", "/orders/staff/customers/{id}/history/", f"{record}history/")
    call(
        staff, "post", "/orders/staff/customers/{id}/anonymise/", f"{record}anonymise/"
    )
    call(staff, "get", "/orders/staff/{number}/", desk)

    # Stock for staff: warehouses, levels, movements, receipts, adjustments,
    # transfers and counts.
    call(staff, "get", "/stock/warehouses/")
    call(staff, "get", "/stock/levels/")
    call(staff, "get", "/stock/movements/")
    movement = {"warehouse": "SP-01", "sku": "CAN-1", "quantity": 5}
    call(staff, "post", "/stock/receipts/", body=movement, status=201)
    call(
        staff,
        "post",
        "/stock/adjustments/",
        body={**movement, "quantity": -1, "reason": "Quebra"},
        status=201,
    )
    transfer = call(
        staff,
        "post",
        "/stock/transfers/",
        body={
            "source": "SP-01",
            "destination": "RJ-01",
            "lines": [{"sku": "CAN-1", "quantity": 2}],
        },
        status=201,
    )
    moved = f"/stock/transfers/{transfer['id']}/"
    call(staff, "get", "/stock/transfers/")
    call(staff, "get", "/stock/transfers/{id}/", moved)
    call(staff, "post", "/stock/transfers/{id}/receive/", f"{moved}receive/", {})
    count = call(
        staff, "post", "/stock/counts/", body={"warehouse": "SP-01"}, status=201
    )
    counted = f"/stock/counts/{count['id']}/"
    call(
        staff,
        "post",
        "/stock/counts/{id}/lines/",
        f"{counted}lines/",
        {"lines": [{"sku": "CAN-1", "counted": 21}]},
    )
    call(staff, "get", "/stock/counts/")
    call(staff, "get", "/stock/counts/{id}/", counted)
    call(staff, "post", "/stock/counts/{id}/post/", f"{counted}post/", {})
    cancelled = call(
        staff, "post", "/stock/counts/", body={"warehouse": "RJ-01"}, status=201
    )
    call(
        staff,
        "post",
        "/stock/counts/{id}/cancel/",
        f"/stock/counts/{cancelled['id']}/cancel/",
        {},
    )

    # Staff tokens; the shelves of the test plugin.
    call(
        APIClient(),
        "post",
        "/auth/token/",
        body={"username": "root", "password": "senha-de-teste", "name": "Contrato"},
        status=201,
    )
    call(staff, "get", "/auth/token/")
    shelf = world["shelf"].pk
    call(staff, "get", "/shelves/")
    call(staff, "get", "/shelves/{id}/", f"/shelves/{shelf}/")
    call(
        staff,
        "post",
        "/shelves/{id}/restock/",
        f"/shelves/{shelf}/restock/",
        {"units": 1},
    )

    # The reports' KPIs: today's (paid: the delivered order) against
    # yesterday's (the marketplace order, paid then), per channel; a series
    # by day without a comparison; a figure that cannot be grouped so.
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Order.objects.filter(external_id="ML-1").update(
        placed_at=yesterday, paid_at=yesterday
    )
    call(staff, "get", "/analytics/kpis/definitions/")
    report = call(
        staff,
        "get",
        "/analytics/kpis/",
        "/analytics/kpis/?compare=previous&group_by=channel",
    )
    figures = {kpi["key"]: kpi for kpi in report["kpis"]}
    assert figures["orders.gmv"]["change_percent"] is not None
    assert figures["orders.gmv"]["groups"]
    assert figures["orders.return_rate"]["comparison_value"] is None
    call(
        staff,
        "get",
        "/analytics/kpis/",
        "/analytics/kpis/?period=7d&group_by=day&keys=orders.gmv,orders.nps",
    )
    call(
        staff,
        "get",
        "/analytics/kpis/",
        "/analytics/kpis/?keys=orders.average_ticket&group_by=category",
    )

    # Freight quotes (last: with a carrier, storefront orders must name one).
    from plugins.logistics.models import Shipment, ShipmentStatus
    from tests.plugins.logistics.conftest import make_origin, make_table_carrier

    make_origin()
    carrier = make_table_carrier()
    # The delivered order goes back: a return asked for from its status page.
    delivered = Order.objects.get(number=order["number"])
    line = delivered.lines.first()
    Shipment.objects.create(
        order=delivered,
        carrier=carrier,
        service=carrier.services.first(),
        status=ShipmentStatus.DELIVERED,
        declared_value=delivered.subtotal,
    )
    returns = f"/logistics/returns/{order['token']}/"
    call(
        writer,
        "post",
        "/logistics/returns/{token}/request/",
        f"{returns}request/",
        {"reason": "defect", "items": [{"sku": line.sku, "quantity": 1}]},
        status=201,
    )
    call(reader, "get", "/logistics/returns/{token}/", returns)
    call(
        key_client("logistics:quote"),
        "post",
        "/logistics/quote/",
        body={
            "destination_cep": "01310-100",
            "lines": [{"sku": "CAM-AZ-M", "quantity": 2}],
        },
    )

    assert contract.failures == [], "\n".join(contract.failures)

    with_body = {
        (method, path)
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if any(
            "application/json" in response.get("content", {})
            for code, response in operation["responses"].items()
            if code.startswith("2")
        )
    }
    assert sorted(with_body - contract.called - NOT_CALLED) == []
    assert sorted(NOT_CALLED - with_body) == []


def test_the_contract_fails_on_a_field_added_removed_or_retyped(openapi, api, db):
    """The check is strict: a real product payload with a key more, a key less
    or a value of another type does not validate."""
    make_product("caneca", variants=[("CAN-1", "29.00")])
    response = api.get(f"{V1}/catalog/products/caneca/")
    product = response.json()
    schema = response_schema(
        openapi, "get", f"{V1}/catalog/products/{{slug}}/", response.status_code
    )
    assert violations(openapi, schema, product) == []

    added = {**product, "cost_price": "10.00"}
    removed = {key: value for key, value in product.items() if key != "slug"}
    retyped = {**product, "variants": [{**product["variants"][0], "price": 29.0}]}
    nested = {**product, "seo": {**product["seo"], "keywords": []}}
    assert violations(openapi, schema, added) == [
        "$: Additional properties are not allowed ('cost_price' was unexpected)"
    ]
    assert violations(openapi, schema, removed) == ["$: 'slug' is a required property"]
    assert violations(openapi, schema, retyped) == [
        "$.variants[0].price: 29.0 is not of type 'string'"
    ]
    assert violations(openapi, schema, nested) == [
        "$.seo: Additional properties are not allowed ('keywords' was unexpected)"
    ]
