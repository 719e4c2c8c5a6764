"""Stock's side of the orders plugin's hooks (registered by
``wagtail_hooks`` only when the orders plugin is enabled). All run inside the
order service's transaction: a refusal rolls the order operation back."""

from plugins.stock import services


def reserve_order_stock(*, order):
    """Reserve the order's lines; not enough stock refuses the order (409)."""
    services.reserve_for_order(order)


def release_order_stock(*, order, user):
    services.release_order_stock(order, user=user)


def ship_order_stock(*, order, user):
    services.ship_order_stock(order, user=user)


def return_order_stock(*, order, user):
    services.return_order_stock(order, user=user)


def available_units(*, skus):
    """What “Novo pedido” shows next to each product found (one query)."""
    from plugins.stock import availability

    return {
        sku: item.available if item.tracked else None
        for sku, item in availability.compute(skus).items()
    }
