"""The OpenAPI schema documents the problem responses of every operation
(``api.openapi.AutoSchema``); schemathesis checks it against the API in
``test_schemathesis.py``."""

import pytest
from drf_spectacular.generators import SchemaGenerator

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def responses(schema, method, path):
    return schema["paths"][path][method]["responses"]


def problem(response):
    return response["content"]["application/problem+json"]["schema"]


def test_catalog_reads_document_their_problems_and_conditional_gets(schema):
    products = responses(schema, "get", "/api/v1/catalog/products/")
    assert sorted(products) == ["200", "304", "400", "401", "403", "429"]
    for code in ("400", "401", "403", "429"):
        assert problem(products[code]) == PROBLEM
    assert products["401"]["headers"]["WWW-Authenticate"]["required"] is True
    assert "Retry-After" in products["429"]["headers"]
    assert set(products["200"]["headers"]) == {"ETag", "Cache-Control"}
    parameters = schema["paths"]["/api/v1/catalog/products/"]["get"]["parameters"]
    assert {"in": "header", "name": "If-None-Match"}.items() <= next(
        p for p in parameters if p["name"] == "If-None-Match"
    ).items()
    # Only path parameters and lookups are a 404.
    assert "404" in responses(schema, "get", "/api/v1/catalog/products/{slug}/")
    assert "404" in responses(schema, "get", "/api/v1/redirects/")
    assert "400" not in responses(schema, "get", "/api/v1/catalog/brands/")


def test_staff_endpoints_and_plugin_problems(schema):
    restock = responses(schema, "post", "/api/v1/shelves/{id}/restock/")
    assert sorted(restock) == ["200", "400", "401", "403", "404", "409"]
    assert problem(restock["409"]) == PROBLEM  # declared by the plugin view
    assert restock["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Shelf"
    }
    shelves = responses(schema, "get", "/api/v1/shelves/")
    assert "400" not in shelves  # its only parameter is the page: a 404
    assert "404" in shelves


def test_request_bodies_say_required_text_is_not_blank(schema):
    token = schema["components"]["schemas"]["StaffTokenRequestRequest"]
    assert token["properties"]["username"]["minLength"] == 1


def test_problem_document_schema(schema):
    component = schema["components"]["schemas"]["Problem"]
    assert component["required"] == ["status", "title", "type"]
    assert set(component["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }
    # Extension members (RFC 9457): `status_now` of an illegal transition …
    assert component["additionalProperties"] is True


def test_the_schema_is_generated_without_warnings(tmp_path):
    # Two serializers with one component name, or a response drf-spectacular
    # cannot describe, make the schema lie about a payload: fail on them.
    from django.core.management import call_command

    call_command(
        "spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
