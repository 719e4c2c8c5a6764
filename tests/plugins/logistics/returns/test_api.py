"""The storefront's returns, by the order's customer token."""

from __future__ import annotations

import pytest

from plugins.logistics.models import ReturnRequest, ReturnStatus
from plugins.logistics.services.returns import authorise_return
from tests.plugins.orders.conftest import key_client, place  # noqa: F401


def url(order) -> str:
    return f"/api/v1/logistics/returns/{order.customer_token}/"


def ask_url(order) -> str:
    return f"/api/v1/logistics/returns/{order.customer_token}/request/"


BODY = {
    "reason": "defect",
    "comment": "A alça quebrou",
    "items": [{"sku": "CAN-1", "quantity": 1}],
}


@pytest.fixture
def storefront(key_client):  # noqa: F811
    return key_client("orders:write", "orders:read")


def test_customer_asks_for_a_return_and_reads_its_codes(
    storefront, delivered_order, logistics_manager
):
    response = storefront.post(ask_url(delivered_order), BODY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested" and body["items"][0]["sku"] == "CAN-1"
    ret = ReturnRequest.objects.get()
    assert ret.requested_via == "storefront"
    authorise_return(ret, logistics_manager)
    listed = storefront.get(url(delivered_order)).json()
    assert listed[0]["status"] == ReturnStatus.AUTHORISED
    assert listed[0]["tracking_code"].startswith("RP")
    assert listed[0]["authorisation_code"]


def test_another_token_is_not_found(storefront, delivered_order):
    response = storefront.post(
        "/api/v1/logistics/returns/not-a-token/request/", BODY, format="json"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert storefront.get("/api/v1/logistics/returns/not-a-token/").status_code == 404


def test_more_units_than_delivered_is_a_problem(storefront, delivered_order):
    body = {**BODY, "items": [{"sku": "CAN-1", "quantity": 5}]}
    response = storefront.post(ask_url(delivered_order), body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "CAN-1" in response.json()["errors"]["items"][0]
    assert not ReturnRequest.objects.exists()


def test_an_order_not_delivered_takes_no_return(storefront, ready_order):
    response = storefront.post(ask_url(ready_order), BODY, format="json")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/return-refused")


def test_scopes(key_client, delivered_order):  # noqa: F811
    reader = key_client("orders:read")
    assert reader.get(url(delivered_order)).status_code == 200
    assert reader.post(ask_url(delivered_order), BODY, format="json").status_code == 403
    assert key_client("catalog:read").get(url(delivered_order)).status_code == 403
