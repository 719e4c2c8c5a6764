"""The acquirer's schedule: each receivable's gross, fee, net and expected
date, to the centavo."""

import datetime
from decimal import Decimal as D

import pytest

from plugins.finance.models import Provider, ProviderAccount
from plugins.finance.schedule import card_schedule, schedule_for

PAID = datetime.date(2026, 1, 31)


def rows(schedule):
    return [(i.number, i.of, i.gross, i.fee, i.net, i.due_date) for i in schedule]


def test_three_installments_of_a_hundred_reais_at_d30():
    schedule = card_schedule(D("100.00"), 3, PAID, fee_percent=D("3.99"))
    assert rows(schedule) == [
        (1, 3, D("33.34"), D("1.33"), D("32.01"), datetime.date(2026, 3, 2)),
        (2, 3, D("33.33"), D("1.33"), D("32.00"), datetime.date(2026, 4, 1)),
        (3, 3, D("33.33"), D("1.33"), D("32.00"), datetime.date(2026, 5, 1)),
    ]
    assert sum(i.gross for i in schedule) == D("100.00")


def test_installment_fee_grows_with_the_number_of_installments():
    # 2.99% + 0.50% × 11 = 8.49% on each of 12 parts of R$ 1.199,90
    schedule = card_schedule(
        D("1199.90"),
        12,
        PAID,
        fee_percent=D("2.99"),
        installment_fee_percent=D("0.50"),
    )
    assert [i.gross for i in schedule[:2]] == [D("100.01"), D("99.99")]
    assert schedule[0].fee == D("8.49")  # 100.01 × 8.49% = 8.490849
    assert schedule[1].fee == D("8.49")  # 99.99 × 8.49% = 8.489151
    assert sum(i.gross for i in schedule) == D("1199.90")
    assert schedule[-1].due_date == PAID + datetime.timedelta(days=360)


def test_anticipation_brings_every_installment_to_the_first_at_a_fee():
    schedule = card_schedule(
        D("300.00"),
        3,
        PAID,
        fee_percent=D("3.00"),
        anticipation=True,
        anticipation_fee_percent=D("2.00"),
    )
    first = PAID + datetime.timedelta(days=30)
    assert [i.due_date for i in schedule] == [first, first, first]
    # 3% each; + 2% × 1 month on the second, + 2% × 2 months on the third
    assert [i.fee for i in schedule] == [D("3.00"), D("5.00"), D("7.00")]
    assert [i.net for i in schedule] == [D("97.00"), D("95.00"), D("93.00")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "installments", "expected"),
    [
        ("pix", 1, [(D("89.90"), D("0.89"), PAID)]),
        ("boleto", 1, [(D("89.90"), D("3.49"), PAID + datetime.timedelta(days=2))]),
        (
            "card",
            2,
            [
                (D("44.95"), D("1.79"), PAID + datetime.timedelta(days=30)),
                (D("44.95"), D("1.79"), PAID + datetime.timedelta(days=60)),
            ],
        ),
        ("debit_card", 1, [(D("89.90"), D("3.59"), PAID + datetime.timedelta(days=1))]),
    ],
)
def test_each_method_through_a_provider(method, installments, expected):
    account = ProviderAccount(name="MP", provider=Provider.MERCADO_PAGO)
    schedule = schedule_for(account, method, D("89.90"), installments, PAID)
    assert [(i.gross, i.fee, i.due_date) for i in schedule] == expected


@pytest.mark.django_db
def test_a_boleto_fee_never_exceeds_the_amount_and_manual_has_none():
    account = ProviderAccount(name="MP", provider=Provider.MERCADO_PAGO)
    (small,) = schedule_for(account, "boleto", D("2.00"), 1, PAID)
    assert (small.fee, small.net) == (D("2.00"), D("0.00"))
    manual = ProviderAccount(name="Depósito", provider=Provider.MANUAL)
    (one,) = schedule_for(manual, "card", D("500.00"), 5, PAID)
    assert (one.gross, one.fee, one.due_date) == (D("500.00"), D("0.00"), PAID)
