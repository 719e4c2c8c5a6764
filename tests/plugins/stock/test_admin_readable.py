"""The stock screens read as pt-BR: yes/no instead of True/False."""

from plugins.stock.models import Warehouse
from tests.helpers import listing_rows, page_text


def test_warehouse_listing_reads_sim_and_nao(client, superuser, sp):
    Warehouse.objects.create(
        code="RJ-02", name="Rio", priority=30, active=False, allow_backorders=True
    )
    client.force_login(superuser)

    response = client.get("/admin/stock/warehouses/")

    rows = {row.split()[0]: row for row in listing_rows(response)}
    # active, allow backorders
    assert "São Paulo 10 Sim Não" in rows["SP-01"]
    assert "Rio 30 Não Sim" in rows["RJ-02"]
    text = page_text(response)
    assert "True" not in text and "False" not in text


def test_active_filter_chip_reads_sim(client, superuser, sp):
    client.force_login(superuser)

    response = client.get("/admin/stock/warehouses/?active=true")

    assert "Ativo: Sim" in page_text(response)


def test_low_stock_filter_chip_reads_sim(client, stock_manager, stocked):
    client.force_login(stock_manager)

    text = page_text(client.get("/admin/stock/levels/?below_reorder_point=true"))
    assert "Abaixo do ponto de reposição: Sim" in text
    assert "True" not in text

    text = page_text(client.get("/admin/stock/levels/?below_reorder_point=false"))
    assert "Abaixo do ponto de reposição: Não" in text
    assert "False" not in text
