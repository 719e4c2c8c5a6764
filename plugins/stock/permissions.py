"""Who may do what with stock.

Warehouses scope the stock clerks' work (django-guardian grants per
warehouse): ``stock.view_warehouse`` to see a warehouse's stock,
``stock.operate_warehouse`` to move it (receipts, adjustments, transfers,
counts, imports). A model-level permission from a role's group covers every
warehouse (the stock manager moves everywhere; managers and auditors see
everywhere). The same policies serve the admin screens and the API.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from plugins.permissions import ScopedPermissionPolicy, is_active_user


class StockPerm(StrEnum):
    VIEW = "stock.view_warehouse"
    OPERATE = "stock.operate_warehouse"
    CHANGE_WAREHOUSE = "stock.change_warehouse"
    CHANGE_LEVEL = "stock.change_stocklevel"
    VIEW_EXPECTED = "stock.view_expected_quantity"


#: Actions on rows that belong to a warehouse, and the permission each needs
#: on that warehouse.
WAREHOUSE_SCOPE_ACTIONS = {
    "view": StockPerm.VIEW,
    "operate": StockPerm.OPERATE,
    "change": StockPerm.OPERATE,
    "add": StockPerm.OPERATE,
}


@cache
def warehouse_policy() -> ScopedPermissionPolicy:
    from plugins.stock.models import Warehouse

    return ScopedPermissionPolicy(Warehouse)


def scoped_policy(model) -> ScopedPermissionPolicy:
    """The policy of a model whose rows belong to a warehouse (``warehouse``)."""
    return ScopedPermissionPolicy(
        model, scope_field="warehouse", scope_actions=dict(WAREHOUSE_SCOPE_ACTIONS)
    )


def visible_warehouses(user):
    """Warehouses whose stock ``user`` may see (granted view or operate)."""
    from plugins.stock.models import Warehouse

    if not is_active_user(user):
        return Warehouse.objects.none()
    policy = warehouse_policy()
    ids = set(policy.scope_objects(user, "view").values_list("pk", flat=True))
    ids |= set(policy.scope_objects(user, "operate").values_list("pk", flat=True))
    return Warehouse.objects.filter(pk__in=ids)


def operable_warehouses(user):
    """Warehouses where ``user`` may move stock."""
    return warehouse_policy().scope_objects(user, "operate")


def user_can_view_warehouse(user, warehouse) -> bool:
    policy = warehouse_policy()
    return policy.user_has_any_permission_for_instance(
        user, ["view", "operate"], warehouse
    )


def user_can_operate(user, warehouse) -> bool:
    return warehouse_policy().user_has_permission_for_instance(
        user, "operate", warehouse
    )


def user_can_see_stock(user) -> bool:
    """Whether ``user`` sees any stock at all (menus, dashboard panel)."""
    policy = warehouse_policy()
    return policy.user_has_any_permission(user, ["view", "operate"])


def user_can_move_stock(user) -> bool:
    return warehouse_policy().user_has_any_permission(user, ["operate"])


def user_can_manage_reorder_points(user) -> bool:
    return is_active_user(user) and user.has_perm(StockPerm.CHANGE_LEVEL)


def user_can_see_expected_quantities(user) -> bool:
    """Whether ``user`` sees the units a count expects and its differences.
    Without it counts are blind: the clerk counts what is on the shelf."""
    return is_active_user(user) and user.has_perm(StockPerm.VIEW_EXPECTED)


def user_can_see_stock_value(user) -> bool:
    """Whether ``user`` sees stock valued at cost (the cost-price rule of the
    catalog: ``content.view_cost_price``)."""
    from content.costs import user_can_see_cost_prices

    return user_can_see_cost_prices(user)
