"""The stock API: availability and cart holds for storefronts, the staff
endpoints within the user's warehouses (denied paths included), the 409 of an
order placed without stock, and availability in the catalog payload."""

import datetime

import pytest
from django.utils import timezone

from plugins.stock.models import CartHold, InventoryCount, Transfer
from plugins.stock.services import release_expired_holds
from tests.plugins.orders.conftest import staff_client
from tests.plugins.stock.conftest import (
    assert_ledger_ok,
    grant_warehouse,
    level,
    order_request,
    stock,
)

BASE = "/api/v1/stock/"


@pytest.fixture
def shop(key_client):
    return key_client("catalog:read", "orders:write")


@pytest.fixture
def clerk_api(clerk_sp):
    return staff_client(clerk_sp)


# -- availability -----------------------------------------------------------------


def test_availability_per_sku_and_warehouse(stocked, shop):
    response = shop.get(f"{BASE}availability/?sku=CAM-P&sku=CAN-1&sku=NOPE")
    assert response.status_code == 200
    results = {r["sku"]: r for r in response.json()["results"]}
    assert results["CAM-P"] == {
        "sku": "CAM-P",
        "available": 8,
        "status": "in_stock",
        "orderable": True,
        "warehouses": [
            {"code": "SP-01", "available": 5},
            {"code": "RJ-01", "available": 3},
        ],
    }
    assert results["NOPE"]["status"] == "unknown"
    assert not results["NOPE"]["orderable"]


def test_availability_needs_the_catalog_scope(stocked, key_client, client):
    assert (
        key_client("orders:read").get(f"{BASE}availability/?sku=CAM-P").status_code
        == 403
    )
    assert client.get(f"{BASE}availability/?sku=CAM-P").status_code == 401
    assert key_client("catalog:read").get(f"{BASE}availability/").status_code == 400


def test_availability_is_cached_and_renewed_on_commit(
    stocked, shop, sp, django_capture_on_commit_callbacks, django_assert_num_queries
):
    url = f"{BASE}availability/?sku=CAM-M"
    assert shop.get(url).json()["results"][0]["available"] == 2
    with django_assert_num_queries(0):
        # the key is cached too; nothing of the stock is read again
        assert shop.get(url).json()["results"][0]["available"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        stock("CAM-M", sp, 3)
    assert shop.get(url).json()["results"][0]["available"] == 5


# -- the catalog payload ------------------------------------------------------------


def test_catalog_variants_show_their_availability(stocked, shop, sp, clerk_sp):
    from plugins.stock.services import adjust_stock
    from tests.plugins.stock.conftest import variant

    product = shop.get("/api/v1/catalog/products/camiseta-basica/").json()
    variants = {v["sku"]: v["availability"] for v in product["variants"]}
    assert variants == {
        "CAM-P": {"status": "in_stock", "orderable": True},
        "CAM-M": {"status": "low_stock", "orderable": True},
    }
    adjust_stock(sp, variant=variant("CAM-M"), quantity=-2, reason="x", user=clerk_sp)


def test_the_catalog_cache_is_invalidated_when_a_status_changes(
    stocked, shop, sp, loja, django_capture_on_commit_callbacks
):
    from api.cache import catalog_version
    from tests.plugins.stock.conftest import place

    url = "/api/v1/catalog/products/camiseta-basica/"
    shop.get(url)
    version = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        stock("CAM-P", sp, 10)  # 18 available: in stock before and after
    assert catalog_version() == version
    with django_capture_on_commit_callbacks(execute=True):
        place(loja, lines=[{"sku": "CAM-M", "quantity": 2}])  # low → out of stock
    assert catalog_version() != version
    variants = {v["sku"]: v for v in shop.get(url).json()["variants"]}
    assert variants["CAM-M"]["availability"]["status"] == "out_of_stock"


def test_orders_renew_the_catalog_only_when_a_status_changes(
    stocked, shop, loja, django_capture_on_commit_callbacks
):
    """A SKU in one warehouse (CAM-M, 2 units) and one in two (CAM-P, 5 + 3)."""
    from api.cache import catalog_version
    from tests.plugins.stock.conftest import place

    url = "/api/v1/catalog/products/camiseta-basica/"
    shop.get(url)
    version = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        place(loja, lines=[{"sku": "CAM-P", "quantity": 1}])  # 8 → 7: in stock
        place(loja, lines=[{"sku": "CAM-M", "quantity": 1}])  # 2 → 1: low
    assert catalog_version() == version
    with django_capture_on_commit_callbacks(execute=True):
        place(loja, lines=[{"sku": "CAM-P", "quantity": 2}])  # 7 → 5: low
    assert catalog_version() != version
    version = catalog_version()
    variants = {v["sku"]: v for v in shop.get(url).json()["variants"]}
    assert variants["CAM-P"]["availability"]["status"] == "low_stock"
    with django_capture_on_commit_callbacks(execute=True):
        place(loja, lines=[{"sku": "CAM-M", "quantity": 1}])  # 1 → 0: out
    assert catalog_version() != version
    variants = {v["sku"]: v for v in shop.get(url).json()["variants"]}
    assert variants["CAM-M"]["availability"]["status"] == "out_of_stock"


# -- cart holds -------------------------------------------------------------------


def hold(client, *lines, minutes=15, reference="carrinho-1"):
    return client.post(
        f"{BASE}holds/",
        {
            "lines": [{"sku": s, "quantity": q} for s, q in lines],
            "minutes": minutes,
            "reference": reference,
        },
        format="json",
    )


def test_a_hold_reserves_and_is_released(
    stocked, shop, sp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = hold(shop, ("CAM-M", 2))
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    assert response.json()["lines"] == [{"sku": "CAM-M", "quantity": 2}]
    assert level("CAM-M", sp).reserved == 2
    availability = shop.get(f"{BASE}availability/?sku=CAM-M").json()["results"][0]
    assert availability["available"] == 0
    extended = shop.post(f"{BASE}holds/{token}/extend/", {"minutes": 30}, format="json")
    assert extended.status_code == 200
    assert shop.delete(f"{BASE}holds/{token}/").status_code == 204
    assert level("CAM-M", sp).reserved == 0
    assert shop.delete(f"{BASE}holds/{token}/").status_code == 404
    assert_ledger_ok()


def test_a_hold_beyond_the_stock_is_a_409_naming_the_sku(stocked, shop):
    response = hold(shop, ("CAM-M", 3))
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/insufficient-stock")
    assert body["short"] == [{"sku": "CAM-M", "requested": 3, "available": 2}]
    assert hold(shop, ("NOPE-1", 1)).status_code == 404


def test_holds_belong_to_their_key(stocked, shop, key_client):
    token = hold(shop, ("CAM-M", 1)).json()["token"]
    other = key_client("orders:write")
    assert other.get(f"{BASE}holds/{token}/").status_code == 404
    assert other.delete(f"{BASE}holds/{token}/").status_code == 404
    assert key_client("catalog:read").post(f"{BASE}holds/", {}).status_code == 403


def test_a_new_hold_with_the_same_reference_replaces_it(stocked, shop, sp):
    hold(shop, ("CAM-M", 2))
    assert hold(shop, ("CAM-M", 1)).status_code == 201
    assert level("CAM-M", sp).reserved == 1
    assert CartHold.objects.filter(status="active").count() == 1


def test_expired_holds_stop_counting_and_are_released(stocked, shop, sp):
    token = hold(shop, ("CAM-M", 2)).json()["token"]
    CartHold.objects.filter(token=token).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    from plugins.stock.models import Reservation

    Reservation.objects.filter(hold__token=token).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    available = shop.get(f"{BASE}availability/?sku=CAM-M").json()["results"][0]
    assert available["available"] == 2  # already excluded
    extend = shop.post(f"{BASE}holds/{token}/extend/", {"minutes": 5}, format="json")
    assert extend.status_code == 409
    # an order needing the held units releases the expired hold itself
    assert hold(shop, ("CAM-M", 2), reference="outro").status_code == 201
    assert CartHold.objects.get(token=token).status == "expired"
    assert release_expired_holds() == 0
    assert_ledger_ok()


def test_the_periodic_task_releases_expired_holds(stocked, shop, sp):
    from django.core.management import call_command

    token = hold(shop, ("CAM-M", 2)).json()["token"]
    later = timezone.now() + datetime.timedelta(minutes=16)
    assert release_expired_holds(now=later) == 1
    assert level("CAM-M", sp).reserved == 0
    assert CartHold.objects.get(token=token).status == "expired"
    call_command("release_expired_holds", verbosity=0)
    assert_ledger_ok()


def test_an_order_with_the_carts_reference_takes_the_hold_over(stocked, shop, loja, sp):
    from tests.plugins.stock.conftest import place

    hold(shop, ("CAM-M", 2), ("CAM-P", 1), reference="cart-42")
    order = place(
        loja,
        idempotency_key="cart-42",
        lines=[{"sku": "CAM-M", "quantity": 2}],
    )
    assert level("CAM-M", sp).reserved == 2  # not 4: the held units became the order's
    assert level("CAM-P", sp).reserved == 0  # the rest of the hold was released
    assert CartHold.objects.get(reference="cart-42").status == "converted"
    from plugins.stock.models import Reservation

    assert Reservation.objects.filter(order_id=order.pk, status="active").count() == 1
    assert_ledger_ok()


# -- orders refused through the orders API ---------------------------------------


def test_the_orders_api_answers_409_naming_each_short_sku(stocked, loja, key_client):
    client = key_client("orders:write")
    data = order_request(
        lines=[{"sku": "CAM-P", "quantity": 9}, {"sku": "CAM-M", "quantity": 1}]
    )
    del data["shipping_total"]  # a storefront states no amounts
    response = client.post(
        "/api/v1/orders/", data, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["short"] == [
        {"sku": "CAM-P", "requested": 9, "available": 8}
    ]


# -- staff ------------------------------------------------------------------------


def test_clerk_sees_only_their_warehouses(stocked, clerk_api):
    warehouses = clerk_api.get(f"{BASE}warehouses/").json()
    assert [w["code"] for w in warehouses] == ["SP-01"]
    levels = clerk_api.get(f"{BASE}levels/").json()["results"]
    assert {(lv["sku"], lv["warehouse"]) for lv in levels} == {
        ("CAM-P", "SP-01"),
        ("CAM-M", "SP-01"),
    }
    assert clerk_api.get(f"{BASE}levels/?warehouse=RJ-01").json()["results"] == []
    movements = clerk_api.get(f"{BASE}movements/").json()["results"]
    assert {m["warehouse"] for m in movements} == {"SP-01"}


def test_level_filters(stocked, clerk_api, sp, clerk_sp):
    from plugins.stock.services import set_reorder_point

    set_reorder_point(level("CAM-M", sp), reorder_point=2, user=None)
    below = clerk_api.get(f"{BASE}levels/?below_reorder_point=true").json()
    assert [lv["sku"] for lv in below["results"]] == ["CAM-M"]
    assert clerk_api.get(f"{BASE}levels/?out_of_stock=true").json()["results"] == []
    assert clerk_api.get(f"{BASE}levels/?sku=CAM-P").json()["count"] == 1


def test_receipts_and_adjustments(stocked, clerk_api, sp):
    response = clerk_api.post(
        f"{BASE}receipts/",
        {"warehouse": "SP-01", "sku": "CAM-M", "quantity": 4, "reference": "NF 9"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "receipt"
    assert response.json()["user"] == "estoquista"
    response = clerk_api.post(
        f"{BASE}adjustments/",
        {"warehouse": "SP-01", "sku": "CAM-M", "quantity": -1, "reason": "quebra"},
        format="json",
    )
    assert response.status_code == 201
    assert level("CAM-M", sp).on_hand == 5
    too_many = clerk_api.post(
        f"{BASE}adjustments/",
        {"warehouse": "SP-01", "sku": "CAM-M", "quantity": -9, "reason": "quebra"},
        format="json",
    )
    assert too_many.status_code == 409
    assert too_many.json()["short"][0]["available"] == 5
    for bad in ({"quantity": 0}, {"reason": "  "}):
        data = {"warehouse": "SP-01", "sku": "CAM-M", "quantity": 1, "reason": "x"}
        response = clerk_api.post(f"{BASE}adjustments/", {**data, **bad}, format="json")
        assert response.status_code == 400
    assert_ledger_ok()


def test_clerk_cannot_move_stock_elsewhere(stocked, clerk_api, clerk_sp, rj):
    data = {"warehouse": "RJ-01", "sku": "CAN-1", "quantity": 1, "reason": "x"}
    assert clerk_api.post(f"{BASE}receipts/", data, format="json").status_code == 404
    assert clerk_api.post(f"{BASE}adjustments/", data, format="json").status_code == 404
    grant_warehouse(clerk_sp, rj, "view_warehouse")  # sees RJ-01, moves nothing there
    from plugins.permissions import clear_permission_cache

    clear_permission_cache(clerk_sp)
    assert clerk_api.post(f"{BASE}receipts/", data, format="json").status_code == 403
    assert level("CAN-1", rj).on_hand == 10


def test_roles_without_stock_get_nothing(stocked, editor, manager):
    assert staff_client(editor).get(f"{BASE}levels/").status_code == 403
    manager_api = staff_client(manager)
    assert manager_api.get(f"{BASE}levels/").json()["count"] == 4  # reads all
    data = {"warehouse": "SP-01", "sku": "CAM-M", "quantity": 1}
    assert manager_api.post(f"{BASE}receipts/", data, format="json").status_code == 403


def test_transfer_end_to_end(stocked, clerk_sp, sp, rj):
    from tests.factories import UserFactory

    sender = staff_client(clerk_sp)
    response = sender.post(
        f"{BASE}transfers/",
        {
            "source": "SP-01",
            "destination": "RJ-01",
            "lines": [{"sku": "CAM-P", "quantity": 4}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    transfer = response.json()
    assert (level("CAM-P", sp).on_hand, level("CAM-P", rj).in_transit) == (1, 4)
    # the clerk of SP-01 cannot receive at RJ-01
    receive = f"{BASE}transfers/{transfer['id']}/receive/"
    assert sender.post(receive, {}, format="json").status_code == 403
    clerk_rj = UserFactory(username="estoquista-rj", roles=["stock_clerk"])
    grant_warehouse(clerk_rj, rj)
    receiver = staff_client(clerk_rj)
    response = receiver.post(
        receive, {"lines": [{"sku": "CAM-P", "received": 3}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["lines"][0]["received_quantity"] == 3
    assert (level("CAM-P", rj).on_hand, level("CAM-P", rj).in_transit) == (6, 0)
    assert receiver.post(receive, {}, format="json").status_code == 409
    assert Transfer.objects.get().status == "received"
    assert_ledger_ok()


def test_transfers_cannot_take_reserved_units(stocked, clerk_api, loja):
    from tests.plugins.stock.conftest import place

    place(loja, lines=[{"sku": "CAM-M", "quantity": 2}])
    response = clerk_api.post(
        f"{BASE}transfers/",
        {
            "source": "SP-01",
            "destination": "RJ-01",
            "lines": [{"sku": "CAM-M", "quantity": 1}],
        },
        format="json",
    )
    assert response.status_code == 409


def test_count_end_to_end(stocked, clerk_api, sp, camisetas, stock_manager):
    from content.models import Product

    Product.objects.filter(slug="camiseta-basica").update(primary_category=camisetas)
    response = clerk_api.post(
        f"{BASE}counts/",
        {"warehouse": "SP-01", "category": "moda/camisetas"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    count = response.json()
    # the clerk counts blind: no expected units in what they receive
    assert [sorted(line) for line in count["lines"]] == [
        ["counted", "id", "sku"],
        ["counted", "id", "sku"],
    ]
    url = f"{BASE}counts/{count['id']}/"
    manager_lines = staff_client(stock_manager).get(url).json()["lines"]
    assert {(line["sku"], line["expected"]) for line in manager_lines} == {
        ("CAM-P", 5),
        ("CAM-M", 2),
    }
    response = clerk_api.post(
        url + "lines/",
        {"lines": [{"sku": "CAM-P", "counted": 4}, {"sku": "CAM-M", "counted": 2}]},
        format="json",
    )
    assert response.status_code == 200
    response = clerk_api.post(url + "post/")
    assert response.status_code == 200
    assert "posted_difference" not in response.content.decode()
    response = staff_client(stock_manager).get(url)
    lines = {line["sku"]: line for line in response.json()["lines"]}
    assert lines["CAM-P"]["posted_difference"] == -1
    assert lines["CAM-M"]["posted_difference"] == 0
    assert level("CAM-P", sp).on_hand == 4
    assert clerk_api.post(url + "post/").status_code == 409
    assert InventoryCount.objects.get().status == "posted"
    assert_ledger_ok()


def test_counts_of_other_warehouses_are_404(stocked, rj, clerk_api):
    from plugins.stock.services import open_count

    count = open_count(rj, user=None)
    assert clerk_api.get(f"{BASE}counts/{count.pk}/").status_code == 404
    assert clerk_api.post(f"{BASE}counts/{count.pk}/post/").status_code == 404
    assert clerk_api.get(f"{BASE}counts/").json()["results"] == []
    response = clerk_api.post(f"{BASE}counts/", {"warehouse": "RJ-01"}, format="json")
    assert response.status_code == 404


def test_changing_a_warehouse_renews_availability_and_the_catalog(
    stocked, shop, sp, django_capture_on_commit_callbacks
):
    from api.cache import catalog_version

    url = f"{BASE}availability/?sku=CAM-M"
    assert shop.get(url).json()["results"][0]["available"] == 2
    version = catalog_version()
    sp.active = False
    with django_capture_on_commit_callbacks(execute=True):
        sp.save()
    assert shop.get(url).json()["results"][0]["status"] == "out_of_stock"
    assert catalog_version() != version


def test_text_fields_take_strings_only(stocked, shop, clerk_api):
    """As the schema says: a number where text is expected is a 400 naming
    the field, not text ("0")."""
    response = hold(shop, ("CAM-M", 1), reference=0)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reference"]
    receipt = {"warehouse": "SP-01", "sku": 123, "quantity": 1}
    response = clerk_api.post(f"{BASE}receipts/", receipt, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sku"]
