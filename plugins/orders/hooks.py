"""Extension points the orders plugin offers.

Transition hooks run inside the service's transaction, after the order's new
status is written: raise a :class:`plugins.exceptions.Refused` subclass to
refuse (everything is rolled back, the API answers 409 with the message).
Work that must happen only after commit (e-mail, webhooks) goes through
``transaction.on_commit``.
"""

from plugins.hooks import Hook

_REFUSE = " Raise a plugins.exceptions.Refused subclass to refuse it."

ORDER_PLACED = Hook(
    "order_placed",
    kwargs=("order",),
    in_transaction=True,
    doc="After an order and its lines are written, inside place_order's "
    "transaction (stock reserves its lines here)." + _REFUSE,
)
ORDER_IMPORTED = Hook(
    "order_imported",
    kwargs=("order",),
    in_transaction=True,
    doc="An order came in with its history in the marketplace (intake or the "
    "order import), already in its status, after its payments are written: "
    "today's transition hooks do not run for the steps it took there." + _REFUSE,
)
ORDER_PAID = Hook(
    "order_paid",
    kwargs=("order", "user"),
    in_transaction=True,
    doc="An order's payment was confirmed." + _REFUSE,
)
ORDER_CANCELLED = Hook(
    "order_cancelled",
    kwargs=("order", "user"),
    in_transaction=True,
    doc="An order was cancelled (stock releases its reservation)." + _REFUSE,
)
ORDER_INVOICED = Hook(
    "order_invoiced",
    kwargs=("order", "user"),
    in_transaction=True,
    doc="An order was invoiced." + _REFUSE,
)
ORDER_READY_TO_SHIP = Hook(
    "order_ready_to_ship",
    kwargs=("order", "user"),
    in_transaction=True,
    doc="An order was packed and is ready to ship." + _REFUSE,
)
ORDER_SHIPPED = Hook(
    "order_shipped",
    kwargs=("order", "user"),
    in_transaction=True,
    doc="An order left the warehouse (stock turns its reservation into a sale)."
    + _REFUSE,
)
ORDER_DELIVERED = Hook(
    "order_delivered",
    kwargs=("order", "user"),
    in_transaction=True,
    doc="An order reached the customer." + _REFUSE,
)
ORDER_RETURNED = Hook(
    "order_returned",
    kwargs=("order", "user"),
    in_transaction=True,
    doc="A delivered order came back (stock records the return)." + _REFUSE,
)
SHIPPING_QUOTE = Hook(
    "order_shipping_quote",
    kwargs=(
        "channel",
        "quote_id",
        "destination_cep",
        "lines",
        "order_value",
        "api_key",
    ),
    doc="Called by place_order, before its transaction, when the request names "
    "a freight quote (``quote_id``: the storefront chose a shipping option) "
    "and for every storefront order (``api_key`` set; ``quote_id`` may be "
    "empty). ``lines`` are the order's ``{'sku', 'quantity'}``, "
    "``order_value`` its amount before shipping. Return None to leave "
    "shipping as it is, or an object with ``price`` (Decimal: the order's "
    "shipping total, computed by the server), ``promised_date`` (a date) and "
    "``record(order)``, which place_order calls inside its transaction once "
    "the order is written. Raise a plugins.exceptions.RetaguardaError "
    "subclass to refuse the quote (the order is invalid on "
    "``shipping_quote``, with the error's message).",
)
ORDER_PAYLOAD = Hook(
    "order_payload",
    kwargs=("order", "payload", "audience"),
    doc="Add keys to an order's API payload, e.g. tracking codes or invoice "
    "links. ``audience`` is 'customer' (the storefront's status page: add only "
    "what the customer may see) or 'staff' (the order desk's endpoints).",
)
CUSTOMER_ANONYMISED = Hook(
    "customer_anonymised",
    kwargs=("customer", "orders", "personal_values"),
    in_transaction=True,
    doc="A customer was anonymised (LGPD), inside anonymise_customer's "
    "transaction: remove the customer's personal data from what your plugin "
    "stores about them or their ``orders``. ``personal_values`` are the strings "
    "to look for (name, e-mail, phone, CPF/CNPJ, addresses, as they were); "
    "``plugins.orders.customers.redact`` replaces them in text or JSON.",
)
ORDER_DETAIL_PANELS = Hook(
    "order_detail_panels",
    kwargs=("order", "request"),
    doc="Panels of the order desk's order screen, after its payment panel: "
    "return a wagtail.admin.ui.components.Component (or None to add nothing), "
    "showing only what ``request.user`` may see.",
)
AVAILABLE_UNITS = Hook(
    "order_desk_available_units",
    kwargs=("skus",),
    doc="Units of each SKU available to sell now, for the order desk's product "
    "search in “Novo pedido”. Return a dict ``{sku: units}`` (summed over the "
    "warehouses an order may reserve from; ``None``: the SKU's stock is not "
    "tracked), in a number of queries that does not grow with ``skus``.",
)
ORDER_ANALYTICS_MEASURES = Hook(
    "order_analytics_measures",
    doc="Measures other plugins add to the orders' figures (plugins.orders."
    "analytics): a function taking no arguments and returning ``{measure: "
    "expression}``, each expression a value per order (an annotation over "
    "``Order``, e.g. a ``Subquery`` of the amount refunded on it). The "
    "orders' source sums it over the orders that count as a sale, per day, "
    "channel and dimension, and the rollups keep it. The finance plugin adds "
    "``refunded``, which net revenue subtracts.",
)
