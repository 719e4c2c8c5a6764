"""Money arithmetic of orders (BRL, ``Decimal``, 2 places).

Rounding rules (documented in the README):

* every amount is rounded to the centavo with ROUND_HALF_UP (the commercial
  rounding of Brazilian invoices);
* a line's total is ``round(unit_price × quantity) − line discount``;
* an order-level discount is spread over the lines in proportion to their
  totals, rounded down to the centavo, and the centavos left over go to the
  lines with the largest remainders (largest-remainder method): the line
  discounts always add up to exactly the order's discount, which the NF-e
  needs;
* ``total = subtotal − discount + shipping``, a database constraint;
* card installments split the total into equal parts rounded down, the
  first installment taking the centavos left over.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` over ``weights`` proportionally, in centavos that add up
    to exactly ``amount`` (largest remainder)."""
    amount = to_money(amount)
    total_weight = sum(weights, ZERO)
    if not weights:
        return []
    if total_weight <= 0:
        shares = [ZERO] * len(weights)
        shares[0] = amount
        return shares
    raw = [amount * w / total_weight for w in weights]
    shares = [r.quantize(CENT, rounding=ROUND_DOWN) for r in raw]
    left = int((amount - sum(shares, ZERO)) / CENT)
    by_remainder = sorted(
        range(len(weights)), key=lambda i: (raw[i] - shares[i], -i), reverse=True
    )
    for i in by_remainder[:left]:
        shares[i] += CENT
    return shares


def installment_amounts(total: Decimal, count: int) -> list[Decimal]:
    """The amounts of ``count`` installments of ``total``."""
    total = to_money(total)
    part = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    first = total - part * (count - 1)
    return [first] + [part] * (count - 1)
