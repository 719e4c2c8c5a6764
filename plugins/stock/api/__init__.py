"""The stock API, mounted at ``/api/v1/stock/``.

- storefronts (API keys): availability per SKU (``catalog:read``) and cart
  holds (``orders:write``);
- staff (tokens and sessions): warehouses, levels, movements, receipts,
  adjustments, transfers and counts, within the warehouses the user may see
  (others answer 404) and move (403).
"""
