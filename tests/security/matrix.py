"""The vocabulary of the security matrices: outcomes, columns, rows, cells,
and the discovery of the project's admin URLs and API routes.

A matrix maps a URL template (placeholders in braces, filled from the
package's world) to a :class:`Row`: the HTTP method and the expected outcome
per column. Columns are ``anonymous``, every role declared by the installed
apps (``plugins.roles.declared_roles()``), ``superuser`` and, in the API
matrix, one API key per scope (``key:<scope>``). A scoped role (one whose role
template lists per-object permissions) on a URL whose placeholders belong to
its scope gets two cells: ``(inside, outside)``; a single value means the same
for both.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

# -- outcomes ------------------------------------------------------------------

OK = "ok"  # 2xx, or a redirect onwards after a successful POST
LOGIN = "login"  # admin: redirect to the login page
DENIED = "denied"  # admin: Wagtail's "no permission" (redirect to the dashboard, 403)
NOT_FOUND = "404"  # the object does not exist for this user
API_DENIED = "api-denied"  # API: 401/403 problem details
MISSING = "missing"  # no entry for this column: the cell fails and says so

ANONYMOUS = "anonymous"
SUPERUSER = "superuser"

# The roles the matrices were written for. A role declared by an installed app
# and missing here has no column: every row fails for it.
ROLES = (
    "content_editor",
    "content_moderator",
    "manager",
    "auditor",
    "privacy_officer",
    "order_desk",
    "stock_clerk",
    "stock_manager",
    "finance",
    "finance_manager",
    "fiscal",
    "accountant",
    "shipping_desk",
    "logistics_manager",
    "shelf_keeper",
)
IN_OUT = (OK, NOT_FOUND)  # a scoped role: inside its scope / outside it
KEY_PREFIX = "key:"

# Which placeholder belongs to which scope model: a scoped role's "outside"
# cell fills these from the objects outside its scope.
SCOPED_PLACEHOLDERS = {
    "orders.SalesChannel": {"channel", "order", "number", "buyer"},
    "stock.Warehouse": {"wh", "wh_code", "lvl", "transfer", "count"},
    "shelves.Shelf": {"shelf", "item"},
    "finance.BankAccount": {"bank", "line"},
    "fiscal.Emitter": {"emitter", "nfe", "archived", "sinv", "gap"},
    "logistics.Carrier": {
        "carrier",
        "shipment",
        "manifest",
        "ret",
        "shipped_order",
        "ship_order",
    },
}


@dataclass(frozen=True)
class Row:
    method: str
    outcomes: dict
    data: dict | None = field(default=None, compare=False)


def get(outcomes: dict, **overrides) -> Row:
    return Row("get", {**outcomes, **_columns(overrides)})


def post(outcomes: dict, data: dict | None = None, **overrides) -> Row:
    return Row("post", {**outcomes, **_columns(overrides)}, data)


def _columns(overrides: dict) -> dict:
    """Keyword arguments name columns; ``key_catalog_read`` is ``key:catalog:read``."""
    return {
        (
            KEY_PREFIX + name[4:].replace("_", ":", 1)
            if name.startswith("key_")
            else name
        ): value
        for name, value in overrides.items()
    }


# -- columns -------------------------------------------------------------------


def declared_role_keys() -> list[str]:
    from plugins.roles import declared_roles

    return list(declared_roles())


def staff_columns() -> list[str]:
    return [*declared_role_keys(), SUPERUSER]


def key_column(scope: str) -> str:
    return KEY_PREFIX + scope


def key_columns() -> list[str]:
    from api.models import Scope

    return [key_column(scope) for scope in Scope.values]


@cache
def role_scopes(column: str) -> frozenset[str]:
    """The scope models of a role that is granted per object: the
    ``scoped_models`` of the apps that declare it."""
    from django.apps import apps

    from plugins.roles import declared_roles

    role = declared_roles().get(column)
    if role is None or not role.object_permissions:
        return frozenset()
    models = set()
    for label in role.sources:
        models.update(getattr(apps.get_app_config(label), "scoped_models", ()))
    return frozenset(models)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _body_placeholders(data) -> set[str]:
    if isinstance(data, dict):
        return set().union(*(_body_placeholders(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_body_placeholders(v) for v in data))
    return placeholders(data) if isinstance(data, str) else set()


def _fill(data, values: dict):
    if isinstance(data, dict):
        return {k: _fill(v, values) for k, v in data.items()}
    if isinstance(data, list):
        return [_fill(v, values) for v in data]
    return data.format(**values) if isinstance(data, str) else data


def scoped_in(template: str, column: str, data=None) -> bool:
    """Whether the URL (or the body) points to an object of the column's scope."""
    names = placeholders(template) | _body_placeholders(data)
    return any(names & SCOPED_PLACEHOLDERS.get(m, set()) for m in role_scopes(column))


# -- cells ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    url: str
    column: str
    where: str  # "inside" or "outside" (only scoped cells are ever outside)
    method: str
    expected: str
    data: dict | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        suffix = f"-{self.where}" if self.where == "outside" else ""
        return f"{self.method.upper()} {self.url} [{self.column}{suffix}]"


def cells(matrix: dict, columns: list[str]) -> list[Cell]:
    """One cell per (URL, column), two for a scoped role on an object of its
    scope. Columns missing from a row become MISSING cells."""
    result = []
    for url, row in matrix.items():
        for column in columns:
            value = row.outcomes.get(column, MISSING)
            if scoped_in(url, column, row.data):
                inside, outside = value if isinstance(value, tuple) else (value, value)
                result.append(Cell(url, column, "inside", row.method, inside, row.data))
                result.append(
                    Cell(url, column, "outside", row.method, outside, row.data)
                )
            else:
                result.append(Cell(url, column, "inside", row.method, value, row.data))
    return result


def malformed(matrix: dict, columns: list[str]) -> list[str]:
    """Rows naming unknown columns, or giving (inside, outside) where the URL
    has no object of the role's scope."""
    problems = []
    for url, row in matrix.items():
        for column, value in row.outcomes.items():
            if column not in columns:
                problems.append(f"{url}: column {column!r} is not declared")
            elif isinstance(value, tuple) and not scoped_in(url, column, row.data):
                problems.append(
                    f"{url}: {column} has (inside, outside) but the URL has no "
                    "object of its scope"
                )
    return problems


def missing_columns(matrix: dict, columns: list[str]) -> list[str]:
    return [
        f"{url}: {', '.join(c for c in columns if c not in row.outcomes)}"
        for url, row in matrix.items()
        if any(c not in row.outcomes for c in columns)
    ]


# -- the project's URLs ----------------------------------------------------------

OUR_PACKAGES = ("api.", "content.", "plugins.", "tests.")


def _ours(module: str) -> bool:
    return module.startswith(OUR_PACKAGES)


@cache
def our_viewset_namespaces() -> frozenset[str]:
    """URL namespaces of the Wagtail viewsets the project registers: viewsets
    whose class is ours, and Wagtail's own viewsets (snippet choosers ...) for
    a model of ours."""
    get_resolver().url_patterns  # noqa: B018  (the admin registers its viewsets)
    from wagtail.admin.viewsets import viewsets

    namespaces = set()
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        model_module = getattr(model, "__module__", "")
        if not (_ours(type(viewset).__module__) or _ours(model_module)):
            continue
        if getattr(viewset, "name", None):  # a viewset group has no URLs
            namespaces.add(viewset.url_namespace)
    return frozenset(namespaces)


def our_routes(prefix: str) -> set[str]:
    """Routes under ``prefix`` served by our views or by the viewsets we
    register, as Django spells them (ResolverMatch.route). Every route under
    ``api/`` is ours (the schema and documentation views included)."""
    namespaces = our_viewset_namespaces()
    found = set()

    def walk(resolver, route, namespace):
        for pattern in resolver.url_patterns:
            part = str(pattern.pattern)
            # as Django joins them into ResolverMatch.route
            full = route + (part[1:] if part.startswith("^") else part)
            if isinstance(pattern, URLResolver):
                walk(pattern, full, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and full.startswith(prefix):
                view = getattr(pattern.callback, "view_class", pattern.callback)
                if (
                    prefix == "api/"
                    or _ours(view.__module__)
                    or namespace in namespaces
                ):
                    found.add(full)

    walk(get_resolver(), "", None)
    return found


def route_of(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path.split("?")[0]).route
    except Resolver404:
        return None


def unlisted_routes(matrix: dict, prefix: str, fill: dict) -> list[str]:
    covered = {route_of(url.format(**fill)) for url in matrix}
    return sorted(our_routes(prefix) - covered)


def stale_rows(matrix: dict, prefix: str, fill: dict, keep=frozenset()) -> list[str]:
    """Rows whose URL is not (or no longer) one of ours; ``keep``: routes
    that are not ours but kept in the matrix (the admin's dashboard)."""
    ours = our_routes(prefix) | set(keep)
    return sorted(url for url in matrix if route_of(url.format(**fill)) not in ours)


# -- requests and outcomes -----------------------------------------------------


def by_url(all_cells: list[Cell]) -> dict[str, list[Cell]]:
    grouped: dict[str, list[Cell]] = {}
    for cell in all_cells:
        grouped.setdefault(cell.url, []).append(cell)
    return grouped


def check(url_cells: list[Cell], world) -> list[str]:
    """Send every cell's request, each in a savepoint rolled back after it,
    with an empty cache; returns the cells whose outcome differs."""
    import json
    import os

    from django.core.cache import cache
    from django.db import transaction

    report = os.environ.get("SECURITY_MATRIX_REPORT")
    failures = []
    for cell in url_cells:
        if cell.expected == MISSING:
            failures.append(f"{cell.id}: no entry for this column")
            continue
        cache.clear()
        with transaction.atomic():
            outcome, response = request(cell, world)
            transaction.set_rollback(True)
        if report:  # every actual outcome, to reconcile the matrix with the code
            with open(report, "a") as out:
                out.write(
                    json.dumps(
                        [cell.url, cell.column, cell.where, outcome, cell.expected]
                    )
                    + "\n"
                )
        if outcome != cell.expected:
            failures.append(
                f"{cell.id}: expected {cell.expected}, got {outcome} "
                f"({response.status_code} {response.get('Location', '')})"
            )
    return failures


def request(cell: Cell, world) -> tuple[str, object]:
    """Send the cell's request as its column; returns (outcome, response)."""
    from django.conf import settings
    from rest_framework.test import APIClient

    fill = world.outside if cell.where == "outside" else world.inside
    path = cell.url.format(**fill)
    client = APIClient()
    api = path.startswith("/api/")
    if cell.column.startswith(KEY_PREFIX):
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.keys[cell.column]}")
    elif cell.column != ANONYMOUS and api:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[cell.column]}")
    elif cell.column != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[cell.column]
    if cell.method == "post":
        # orders placed through the API carry one (others ignore it)
        headers = {"HTTP_IDEMPOTENCY_KEY": f"matriz-{cell.column}"} if api else {}
        response = client.post(
            path, _fill(cell.data or {}, fill), format="json", **headers
        )
    else:
        response = client.get(path)
    return outcome_of(response, cell.method, api), response


def outcome_of(response, method: str, api: bool) -> str:
    status = response.status_code
    if status == 404:
        return NOT_FOUND
    if api:
        if (
            status in (401, 403)
            and response["Content-Type"] == "application/problem+json"
        ):
            return API_DENIED
        return OK if 200 <= status < 300 else f"status {status}"
    if status == 403:
        return DENIED
    if status == 302:
        if "/admin/login/" in response.url:
            return LOGIN
        if response.url == "/admin/":
            return DENIED
        return OK if method == "post" else f"redirect to {response.url}"
    return OK if status in (200, 201) else f"status {status}"
