"""The stock screens read as pt-BR: yes/no instead of True/False, names
instead of codes and slugs."""

from plugins.stock.models import ChannelWarehouse, Warehouse
from plugins.stock.services import open_count
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


def test_counts_name_their_category_by_its_path_of_names(
    client, stock_manager, stocked, camisetas
):
    open_count(
        Warehouse.objects.get(code="SP-01"), user=stock_manager, category=camisetas
    )
    client.force_login(stock_manager)

    (row,) = listing_rows(client.get("/admin/stock/counts/"))

    assert "Moda › Camisetas" in row and "moda/" not in row


def test_channel_warehouses_name_the_channel(client, superuser, sp, loja):
    ChannelWarehouse.objects.create(channel_code="loja", warehouse=sp)
    client.force_login(superuser)

    (row,) = listing_rows(client.get("/admin/stock/channels/"))

    assert row.startswith("Loja virtual")


def test_the_count_form_offers_categories_by_their_names(
    client, stock_manager, sp, camisetas
):
    client.force_login(stock_manager)

    text = page_text(client.get("/admin/stock/counts/new/"))

    assert "Moda › Camisetas" in text and "moda/camisetas" not in text
