"""Errors of the order services; the admin shows them as messages and form
errors, the API as problem details with these status codes."""

from __future__ import annotations

from plugins.exceptions import RetaguardaError


class OrderError(RetaguardaError):
    code = "order-invalid"


class InvalidOrder(OrderError):
    """The order to place is not valid (unknown SKU, inactive variant, wrong
    price …); ``errors`` lists each problem by field."""

    status = 400
    code = "order-invalid"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message, errors=errors or {})
        self.errors = errors or {}


class IllegalTransition(OrderError):
    status = 409
    code = "illegal-transition"


class IdempotencyConflict(OrderError):
    """The idempotency key (or external id) was used for a different order."""

    status = 409
    code = "idempotency-conflict"


class SurveyError(OrderError):
    status = 409
    code = "survey-closed"


class CustomersNotMergeable(OrderError):
    """Two customer records cannot be merged (the same one, or anonymised)."""

    status = 409
    code = "customers-not-mergeable"
