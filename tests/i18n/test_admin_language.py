"""The pt-BR admin shows no English and no raw Python values.

Every admin screen the project registers (the rows of the security matrix
that the superuser may open) and the Wagtail screens staff use beside them
(login, dashboard, account, users, groups, pages, images, documents,
reports ...) are rendered as the superuser in pt-BR over the matrices' world
(an object of every model, booleans, empty values, dates). The text a person
reads — the page's text, and the ``title``, ``placeholder``, ``aria-label``,
``alt`` attributes and the labels of buttons — must not contain ``True``,
``False`` or ``None``, words of Wagtail's, Django's or the project's English
that belong translated, nor a relative time such as "5 minutos atrás" where
the screen should give the date.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.matrix import OK, SUPERUSER, route_of
from tests.security.test_admin_matrix import MATRIX

#: Python's values, printed as they are.
RAW_VALUES = ("True", "False", "None")

#: English that is never right in the pt-BR admin (whole words, case
#: sensitive). Words that are also Portuguese ("No", "Status", "Total") or
#: that Brazilian staff use as they are ("Pix", "Webhook", "Token") are not
#: here.
ENGLISH = (
    "Account",
    "Actions",
    "Add",
    "ago",
    "and",
    "Apply",
    "Back",
    "been",
    "Can",
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "Cancel",
    "Choose",
    "Clear",
    "Close",
    "Compare",
    "Confirm",
    "Continue",
    "Create",
    "Dashboard",
    "Delete",
    "Documents",
    "Download",
    "Draft",
    "Edit",
    "editor guide",
    "Export",
    "Filter",
    "Go to the first error",
    "Groups",
    "Help",
    "Hide",
    "History",
    "Home",
    "Images",
    "Import",
    "Invalid",
    "Loading",
    "Log in",
    "match",
    "minutes",
    "More",
    "Next",
    "Password",
    "Please",
    "Preview",
    "Previous",
    "Publish",
    "Remove",
    "Reports",
    "required",
    "Revisions",
    "Save",
    "Search",
    "Select",
    "Settings",
    "Show",
    "Sign in",
    "Submit",
    "the",
    "this",
    "Title",
    "Toggle",
    "Unpublish",
    "Update",
    "Upload",
    "Username",
    "Users",
    "Valid for",
    "What the token is for",
    "will",
    "with",
    "Workflow",
    "Yes",
    "you",
    "your",
    # the back office is Retaguarda: Wagtail's name is not branding here
    "Wagtail",
)

#: A time given relative to now ("0 minuto atrás", "3 dias atrás") instead
#: of the date: listings and detail screens give the date, a tooltip may add
#: the relative time.
RELATIVE_TIME = re.compile(
    r"\b\d+\s+(minutos?|horas?|dias?|semanas?|meses|mês|anos?)"
    r"(,\s*\d+\s+\w+)?\s+atrás\b"
)

_WORDS = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(word) for word in sorted(RAW_VALUES + ENGLISH, key=len)[::-1])
    + r")(?![\w-])"
)

#: Wagtail screens without an object in the URL that staff do not read:
#: machinery (sprites, JSON APIs, translations for scripts, error pages),
#: endpoints of forms, the embed chooser (offline: no provider), and
#: addresses that only redirect (the login when signed in, the snippets'
#: index, the task type choice when there is one type, the catch-all).
WAGTAIL_SKIPPED = re.compile(
    r"^admin/(api/|sprite/|jsi18n/|logout/|test404/|failwhale/|dismissibles/"
    r"|login/|snippets/$|workflows/tasks/select_type/|\.\*"
    r"|block-preview/|tag-autocomplete/|embeds/|redirects/import/process/"
    r"|password_reset/(done|complete)/|choose-page/chosen-multiple/"
    r"|(images|documents)/chooser/chosen-multiple/)"
)

#: Wagtail screens of an object, with the placeholders filled below.
WAGTAIL_OBJECT_SCREENS = (
    "/admin/users/edit/{user}/",
    "/admin/users/delete/{user}/",
    "/admin/groups/edit/{group}/",
    "/admin/groups/delete/{group}/",
    "/admin/pages/{page}/",
    "/admin/pages/{page}/edit/",
    "/admin/pages/{page}/history/",
    "/admin/images/{image}/",
    "/admin/documents/edit/{document}/",
    "/admin/sites/edit/{site}/",
    "/admin/collections/{collection_id}/",
    "/admin/redirects/{redirect}/",
)

#: Screens an anonymous visitor sees.
ANONYMOUS_SCREENS = ("/admin/login/", "/admin/password_reset/")


def _wagtail_screens() -> list[str]:
    """Wagtail's own admin screens without an object in the URL."""
    found = []

    def walk(resolver, route):
        for pattern in resolver.url_patterns:
            part = str(pattern.pattern)
            full = route + (part[1:] if part.startswith("^") else part)
            if isinstance(pattern, URLResolver):
                walk(pattern, full)
            elif isinstance(pattern, URLPattern) and full.startswith("admin/"):
                view = getattr(pattern.callback, "view_class", pattern.callback)
                if (
                    view.__module__.startswith("wagtail.")
                    and "<" not in full
                    and "(" not in full
                    and not WAGTAIL_SKIPPED.match(full)
                ):
                    found.append("/" + full)

    walk(get_resolver(), "")
    return found


def _project_screens() -> list[str]:
    return [
        url
        for url, row in MATRIX.items()
        if row.method == "get" and row.outcomes.get(SUPERUSER) == OK
    ]


def screens() -> list[str]:
    project = _project_screens()
    covered = {route_of(url) for url in project if "{" not in url}
    wagtail = [url for url in _wagtail_screens() if route_of(url) not in covered]
    return [*project, *wagtail, *WAGTAIL_OBJECT_SCREENS]


class _VisibleText(HTMLParser):
    """The text a person reads on the page, one chunk per text node or
    read attribute."""

    READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
    INVISIBLE = {"script", "style", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.INVISIBLE:
            self._hidden += 1
        values = dict(attrs)
        for name in self.READ_ATTRIBUTES & values.keys():
            self.chunks.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self.chunks.append(values.get("value") or "")
        if "data-w-tooltip-content-value" in values:
            self.chunks.append(values["data-w-tooltip-content-value"] or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.INVISIBLE:
            self._hidden -= 1

    def handle_endtag(self, tag):
        if tag in self.INVISIBLE and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.chunks.append(data)


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [" ".join(chunk.split()) for chunk in parser.chunks if chunk.strip()]


def offending(chunks: list[str]) -> list[str]:
    found = []
    for chunk in chunks:
        for match in _WORDS.finditer(chunk):
            found.append(f"{match.group(1)!r} in {chunk[:120]!r}")
        match = RELATIVE_TIME.search(chunk)
        if match:
            found.append(f"relative time {match.group(0)!r} in {chunk[:120]!r}")
    return found


_BREADCRUMBS = re.compile(r"data-w-breadcrumbs.*?<ol[^>]*>(.*?)</ol>", re.S)


def header_problems(html: str) -> list[str]:
    """A screen whose breadcrumbs hold only the dashboard: the slim header
    then reads "Página inicial" instead of the screen's title."""
    match = _BREADCRUMBS.search(html)
    if match and match.group(1).count("<li") == 1:
        return ["the header shows only the dashboard's breadcrumb, not the title"]
    return []


def html_of(response) -> str:
    """The HTML a screen shows (a chooser's JSON carries it); downloads
    (spreadsheets, PDFs) are not screens."""
    content_type = response["Content-Type"]
    if not content_type.startswith(("text/html", "application/json")):
        return ""
    if content_type.startswith("application/json"):
        data = json.loads(response.content)
        return data.get("html", "") if isinstance(data, dict) else ""
    return response.content.decode()


SCREENS = screens()
PROJECT_SCREENS = set(_project_screens())


@pytest.mark.parametrize("url", SCREENS)
def test_admin_screen_reads_in_portuguese(url, objects, admin_client, db):
    path = url.format(**objects)
    response = admin_client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    html = html_of(response)
    found = offending(visible_text(html))
    if url in PROJECT_SCREENS:  # Wagtail's page explorer starts at the root
        found += header_problems(html)
    assert found == [], f"{path} shows:\n" + "\n".join(found)


@pytest.mark.parametrize("url", ANONYMOUS_SCREENS)
def test_anonymous_screen_reads_in_portuguese(url, db):
    response = Client(headers={"accept-language": "pt-BR"}).get(url)
    assert response.status_code == 200
    found = offending(visible_text(html_of(response)))
    assert found == [], f"{url} shows:\n" + "\n".join(found)


def test_the_check_finds_english_and_raw_values():
    html = (
        '<main><td>True</td><button title="Edit">x</button>'
        '<input type="submit" value="Save"><script>var None;</script>'
        "<p>Criado há 0 minuto atrás</p><p>Moda › Calças</p></main>"
    )
    assert offending(visible_text(html)) == [
        "'True' in 'True'",
        "'Edit' in 'Edit'",
        "'Save' in 'Save'",
        "relative time '0 minuto atrás' in 'Criado há 0 minuto atrás'",
    ]


def test_the_check_finds_a_header_without_the_screens_title():
    crumbs = "<div data-w-breadcrumbs><nav><ol>{}</ol></nav></div>"
    home = '<li><a href="/admin/">Página inicial</a></li>'
    assert header_problems(crumbs.format(home)) != []
    assert header_problems(crumbs.format(home + "<li>Importar produtos</li>")) == []
