"""The KPI API (``/api/v1/analytics/``): staff tokens and sessions."""
