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
