"""The storefront's order requests are checked by one serializer instance per
thread (``serializers.validated``): each request must find it as new, and
get what DRF's documented ``is_valid()`` on a new instance gives."""

import copy
import threading

import pytest
from rest_framework.exceptions import ValidationError

from plugins.orders.api import serializers as s

ORDER = {
    "customer": {"name": "Maria da Silva", "document": "529.982.247-25"},
    "shipping_address": {
        "recipient": "Maria da Silva",
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "district": "Bela Vista",
        "city": "São Paulo",
        "uf": "SP",
    },
    "lines": [{"sku": "CAM-AZ-M", "quantity": 2}],
    "payment_method": "pix",
}


def documented(data) -> tuple[dict | None, dict | None]:
    serializer = s.PlaceOrderSerializer(data=data)
    if serializer.is_valid():
        return dict(serializer.validated_data), None
    return None, serializer.errors


def checked(data) -> tuple[dict | None, dict | None]:
    try:
        return s.validated(s.PlaceOrderSerializer, data), None
    except ValidationError as error:
        return None, error.detail


def bad(**changes) -> dict:
    data = copy.deepcopy(ORDER)
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for name in parents:
            node = node[int(name)] if name.isdigit() else node[name]
        node[last] = value
    return data


@pytest.mark.parametrize(
    "data",
    [
        ORDER,
        bad(customer__document="123"),
        bad(shipping_address__uf="XX", lines__0__quantity=0),
        bad(lines=[]),
        bad(payment_method="cheque", customer__name="   "),
        {**ORDER, "billing_address": None, "note": "Entregar à tarde"},
        "not an object",
    ],
    ids=["valid", "document", "uf-and-quantity", "no-lines", "method", "extras", "str"],
)
def test_it_gives_what_a_new_serializer_gives(data):
    assert checked(data) == documented(data)


def test_each_request_finds_it_as_new():
    """An invalid request leaves nothing behind for the next one: neither its
    errors nor its values."""
    first, errors = checked(bad(customer__document="123", shipping_address__uf="XX"))
    assert first is None and set(errors) == {"customer", "shipping_address"}

    data, errors = checked(ORDER)
    assert errors is None
    assert data["customer"]["document"] == "529.982.247-25"
    assert data["shipping_address"]["uf"] == "SP"

    other = bad(customer__name="João Souza", lines=[{"sku": "X-1", "quantity": 5}])
    data, _ = checked(other)
    assert data["customer"]["name"] == "João Souza"
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [("X-1", 5)]


def test_threads_check_their_own_requests_at_once():
    """Requests checked at the same time in several threads each get their
    own data back (each thread checks with its own instance)."""
    results: dict[int, list] = {}
    start = threading.Barrier(8)

    def work(n: int) -> None:
        start.wait()
        mine = []
        for i in range(50):
            name = f"Cliente {n}-{i}"
            invalid = i % 3 == 0
            data = bad(customer__name=name, lines__0__quantity=0 if invalid else n + 1)
            mine.append((name, invalid, checked(data)))
        results[n] = mine

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 8
    for n, mine in results.items():
        for name, invalid, (data, errors) in mine:
            if invalid:
                assert data is None and list(errors) == ["lines"]
            else:
                assert errors is None
                assert data["customer"]["name"] == name
                assert data["lines"][0]["quantity"] == n + 1
