"""drf-spectacular hooks."""


def only_public_api(endpoints, **kwargs):
    """Keep /api/ endpoints in the schema (Wagtail's internal admin API is not
    part of Retaguarda's public contract)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


from drf_spectacular.extensions import OpenApiAuthenticationExtension  # noqa: E402


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents API-key authentication in the OpenAPI schema."""

    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key rtg_…` (or the `X-Api-Key` header).",
        }


class StaffTokenScheme(OpenApiAuthenticationExtension):
    """Documents staff tokens in the OpenAPI schema."""

    target_class = "api.authentication.StaffTokenAuthentication"
    name = "StaffToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A staff member's personal token: `Bearer rtgs_…`.",
        }
