"""The finance permissions, spelt once for services, screens and roles."""

from __future__ import annotations

from enum import StrEnum


class PayablesPerm(StrEnum):
    VIEW_BILL = "finance.view_bill"
    ADD_BILL = "finance.add_bill"
    CHANGE_BILL = "finance.change_bill"
    APPROVE_BILL = "finance.approve_bill"
    PAY_BILL = "finance.pay_bill"
    VIEW_SUPPLIER = "finance.view_supplier"
    ADD_SUPPLIER = "finance.add_supplier"
    CHANGE_SUPPLIER = "finance.change_supplier"
    VIEW_CATEGORY = "finance.view_billcategory"
    ADD_CATEGORY = "finance.add_billcategory"
    CHANGE_CATEGORY = "finance.change_billcategory"


def user_may(user, perm: PayablesPerm) -> bool:
    """An active user holding ``perm`` (through a role or directly)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(perm)
    )
