"""drf-spectacular hooks."""


def only_public_api(endpoints, **kwargs):
    """Keep /api/ endpoints in the schema (Wagtail's internal admin API is not
    part of Retaguarda's public contract)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
