"""The API against its own OpenAPI document, with schemathesis.

A live server (a real HTTP server in a thread) serves the app; the schema is
read from ``/api/v1/schema/`` and every operation is called with generated
requests, valid and invalid, checked by all of schemathesis' checks: no server
errors, documented status codes, content types, headers and bodies, invalid
input rejected, valid input accepted, authentication enforced.

Bounded and deterministic: a fixed seed, derandomized generation, a bounded
number of examples per operation, no example database on disk. The
false positives, each with its reason, are dropped in ``schemathesis_hooks.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings
from wagtail.contrib.redirects.models import Redirect
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from api.models import Scope
from api.services import create_api_key, issue_staff_token
from content.models import (
    Collection,
    CollectionProduct,
    ContentPage,
    HomePage,
    StoreSettings,
)
from plugins.orders.models import SalesChannel
from tests.content.conftest import make_category, make_product, publish
from tests.factories import ShelfFactory, UserFactory

# Fuzzed cases per run, spread over the operations (10 to 50 each), so that
# the test stays well under a minute as plugins add endpoints.
FUZZ_BUDGET = 1000
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

    home = site_root().add_child(
        instance=HomePage(
            title="Loja",
            slug="loja",
            body=[
                (
                    "product_grid",
                    {
                        "title": "Mais vendidos",
                        "source": "collection",
                        "collection": collection,
                        "limit": 4,
                    },
                )
            ],
        )
    )
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    about = home.add_child(
        instance=ContentPage(title="Sobre nós", slug="sobre-nos", intro="Quem somos")
    )
    Redirect.objects.create(old_path="/quem-somos", redirect_page=about)
    store = StoreSettings.for_site(Site.objects.get(is_default_site=True))
    store.store_name = "Loja Retaguarda"
    store.privacy_policy_page = about
    store.save()
    shelf = ShelfFactory(code="a1", name="Corredor A1", capacity=10, units=2)
    # The storefront channel orders placed through the API go to by default.
    SalesChannel.objects.create(code="loja", name="Loja virtual", kind="storefront")
    return {
        "slug": camiseta.slug,
        "path": camisetas.path,
        "id": home.pk,
        "shelf": shelf.pk,
        "collection": collection.slug,
    }


def with_examples(raw: dict, examples: dict) -> dict:
    """The schema with ``examples`` ({(method, path): {parameter: value}}) set
    on the parameters (``"body"``: the JSON request body), so that the examples
    phase calls the operations with the test data."""
    for (method, path), values in examples.items():
        operation = raw["paths"][path][method]
        for parameter in operation.get("parameters", []):
            if parameter["name"] in values:
                parameter["example"] = values[parameter["name"]]
        if "body" in values:
            content = operation["requestBody"]["content"]["application/json"]
            content["example"] = values["body"]
    return raw


def run_schemathesis(
    tmp_path, base_url: str, raw_schema: dict, auth: dict, operations=()
) -> str:
    count = sum(len(methods) for methods in raw_schema["paths"].values())
    max_examples = max(10, min(50, FUZZ_BUDGET // count))
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


def test_api_conforms_to_its_schema(tmp_path, live_server, catalog_data):
    _key, secret = create_api_key(
        name="Schemathesis",
        scopes=list(Scope.values),
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    staff = UserFactory(username="root", is_superuser=True, is_staff=True)
    token, bearer = issue_staff_token(user=staff, name="Schemathesis")
    # DELETE /auth/token/ revokes the token it is called with: its own token.
    revoked, disposable = issue_staff_token(user=staff, name="Schemathesis (DELETE)")

    api = requests.Session()
    api.headers["Authorization"] = f"Api-Key {secret}"
    first_page = api.get(
        f"{live_server.url}/api/v1/catalog/products/?page_size=1", timeout=30
    ).json()
    response = requests.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30)
    response.raise_for_status()
    raw = with_examples(
        response.json(),
        {
            ("get", "/api/v1/catalog/products/"): {
                "category": "moda",
                "brand": "nordeste",
                "option": ["cor:op0"],
                "cursor": first_page["next_cursor"],
                "page_size": 1,
            },
            ("get", "/api/v1/catalog/products/{slug}/"): {"slug": catalog_data["slug"]},
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
            ("get", "/api/v1/shelves/{id}/"): {"id": catalog_data["shelf"]},
            ("post", "/api/v1/shelves/{id}/restock/"): {
                "id": catalog_data["shelf"],
                "body": {"units": 1},
            },
        },
    )
    output = run_schemathesis(
        tmp_path,
        live_server.url,
        raw,
        {
            "ApiKey": {"api_key": f"Api-Key {secret}"},
            "StaffToken": {"bearer": bearer},
        },
        operations=[
            {
                "include-name": "DELETE /api/v1/auth/token/",
                "headers": {"Authorization": f"Bearer {disposable}"},
            }
        ],
    )
    sys.stdout.write(output)
    operations = sum(len(methods) for methods in raw["paths"].values())
    assert f"Tested: {operations}\n" in output  # every operation of the schema
    token.refresh_from_db()
    revoked.refresh_from_db()
    assert token.is_active and not revoked.is_active
