"""The orders API, mounted at ``/api/v1/orders/``.

- Storefront (API keys): place an order (``orders:write``, with an
  ``Idempotency-Key``), the customer's status page by token
  (``orders:read``), cancel it while payment is pending, answer the survey.
- Staff (personal tokens or the admin session, the orders permission policy):
  list and read orders of the channels the user works, move them through
  their lifecycle, add notes; marketplace intake in batches.
"""
