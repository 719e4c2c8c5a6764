"""The finance permissions, spelt once for services, screens and roles."""

from __future__ import annotations

from enum import StrEnum
from functools import cache


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


class BankPerm(StrEnum):
    """Per bank account (django-guardian grants to the finance clerk; the
    finance manager holds them for every account)."""

    VIEW = "finance.view_bankaccount"
    RECONCILE = "finance.reconcile_bankaccount"


@cache
def bank_account_policy():
    """Bank accounts are scope objects: ``view`` to see an account's
    statement lines and matches, ``reconcile`` to import and reconcile."""
    from plugins.finance.models import BankAccount
    from plugins.permissions import ScopedPermissionPolicy

    return ScopedPermissionPolicy(BankAccount)


def visible_bank_accounts(user):
    """The bank accounts whose lines ``user`` may see (granted view or
    reconcile), by name."""
    from plugins.finance.models import BankAccount
    from plugins.permissions import is_active_user

    if not is_active_user(user):
        return BankAccount.objects.none()
    policy = bank_account_policy()
    ids = set(policy.scope_objects(user, "view").values_list("pk", flat=True))
    ids |= set(policy.scope_objects(user, "reconcile").values_list("pk", flat=True))
    return BankAccount.objects.filter(pk__in=ids).order_by("name")


def sees_every_bank_account(user) -> bool:
    """Whether ``user`` sees every bank account (the model permission, not
    grants on some): they also see what lands in no account."""
    from plugins.permissions import is_active_user

    return is_active_user(user) and (user.is_superuser or user.has_perm(BankPerm.VIEW))


def user_can_reconcile(user, account) -> bool:
    """Whether ``user`` may reconcile the lines of ``account``."""
    return bank_account_policy().user_has_permission_for_instance(
        user, "reconcile", account
    )
