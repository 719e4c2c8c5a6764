"""drf-spectacular hooks."""


def only_public_api(endpoints, **kwargs):
    """Keep /api/ endpoints in the schema (Wagtail's internal admin API is not
    part of Retaguarda's public contract)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


def _add_fields(schemas: dict, component: str, fields: dict) -> None:
    if not fields or component not in schemas:
        return
    schemas[component].setdefault("properties", {}).update(fields)
    required = schemas[component].setdefault("required", [])
    required.extend(key for key in fields if key not in required)


def add_plugin_payload_fields(result, generator, request, public):
    """Document the keys plugins add to product and variant payloads
    (``api.hooks.PRODUCT_PAYLOAD_SCHEMA``) in the Product and Variant
    components, and those they add to other components
    (``api.hooks.PAYLOAD_SCHEMA``)."""
    from api.hooks import PAYLOAD_SCHEMA, PRODUCT_PAYLOAD_SCHEMA
    from plugins.hooks import collect

    schemas = result.get("components", {}).get("schemas", {})
    for declared in collect(PRODUCT_PAYLOAD_SCHEMA):
        for part, component in (("product", "Product"), ("variant", "Variant")):
            _add_fields(schemas, component, declared.get(part) or {})
    for declared in collect(PAYLOAD_SCHEMA):
        for component, fields in declared.items():
            _add_fields(schemas, component, fields)
    return result


def problem_extension_members(result, generator, request, public):
    """Say in the Problem component that problem documents carry extension
    members (RFC 9457, section 3.2) beside the standard ones: the details a
    service or plugin gives of its problem, e.g. ``order`` (the order an
    idempotency key was used for), ``status_now`` (an illegal transition) or
    ``short`` (the SKUs without enough stock)."""
    problem = result.get("components", {}).get("schemas", {}).get("Problem")
    if problem is not None:
        problem["additionalProperties"] = True
    return result


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
