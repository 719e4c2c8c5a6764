"""The order desk's screens read as pt-BR: yes/no instead of True/False,
local dates and times, formatted documents."""

import datetime

from plugins.orders.models import Customer
from tests.helpers import listing_rows, page_text


def test_sales_channel_listing_reads_sim_and_nao(
    client, superuser, loja, mercado_livre
):
    client.force_login(superuser)

    response = client.get("/admin/sales-channels/")

    rows = {row.split()[0]: row for row in listing_rows(response)}
    # own prices, active
    assert rows["Loja"].endswith("Não Sim")
    assert rows["Mercado"].endswith("Sim Sim")
    text = page_text(response)
    assert "True" not in text and "False" not in text


def test_customer_inspect_reads_local_times_yes_no_and_the_formatted_document(
    client, superuser
):
    customer = Customer.objects.create(
        name="Ana Souza", document="52998224725", accepts_marketing=True
    )
    # 15:30 UTC is 12:30 in São Paulo (UTC-3)
    Customer.objects.filter(pk=customer.pk).update(
        created_at=datetime.datetime(2026, 3, 10, 15, 30, tzinfo=datetime.UTC)
    )
    client.force_login(superuser)

    text = page_text(client.get(f"/admin/customers/inspect/{customer.pk}/"))

    assert "Criado em 10/03/2026 12:30" in text
    assert "Aceita mensagens de marketing Sim" in text
    assert "Aceita compartilhar dados com parceiros Não" in text
    assert "Anonimizado em —" in text
    assert "CPF ou CNPJ 529.982.247-25" in text
    for raw in ("True", "False", "None", "15:30", "+00:00"):
        assert raw not in text
