"""LGPD export and anonymisation; the post-sale survey."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from wagtail.models import ModelLogEntry

from plugins.orders.customers import (
    ANONYMOUS_NAME,
    anonymise_customer,
    export_customer_data,
)
from plugins.orders.exceptions import InvalidOrder, SurveyError
from plugins.orders.models import Address, Customer, Order, SurveyResponse
from plugins.orders.services import transition_order
from plugins.orders.surveys import nps, nps_by_channel, submit_survey
from tests.plugins.orders.conftest import place


@pytest.fixture
def customer_with_orders(sellable, loja, mercado_livre):
    place(loja)
    place(mercado_livre, external_id="ML-1")
    customer = Customer.objects.get()
    Address.objects.create(
        customer=customer,
        recipient="Maria",
        cep="01310-100",
        street="Av. Paulista",
        number="1",
        district="Bela Vista",
        city="São Paulo",
        uf="SP",
    )
    return customer


def test_export_has_everything_about_the_customer(customer_with_orders, manager):
    data = export_customer_data(customer_with_orders, user=manager)
    assert data["customer"]["document"] == "52998224725"
    assert len(data["addresses"]) == 1
    assert len(data["orders"]) == 2
    assert data["orders"][0]["lines"][0]["sku"]
    assert ModelLogEntry.objects.filter(action="orders.customer.export").exists()


def test_anonymise_removes_personal_data_and_keeps_orders(
    customer_with_orders, superuser
):
    totals = sorted(Order.objects.values_list("total", flat=True))
    anonymise_customer(customer_with_orders, user=superuser)
    customer = Customer.objects.get()
    assert customer.name == ANONYMOUS_NAME
    assert (customer.email, customer.phone, customer.document) == ("", "", "")
    assert customer.anonymised_at is not None
    assert not customer.addresses.exists()
    orders = Order.objects.all()
    assert sorted(orders.values_list("total", flat=True)) == totals
    for order in orders:
        assert order.customer_name == ANONYMOUS_NAME
        assert order.customer_document == order.customer_email == ""
        assert order.shipping_address == order.billing_address == {}
        assert order.lines.exists()
    assert ModelLogEntry.objects.filter(action="orders.customer.anonymise").exists()
    # Anonymised customers are not matched by later orders.
    assert place(Order.objects.first().channel).customer_id != customer.pk


def test_read_only_roles_may_not_anonymise(customer_with_orders, auditor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        anonymise_customer(customer_with_orders, user=auditor)


@pytest.mark.parametrize("document", ["52998224725", "11222333000181"])
def test_customer_documents_are_checked(db, document):
    Customer(name="X", document=document).full_clean()
    with pytest.raises(ValidationError):
        Customer(name="X", document=document[:-1] + "0").full_clean()


def deliver(order):
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        transition_order(order, name, user=None)
    return SurveyResponse.objects.get(order=order)


def test_survey_accepts_one_answer(sellable, loja):
    survey = deliver(place(loja))
    submit_survey(survey.token, score=9, comment="Chegou rápido")
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (9, "Chegou rápido")
    with pytest.raises(SurveyError):
        submit_survey(survey.token, score=0)
    survey.refresh_from_db()
    assert survey.score == 9


@pytest.mark.parametrize("score", [-1, 11, "dez", None])
def test_survey_scores_are_0_to_10(sellable, loja, score):
    survey = deliver(place(loja))
    with pytest.raises(InvalidOrder):
        submit_survey(survey.token, score=score)


def test_unknown_survey_token(db):
    with pytest.raises(Http404):
        submit_survey("nada", score=5)


def test_survey_is_emailed_when_configured(sellable, loja, settings):
    settings.RETAGUARDA_SURVEY_EMAILS = True
    settings.RETAGUARDA_SURVEY_URL = "https://loja.example/pesquisa/{token}"
    order = place(loja)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        survey = deliver(order)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maria@example.com"]
    assert f"https://loja.example/pesquisa/{survey.token}" in mail.outbox[0].body
    survey.refresh_from_db()
    assert survey.emailed_at is not None


def test_nps_by_channel(sellable, loja, mercado_livre):
    scores = {loja: [10, 9, 6, 8], mercado_livre: [0, 10]}
    for channel, values in scores.items():
        for i, score in enumerate(values):
            survey = deliver(place(channel, external_id=f"{channel.code}-{i}"))
            submit_survey(survey.token, score=score)
    assert nps(SurveyResponse.objects.filter(order__channel=loja)) == {
        "answers": 4,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
        "nps": 25,
    }
    today = timezone.localdate()
    rows = nps_by_channel(SurveyResponse.objects.all(), today, today)
    assert [(r["channel"], r["nps"]) for r in rows] == [
        ("Loja virtual", 25),
        ("Mercado Livre", 0),
    ]
