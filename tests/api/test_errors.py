import pytest
from rest_framework.test import APIClient


def test_unknown_api_route_is_a_problem_document(db):
    response = APIClient().get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://retaguarda.dev/problems/not-found",
        "title": response.json()["title"],
        "status": 404,
    }


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_route_is_a_problem_document_for_every_method(db, method):
    # A POST used to reach Wagtail's page serving, whose CSRF check answered
    # with an HTML 403.
    response = getattr(APIClient(), method)("/api/v1/shelves/abc/restock/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_undeclared_method_is_405_even_where_a_token_is_needed(db):
    response = APIClient().generic("TRACE", "/api/v1/auth/token/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_html_404_outside_the_api(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_schema_and_docs_are_served_offline(client, db):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/shelves/" in paths  # plugin routes appear in the schema
    assert not any(p.startswith("/admin/") for p in paths)
    docs = client.get("/api/v1/docs/").content.decode()
    # the Swagger UI assets come from the sidecar package, not a CDN
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn." not in docs
    redoc = client.get("/api/v1/redoc/").content.decode()
    # ReDoc from the sidecar too, without Google's web fonts; the page's policy
    # keeps the bundle's CDN logo out
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc
    assert "fonts.googleapis.com" not in redoc
    assert "img-src 'self' data:" in redoc
