"""The completeness checks of the matrices name what is missing."""

from tests.security import test_admin_matrix, test_api_matrix
from tests.security.matrix import (
    DENIED,
    MISSING,
    cells,
    get,
    missing_columns,
    unlisted_routes,
)


def test_a_role_without_a_column_is_named():
    # given a row written before the role "carrier_desk" was declared
    matrix = {"/admin/orders/": get({"anonymous": "login", "manager": DENIED})}

    # when the columns include it
    missing = missing_columns(matrix, ["anonymous", "manager", "carrier_desk"])
    found = cells(matrix, ["anonymous", "manager", "carrier_desk"])

    # then the check names the URL and the role, and its cell fails
    assert missing == ["/admin/orders/: carrier_desk"]
    assert [c.expected for c in found if c.column == "carrier_desk"] == [MISSING]


def test_an_admin_url_without_a_row_is_named(world, db):
    # given the admin matrix without the orders listing
    matrix = dict(test_admin_matrix.MATRIX)
    del matrix["/admin/orders/"]

    # then its route is reported
    assert unlisted_routes(matrix, "admin/", world.inside) == ["admin/orders/"]


def test_an_api_route_without_a_row_is_named(world, db):
    matrix = dict(test_api_matrix.MATRIX)
    del matrix["/api/v1/stock/levels/"]

    assert unlisted_routes(matrix, "api/", world.inside) == ["api/v1/stock/levels/"]
