"""The demo stock written by `manage.py seed_demo` (the DEMO_DATA hook)."""

import io

from wagtail import hooks as wagtail_hooks

from plugins.hooks import DEMO_DATA
from plugins.stock import demo
from plugins.stock.models import ChannelWarehouse, StockLevel, StockMovement, Warehouse
from plugins.stock.services import find_drift
from tests.factories import UserFactory


def test_demo_stock_runs_before_the_demo_orders():
    names = [fn.__module__ for fn in wagtail_hooks.get_hooks(DEMO_DATA)]
    assert names.index("plugins.stock.demo") < names.index("plugins.orders.demo")


def test_demo_stock(sellable):
    clerk = UserFactory(username="stock_clerk", roles=["stock_clerk"])
    out = io.StringIO()
    demo.seed_demo_stock(stdout=out)
    assert set(Warehouse.objects.values_list("code", flat=True)) == {
        "SP-01",
        "RJ-01",
        "MG-01",
    }
    assert StockMovement.objects.filter(reference=demo.REFERENCE).exists()
    assert StockLevel.objects.below_reorder_point().exists()
    assert ChannelWarehouse.objects.get(channel_code="loja").warehouse.code == "SP-01"
    assert clerk.has_perm(
        "stock.operate_warehouse", Warehouse.objects.get(code="SP-01")
    )
    assert not clerk.has_perm(
        "stock.operate_warehouse", Warehouse.objects.get(code="RJ-01")
    )
    assert "Estoque de demonstração" in out.getvalue()
    count = StockMovement.objects.count()
    demo.seed_demo_stock(stdout=io.StringIO())  # idempotent
    assert StockMovement.objects.count() == count
    assert find_drift() == []
