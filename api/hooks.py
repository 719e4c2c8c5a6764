"""Extension points the API offers."""

from plugins.hooks import Hook

PRODUCT_PAYLOADS = Hook(
    "api_product_payloads",
    kwargs=("payloads",),
    doc=(
        "Called with the list of public product payloads (dicts) of one response, "
        "once per response, before it is rendered and cached. Add keys to the "
        "products or their 'variants' in bulk (e.g. stock availability). Whatever "
        "feeds the added data must call api.cache.catalog_changed() when it "
        "changes, so cached responses are not served stale."
    ),
)

PRODUCT_PAYLOAD_SCHEMA = Hook(
    "api_product_payload_schema",
    doc=(
        "A function taking no arguments that documents what the app adds "
        "through PRODUCT_PAYLOADS, as OpenAPI 3 schemas by key: "
        "{'product': {'key': {...}}, 'variant': {'key': {...}}}. They are "
        "added to the Product and Variant components of /api/v1/schema/."
    ),
)

PAYLOAD_SCHEMA = Hook(
    "api_payload_schema",
    doc=(
        "A function taking no arguments that documents keys the app adds to "
        "payloads of other apps (e.g. through orders.hooks.ORDER_PAYLOAD), as "
        "OpenAPI 3 schemas by component and key: {'CustomerOrder': {'nfe': "
        "{...}}}. Each key is added to that component of /api/v1/schema/ as a "
        "required property: the payload always carries it (null when the "
        "schema says nullable)."
    ),
)

WEBHOOK_EVENTS = Hook(
    "api_webhook_events",
    doc=(
        "A function taking no arguments and returning the webhook event names an "
        "app emits (e.g. ['order.placed', 'order.paid']), so that subscriptions "
        "can choose them, or a dict of those names to the labels people read "
        "(it may also label the group, e.g. 'order.*'). Emit them with "
        "api.webhooks.emit(event, payload)."
    ),
)
