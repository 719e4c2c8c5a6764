"""Totals and rounding (plugins/orders/money.py)."""

from decimal import Decimal

import pytest

from plugins.orders.money import allocate, installment_amounts, to_money

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-0.005", "-0.01")],
)
def test_commercial_rounding_half_up(value, expected):
    assert to_money(D(value)) == D(expected)


@pytest.mark.parametrize(
    ("amount", "weights"),
    [
        ("10.00", ["99.80", "39.90"]),
        ("0.01", ["1", "1", "1"]),
        ("0.02", ["1", "1", "1"]),
        ("100.00", ["33.33", "33.33", "33.34"]),
        ("7.77", ["0.01", "1000", "3.50", "12.12"]),
    ],
)
def test_allocation_adds_up_to_the_cent(amount, weights):
    shares = allocate(D(amount), [D(w) for w in weights])
    assert sum(shares) == D(amount)
    assert all(share >= 0 for share in shares)
    # Each share is within a centavo of its exact proportion.
    total = sum(D(w) for w in weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - D(amount) * D(weight) / total) < D("0.01")


def test_leftover_cents_go_to_the_largest_remainders():
    assert allocate(D("0.02"), [D(1), D(1), D(1)]) == [D("0.01"), D("0.01"), D(0)]
    assert allocate(D("1.00"), [D(1), D(2)]) == [D("0.33"), D("0.67")]


def test_nothing_to_weigh_puts_it_all_on_the_first_line():
    assert allocate(D("5.00"), [D(0), D(0)]) == [D("5.00"), D(0)]


@pytest.mark.parametrize(
    ("total", "count"), [("100.00", 3), ("144.70", 10), ("0.05", 6)]
)
def test_installments_add_up_and_differ_by_cents_on_the_first(total, count):
    parts = installment_amounts(D(total), count)
    assert len(parts) == count
    assert sum(parts) == D(total)
    assert len(set(parts[1:])) <= 1
    assert parts[0] >= parts[-1]


def test_installments_of_100_in_3():
    assert installment_amounts(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
