"""schemathesis hooks of ``test_schemathesis.py``: the false positives, each
with its reason. Every other failure fails the run.

Loaded by the schemathesis command (``hooks`` in its configuration), not by
Django: nothing here imports the project.
"""

from __future__ import annotations

import json
import re

import schemathesis

# Query parameters whose valid values are data, not a form: an opaque cursor
# (only a ``next_cursor`` is one, and only with the ordering it was issued
# for), the path or slug of a published category, the hostname of a site.
# The schema cannot enumerate them, so a schema-valid request can name one
# that does not exist, and the API answers 400 with that parameter in
# ``errors``; ``positive_data_acceptance`` expects those to be accepted.
#
# ``path`` of GET /pages/: "give a path or a type" (400 when neither is
# given) is a constraint between two optional parameters, which OpenAPI
# cannot state (its description does).
#
# ``start`` and ``end`` of GET /analytics/kpis/: a custom period's days go
# together, instead of ``period``, the end on or after the start, at most
# three years apart and within 1900–2999: constraints between parameters
# and on dates that OpenAPI cannot state (their descriptions do).
#
# And any parameter whose value has a NUL character: text cannot hold one (as
# in Django's forms; PostgreSQL cannot store it), which the API answers with a
# 400 naming the parameter, not stated on every string of the schema.
DATA_DEPENDENT_PARAMETERS = {
    "GET /api/v1/catalog/products/": {"category", "cursor"},
    "GET /api/v1/pages/": {"path", "site"},
    "GET /api/v1/pages/{id}/children/": {"site"},
    "GET /api/v1/settings/store/": {"site"},
    "GET /api/v1/search/": {"site"},
    "GET /api/v1/redirects/": {"site"},
    "GET /api/v1/analytics/kpis/": {"period", "start", "end"},
}


# Fields of request bodies whose valid values are data too: a channel's code,
# a SKU on sale at its live price, a CPF/CNPJ with valid check digits, a
# discount no larger than what it discounts, installments the payment method
# allows, SKUs not repeated within an order. The API names the field in
# ``errors`` (keys like ``lines[0].sku``), as for the parameters above.
DATA_DEPENDENT_FIELDS = {
    "POST /api/v1/orders/": re.compile(
        r"^(channel|lines|lines\[\d+\]\.(sku|unit_price|discount)|discount_total"
        r"|installments|customer\.(document|email))$"
    ),
    # a return names SKUs of the order, at most the units it delivered
    "POST /api/v1/logistics/returns/{token}/request/": re.compile(
        r"^(items|items\[\d+\]\.sku)$"
    ),
    # a CEP that exists (not 00000-000), SKUs on sale, a storefront channel
    "POST /api/v1/logistics/quote/": re.compile(
        r"^(channel|destination_cep|lines|lines\[\d+\]\.sku)$"
    ),
}


def _problem_errors(response) -> set[str]:
    try:
        errors = json.loads(response.content).get("errors")
    except (ValueError, AttributeError):
        return set()
    return set(errors) if isinstance(errors, dict) else set()


def _items(value) -> list:
    return value if isinstance(value, list) else [value]


# Operations that still answer after their DELETE, by design: DELETE of a cart
# hold releases it, and the hold stays readable with its status "released"
# (as an expired or converted one does).
READABLE_AFTER_DELETE = {"GET /api/v1/stock/holds/{token}/": ("status", "released")}


def _is_readable_after_delete(case, response) -> bool:
    expected = READABLE_AFTER_DELETE.get(case.operation.label)
    if expected is None or response.status_code != 200:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    key, value = expected
    return isinstance(body, dict) and body.get(key) == value


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure but a 400 for schema-valid values of the parameters
    above (and only those parameters), and a released hold read after its
    DELETE."""
    if failure.code == "ST301":
        return not _is_readable_after_delete(case, response)
    if failure.code != "ST202" or response.status_code != 400:
        return True
    allowed = DATA_DEPENDENT_PARAMETERS.get(case.operation.label, set()) | {
        name
        for values in (case.query, case.path_parameters)
        for name, value in (values or {}).items()
        if any("\x00" in str(item) for item in _items(value))
    }
    errors = _problem_errors(response)
    fields = DATA_DEPENDENT_FIELDS.get(case.operation.label)
    if fields is not None:
        allowed |= {error for error in errors if fields.match(error)}
    return not (errors and errors <= allowed)
