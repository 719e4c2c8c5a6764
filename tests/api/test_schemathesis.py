"""The API against its own OpenAPI document, with schemathesis.

A live server (a real HTTP server in a thread) serves the app; the schema is
read from ``/api/v1/schema/`` and every operation is called with generated
requests, valid and invalid, checked by all of schemathesis' checks: no server
errors, documented status codes, content types, headers and bodies, invalid
input rejected, valid input accepted, authentication enforced. Response
bodies are checked against closed components (``strict_schema``): a key the
schema does not declare fails too.

One run per credential, each with the operations that credential opens: an
API key of each scope (``catalog:read``: catalog, pages, search, store
settings, availability; ``orders:write``: placing and cancelling orders,
surveys, cart holds; ``orders:read``: the status page), found from each view's
``required_scope``, and a superuser's staff token for the staff endpoints.
That the other credentials are refused is the security matrix's business
(``tests/security/test_api_matrix.py``).

Bounded and deterministic: a fixed seed, derandomized generation, a bounded
number of examples per operation, no example database on disk. The
false positives, each with its reason, are dropped in ``schemathesis_hooks.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.urls import Resolver404, resolve
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from api.models import Scope
from api.permissions import ANY_SCOPE
from api.services import create_api_key, issue_staff_token
from content.models import (
    Collection,
    CollectionProduct,
    Variant,
)
from plugins.orders.models import SalesChannel, SurveyResponse
from plugins.orders.services import place_order, transition_order
from plugins.stock.models import Warehouse
from plugins.stock.services import receive_stock
from tests.api.storefront_pages import storefront_pages
from tests.api.strict_schema import closed_responses
from tests.content.conftest import make_category, make_product, publish
from tests.factories import ShelfFactory, UserFactory
from tests.plugins.orders.conftest import ADDRESS, CUSTOMER

# Fuzzed cases of all the runs together, spread over the schema's operations
# (10 to 50 each), so that the runs' time stays bounded as plugins add
# endpoints.
FUZZ_BUDGET = 1000
STAFF = "staff"
CREDENTIALS = [*Scope.values, STAFF]
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
SEED = 20240601

# A live server needs committed data. Not serialized_rollback: its final flush
# would leave the transactional tests that follow without content types and
# permissions; the page tree is made again below instead.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def site_root() -> Page:
    """The root page, with its locale: the migrations' own, or new ones when an
    earlier transactional test flushed them."""
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    locale, _created = Locale.objects.get_or_create(language_code=language)
    return Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Raiz", slug="root", locale=locale)
    )


@pytest.fixture
def catalog_data(db):
    """A little published catalog and a few pages, so that the endpoints answer
    with real payloads. Returns values for the schema's path parameters."""
    from content.models import Brand

    moda = make_category("moda", "Moda")
    camisetas = make_category("camisetas", "Camisetas", parent=moda)
    brand = publish(Brand.objects.create(slug="nordeste", name="Nordeste Têxtil"))
    camiseta = make_product(
        "camiseta-basica",
        name="Camiseta básica",
        brand=brand,
        primary_category=camisetas,
        variants=[("CAM-AZ-M", "49.90"), ("CAM-AZ-G", "54.90")],
    )
    camiseta.tags.add("verão")
    publish(camiseta)
    make_product("caneca", primary_category=moda, variants=[("CAN-1", "29.00")])
    collection = Collection(name="Mais vendidos", slug="mais-vendidos")
    collection.items = [CollectionProduct(product=camiseta)]
    collection.save()
    publish(collection)

    home = storefront_pages(site_root(), collection)
    shelf = ShelfFactory(code="a1", name="Corredor A1", capacity=10, units=2)
    warehouse = Warehouse.objects.create(code="SP-01", name="São Paulo")
    receive_stock(
        warehouse, variant=Variant.objects.get(sku="CAM-AZ-M"), quantity=50, user=None
    )
    # The storefront channel orders placed through the API go to by default.
    loja = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind="storefront"
    )
    Warehouse.objects.create(code="RJ-01", name="Rio de Janeiro")

    def place():
        return place_order(
            channel=loja,
            user=None,
            customer=dict(CUSTOMER),
            shipping_address=dict(ADDRESS),
            lines=[{"sku": "CAM-AZ-M", "quantity": 1}],
            payment_method="pix",
        ).order

    order = place()
    delivered = place()  # with a survey to answer
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        transition_order(delivered, name, user=None)
    return {
        "order": order.customer_token,
        "number": order.number,
        "customer": order.customer_id,
        "other_customer": delivered.customer_id,
        "survey": SurveyResponse.objects.get(order=delivered).token,
        "slug": camiseta.slug,
        "path": camisetas.path,
        "id": home.pk,
        "shelf": shelf.pk,
        "collection": collection.slug,
    }


def credential_of(path: str) -> str:
    """The credential an operation is for: its view's ``required_scope``
    (``ANY_SCOPE`` is any key's) or, without one, staff."""
    view = None
    for value in ("1", "00000000-0000-4000-8000-000000000001"):  # int, slug / uuid
        try:
            match = resolve(re.sub(r"\{[^}]+\}", value, path))
        except Resolver404:
            continue
        view = getattr(match.func, "view_class", None)
        if view is not None:
            break
    scope = getattr(view, "required_scope", None)
    return STAFF if scope is None else scope


def operations_for(raw: dict, credential: str) -> dict:
    """The schema with only the operations ``credential`` opens."""
    paths = {
        path: operations
        for path, operations in raw["paths"].items()
        if credential_of(path) in (credential, ANY_SCOPE)
        and (credential != STAFF or credential_of(path) == STAFF)
    }
    return {**raw, "paths": paths}


def with_examples(raw: dict, examples: dict) -> dict:
    """The schema with ``examples`` ({(method, path): {parameter: value}}) set
    on the parameters (``"body"``: the JSON request body), so that the examples
    phase calls the operations with the test data. Operations not in the
    schema are skipped."""
    for (method, path), values in examples.items():
        operation = raw["paths"].get(path, {}).get(method)
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["name"] in values:
                parameter["example"] = values[parameter["name"]]
        if "body" in values:
            content = operation["requestBody"]["content"]["application/json"]
            content["example"] = values["body"]
    return raw


def operation_count(raw: dict) -> int:
    return sum(len(methods) for methods in raw["paths"].values())


def run_schemathesis(
    tmp_path,
    base_url: str,
    raw_schema: dict,
    auth: dict,
    operations=(),
    max_examples: int = 10,
) -> str:
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(json.dumps(raw_schema))
    config = tmp_path / "schemathesis.toml"
    lines = [
        f"hooks = {json.dumps(str(HOOKS))}",
        f"seed = {SEED}",
        "workers = 1",
        # A new connection per request: on a kept-alive one, Django's
        # development server answers each request ~40 ms late (delayed ACKs).
        'headers = { Connection = "close" }',
        "[cache]",
        "enabled = false",
        "[generation]",
        'mode = "all"',
        f"max-examples = {max_examples}",
        "deterministic = true",
        'database = "none"',
        "[checks]",
        "enabled = true",
    ]
    for scheme, values in auth.items():
        lines.append(f"[auth.openapi.{scheme}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    for operation in operations:
        lines.append("[[operations]]")
        for key, value in operation.items():
            if isinstance(value, dict):
                pairs = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {pairs} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    config.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config),
            "--no-color",
            "run",
            str(schema_file),
            "--url",
            base_url,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def new_key(scope: str) -> str:
    _key, secret = create_api_key(
        name=f"Schemathesis {scope}",
        scopes=[scope],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    return secret


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_api_conforms_to_its_schema(tmp_path, live_server, catalog_data, credential):
    url = live_server.url
    response = requests.get(f"{url}/api/v1/schema/?format=json", timeout=30)
    response.raise_for_status()
    everything = closed_responses(response.json())
    max_examples = max(10, min(50, FUZZ_BUDGET // operation_count(everything)))
    raw = operations_for(everything, credential)
    examples = {}
    operations = []
    if credential == STAFF:
        staff = UserFactory(username="root", is_superuser=True, is_staff=True)
        token, bearer = issue_staff_token(user=staff, name="Schemathesis")
        # DELETE /auth/token/ revokes the token it is called with: its own.
        revoked, disposable = issue_staff_token(
            user=staff, name="Schemathesis (DELETE)"
        )
        auth = {"StaffToken": {"bearer": bearer}}
        operations.append(
            {
                "include-name": "DELETE /api/v1/auth/token/",
                "headers": {"Authorization": f"Bearer {disposable}"},
            }
        )
        staff_api = requests.Session()
        staff_api.headers["Authorization"] = f"Bearer {bearer}"
        transfer = staff_api.post(
            f"{url}/api/v1/stock/transfers/",
            json={
                "source": "SP-01",
                "destination": "RJ-01",
                "lines": [{"sku": "CAM-AZ-M", "quantity": 1}],
            },
            timeout=30,
        ).json()["id"]
        count = staff_api.post(
            f"{url}/api/v1/stock/counts/", json={"warehouse": "RJ-01"}, timeout=30
        ).json()["id"]
        number = catalog_data["number"]
        customer = catalog_data["customer"]
        examples = {
            ("get", "/api/v1/stock/transfers/{id}/"): {"id": transfer},
            ("post", "/api/v1/stock/transfers/{id}/receive/"): {"id": transfer},
            **{
                (method, f"/api/v1/stock/counts/{{id}}/{action}"): {"id": count}
                for method, action in (
                    ("get", ""),
                    ("post", "lines/"),
                    ("post", "post/"),
                    ("post", "cancel/"),
                )
            },
            **{
                (method, f"/api/v1/orders/staff/customers/{{id}}/{action}"): {
                    "id": customer
                }
                for method, action in (
                    ("get", ""),
                    ("get", "history/"),
                    ("post", "export/"),
                )
            },
            ("patch", "/api/v1/orders/staff/customers/{id}/"): {
                "id": customer,
                "body": {"phone": "+55 11 99999-0000"},
            },
            # Another customer: an anonymised one may not be edited.
            ("post", "/api/v1/orders/staff/customers/{id}/anonymise/"): {
                "id": catalog_data["other_customer"]
            },
            ("post", "/api/v1/orders/staff/{number}/notes/"): {"number": number},
            ("post", "/api/v1/orders/staff/{number}/transitions/{name}/"): {
                "number": number,
                "name": "pay",
            },
            ("get", "/api/v1/shelves/{id}/"): {"id": catalog_data["shelf"]},
            ("post", "/api/v1/shelves/{id}/restock/"): {
                "id": catalog_data["shelf"],
                "body": {"units": 1},
            },
            ("get", "/api/v1/orders/staff/{number}/"): {
                "number": catalog_data["number"]
            },
        }
    else:
        secret = new_key(credential)
        auth = {"ApiKey": {"api_key": f"Api-Key {secret}"}}
        api = requests.Session()
        api.headers["Authorization"] = f"Api-Key {secret}"
        if credential == Scope.CATALOG_READ:
            first_page = api.get(
                f"{url}/api/v1/catalog/products/?page_size=1", timeout=30
            ).json()
            examples = {
                ("get", "/api/v1/catalog/products/"): {
                    "category": "moda",
                    "brand": "nordeste",
                    "option": ["cor:op0"],
                    "cursor": first_page["next_cursor"],
                    "page_size": 1,
                },
                ("get", "/api/v1/catalog/products/{slug}/"): {
                    "slug": catalog_data["slug"]
                },
                ("get", "/api/v1/catalog/categories/{path}/"): {
                    "path": catalog_data["path"]
                },
                ("get", "/api/v1/catalog/collections/{slug}/"): {
                    "slug": catalog_data["collection"]
                },
                ("get", "/api/v1/pages/"): {"path": "/sobre-nos/"},
                ("get", "/api/v1/pages/{id}/children/"): {"id": catalog_data["id"]},
                ("get", "/api/v1/redirects/"): {"path": "/quem-somos/"},
                ("get", "/api/v1/search/"): {"q": "camiseta"},
                ("get", "/api/v1/stock/availability/"): {"sku": ["CAM-AZ-M"]},
            }
        elif credential == Scope.ORDERS_WRITE:
            # Holds belong to the key that made them.
            hold = api.post(
                f"{url}/api/v1/stock/holds/",
                json={"lines": [{"sku": "CAM-AZ-M", "quantity": 1}]},
                timeout=30,
            ).json()
            examples = {
                ("post", "/api/v1/stock/holds/"): {
                    "body": {"lines": [{"sku": "CAM-AZ-M", "quantity": 1}]}
                },
                ("post", "/api/v1/orders/survey/{token}/"): {
                    "token": catalog_data["survey"],
                    "body": {"score": 9},
                },
                ("get", "/api/v1/stock/holds/{token}/"): {"token": hold["token"]},
                ("post", "/api/v1/stock/holds/{token}/extend/"): {
                    "token": hold["token"]
                },
                ("delete", "/api/v1/stock/holds/{token}/"): {"token": hold["token"]},
                ("post", "/api/v1/orders/status/{token}/cancel/"): {
                    "token": catalog_data["order"]
                },
            }
        elif credential == Scope.LOGISTICS_QUOTE:
            examples = {
                ("post", "/api/v1/logistics/quote/"): {
                    "body": {
                        "destination_cep": "01310-100",
                        "lines": [{"sku": "CAM-AZ-M", "quantity": 1}],
                    }
                }
            }
        else:
            examples = {
                ("get", "/api/v1/orders/status/{token}/"): {
                    "token": catalog_data["order"]
                }
            }
    raw = with_examples(raw, examples)
    output = run_schemathesis(
        tmp_path, url, raw, auth, operations=operations, max_examples=max_examples
    )
    sys.stdout.write(output)
    count = operation_count(raw)
    assert count > 0
    assert f"Tested: {count}\n" in output  # every operation of the run
    if credential == STAFF:
        token.refresh_from_db()
        revoked.refresh_from_db()
        assert token.is_active and not revoked.is_active


def test_each_operation_is_in_one_credentials_run(client, db):
    """Every operation of the schema is fuzzed, in the run of the credential
    it is for (``auth/key/``, open to any key, in each key's)."""
    raw = client.get("/api/v1/schema/?format=json").json()
    runs = {
        credential: {
            (method, path)
            for path, methods in operations_for(raw, credential)["paths"].items()
            for method in methods
        }
        for credential in CREDENTIALS
    }
    everything = {
        (method, path) for path, methods in raw["paths"].items() for method in methods
    }
    assert set().union(*runs.values()) == everything
    assert ("get", "/api/v1/auth/key/") in set.intersection(
        *(runs[scope] for scope in Scope.values)
    )
    assert ("post", "/api/v1/orders/") in runs[Scope.ORDERS_WRITE]
    assert ("get", "/api/v1/orders/status/{token}/") in runs[Scope.ORDERS_READ]
    assert ("get", "/api/v1/catalog/products/") in runs[Scope.CATALOG_READ]
    assert ("get", "/api/v1/orders/staff/") in runs[STAFF]
    assert ("post", "/api/v1/auth/token/") in runs[STAFF]
