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


def bank_account_policy():
    """Bank accounts are scope objects: the finance manager holds their
    permissions on every account, the finance clerk on those granted."""
    from plugins.finance.models import BankAccount
    from plugins.permissions import ScopedPermissionPolicy

    return ScopedPermissionPolicy(BankAccount)


def viewable_bank_accounts(user):
    """The bank accounts ``user`` may see (a queryset, by name)."""
    return bank_account_policy().scope_objects(user, "view").order_by("name")


def sees_every_bank_account(user) -> bool:
    """Whether ``user`` sees every bank account (the model permission, not
    grants on some): they also see what lands in no account."""
    from plugins.permissions import is_active_user

    return is_active_user(user) and (
        user.is_superuser or user.has_perm("finance.view_bankaccount")
    )
