"""The customer's NF-e through the order's status token: the ``nfe`` key of
the status page and its DANFE and XML downloads."""

import jsonschema
import pytest
from rest_framework.test import APIClient

from api.services import create_api_key
from plugins.fiscal.models import FiscalDocument

from .conftest import make_order

STATUS = "/api/v1/orders/status/{}/"
DANFE = "/api/v1/fiscal/nfe/{}/danfe/"
XML = "/api/v1/fiscal/nfe/{}/xml/"


def key_client(*scopes):
    _key, secret = create_api_key(
        name="Loja", scopes=list(scopes), allowed_origins=[], rate_limit=0, user=None
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


@pytest.fixture
def storefront(db):
    return key_client("orders:read")


def test_the_status_page_carries_the_authorised_nfe(storefront, authorised_nfe):
    token = authorised_nfe.order.customer_token
    payload = storefront.get(STATUS.format(token)).json()
    assert payload["nfe"] == {
        "key": authorised_nfe.access_key,
        "number": 46320,
        "series": 1,
        "status": "authorised",
        "danfe_url": f"http://testserver{DANFE.format(token)}",
        "xml_url": f"http://testserver{XML.format(token)}",
    }
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    nfe = schema["components"]["schemas"]["CustomerOrder"]["properties"]["nfe"]
    jsonschema.validate(payload["nfe"], nfe)
    assert "nfe" in schema["components"]["schemas"]["CustomerOrder"]["required"]


def test_before_its_nfe_an_order_has_none(storefront, db):
    order = make_order()
    assert storefront.get(STATUS.format(order.customer_token)).json()["nfe"] is None


def test_a_rejected_nfe_is_not_the_customers(storefront, authorised_nfe):
    FiscalDocument.objects.filter(pk=authorised_nfe.pk).update(status="rejected")
    token = authorised_nfe.order.customer_token
    assert storefront.get(STATUS.format(token)).json()["nfe"] is None
    assert storefront.get(DANFE.format(token)).status_code == 404
    assert storefront.get(XML.format(token)).status_code == 404


def test_the_customer_downloads_the_danfe_and_the_xml(storefront, authorised_nfe):
    payload = storefront.get(STATUS.format(authorised_nfe.order.customer_token)).json()
    danfe = storefront.get(payload["nfe"]["danfe_url"])
    assert danfe.status_code == 200
    assert danfe["Content-Type"] == "application/pdf"
    assert danfe.content.startswith(b"%PDF-")
    assert danfe["Cache-Control"] == "private, no-store"
    xml = storefront.get(payload["nfe"]["xml_url"])
    assert xml.status_code == 200
    assert xml["Content-Type"] == "application/xml"
    assert xml.content == authorised_nfe.proc_xml.encode()


def test_an_unknown_token_is_a_404(storefront, authorised_nfe):
    for url in (DANFE, XML):
        response = storefront.get(url.format("x" * 40))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("scopes", [(), ("catalog:read",)])
def test_the_downloads_need_an_orders_key(authorised_nfe, scopes):
    client = key_client(*scopes) if scopes else APIClient()
    token = authorised_nfe.order.customer_token
    for url in (DANFE, XML):
        assert client.get(url.format(token)).status_code in (401, 403)
