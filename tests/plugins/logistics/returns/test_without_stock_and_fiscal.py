"""The return flow with the stock and fiscal plugins disabled, in a real
process running only the orders and logistics plugins."""

import json

import pytest

from tests.helpers import manage

pytestmark = pytest.mark.slow

FLOW = """
import json
from decimal import Decimal
from django.apps import apps
from django.utils import timezone
from plugins.logistics.models import (
    Carrier, CarrierService, Package, ReturnRequest, Shipment, ShippingOrigin,
)
from plugins.logistics.services import returns
from plugins.orders.models import SalesChannel
from plugins.orders.services import place_order, transition_order
from content.models import Product, Variant

product = Product(slug="caneca", name="Caneca", option1_name="cor")
product.variants = [Variant(sku="CAN-1", price=Decimal("39.90"), option1="azul")]
product.live = False
product.save()
product.save_revision().publish()
loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
order = place_order(
    channel=loja,
    user=None,
    customer={"name": "Maria da Silva", "email": "maria@example.com",
              "phone": "+55 11 91234-5678", "document": "529.982.247-25"},
    lines=[{"sku": "CAN-1", "quantity": 2}],
    shipping_address={"recipient": "Maria da Silva", "cep": "01310-100",
                      "street": "Avenida Paulista", "number": "1000",
                      "district": "Bela Vista", "city": "São Paulo", "uf": "SP"},
    payment_method="pix",
).order
for name in ("pay", "invoice", "prepare", "ship", "deliver"):
    transition_order(order, name, user=None)
carrier = Carrier.objects.create(
    code="rapidao", name="Rapidão", kind="table", tracking_prefix="RP"
)
service = CarrierService.objects.create(carrier=carrier, code="EXP", name="Expresso")
origin = ShippingOrigin.objects.create(
    code="sp", name="CD", sender_name="Loja", cep="01310-100", street="Rua Augusta",
    number="100", district="Consolação", city="São Paulo", uf="SP",
)
shipment = Shipment.objects.create(
    order=order, carrier=carrier, service=service, origin=origin,
    status="delivered", declared_value=Decimal("79.80"),
)
Package.objects.create(
    shipment=shipment, number=1, weight_g=500, length_cm=20, width_cm=15,
    height_cm=10,
)
ret = returns.request_return(
    order, items=[{"sku": "CAN-1", "quantity": 2}], reason="defect", via="staff",
)
ret = returns.authorise_return(ret, None)
ret = returns.receive_return(ret, warehouse_code="", user=None)
order.refresh_from_db()
print(json.dumps({
    "stock": apps.is_installed("plugins.stock"),
    "fiscal": apps.is_installed("plugins.fiscal"),
    "return": ret.status,
    "tracking": ret.tracking_code,
    "order": order.status,
}))
"""


def test_a_full_return_returns_the_order_without_stock_and_fiscal(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "RETAGUARDA_PLUGINS": "orders,logistics",
    }
    manage("migrate", "--no-input", "-v0", env=env, timeout=300)
    out = manage("shell", "--no-imports", "-c", FLOW, env=env).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["stock"] is False and result["fiscal"] is False
    assert result["return"] == "received"
    assert result["tracking"].startswith("RP")
    assert result["order"] == "returned"
