"""The editors' dashboard panel: products and pages in draft, with
unpublished changes, scheduled and in moderation, against hand-counted
fixtures; who gets it; Wagtail's content panels only for content editors;
a query count that does not grow with the catalog."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Site,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

from content.dashboard import EditorPanel, editor_figures
from content.models import ContentPage, Product
from plugins.roles import role_group
from tests.content.conftest import make_product, publish
from tests.factories import UserFactory

STATUSES = ("draft", "changes", "scheduled", "in_moderation")


def later() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=2)


@pytest.fixture
def workflow(db):
    workflow = Workflow.objects.create(name="Revisão de conteúdo")
    task = GroupApprovalTask.objects.create(name="Aprovação do moderador")
    task.groups.set([role_group("content_moderator")])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(
        workflow=workflow, content_type=ContentType.objects.get_for_model(Product)
    )
    return workflow


def make_catalog(editor, workflow, prefix="p"):
    """Products: 1 live; 2 never published; 1 live with a newer draft;
    1 scheduled (not live yet); 1 submitted to moderation (not live yet).
    Drafts (not live) = 4, changes = 1, scheduled = 1, in moderation = 1."""
    make_product(f"{prefix}-live", variants=[(f"{prefix.upper()}-L", "10")])
    make_product(f"{prefix}-a", live=False, variants=[(f"{prefix.upper()}-A", "10")])
    make_product(f"{prefix}-b", live=False, variants=[(f"{prefix.upper()}-B", "10")])
    changed = make_product(f"{prefix}-c", variants=[(f"{prefix.upper()}-C", "10")])
    changed.name = "Novo nome"
    changed.save_revision(user=editor)
    scheduled = make_product(
        f"{prefix}-s", live=False, variants=[(f"{prefix.upper()}-S", "10")]
    )
    scheduled.go_live_at = later()
    scheduled.save_revision(
        user=editor, approved_go_live_at=scheduled.go_live_at
    ).publish()
    moderated = make_product(
        f"{prefix}-m", live=False, variants=[(f"{prefix.upper()}-M", "10")]
    )
    moderated.save_revision(user=editor)
    workflow.start(moderated, editor)


def make_pages(editor, workflow, prefix="pg"):
    """Pages under the site's home: 1 draft; 1 live with a newer draft;
    1 scheduled; 1 live page submitted to moderation.
    Drafts = 2 (the draft and the scheduled one), changes = 2 (the changed
    one and the one in moderation), scheduled = 1, in moderation = 1."""
    home = Site.objects.get(is_default_site=True).root_page
    WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})

    def child(slug, live=True):
        page = ContentPage(title=slug, slug=f"{prefix}-{slug}", live=live)
        home.add_child(instance=page)
        if live:
            publish(page)
        return page

    child("rascunho", live=False).save_revision(user=editor)
    changed = child("alterada")
    changed.title = "Alterada de novo"
    changed.save_revision(user=editor)
    scheduled = child("agendada", live=False)
    scheduled.go_live_at = later()
    scheduled.save_revision(
        user=editor, approved_go_live_at=scheduled.go_live_at
    ).publish()
    moderated = child("moderada")
    moderated.title = "Para revisar"
    moderated.save_revision(user=editor)
    workflow.start(moderated, editor)


@pytest.fixture
def content(editor, workflow):
    make_catalog(editor, workflow)
    make_pages(editor, workflow)


def figure(page: str, key: str) -> int:
    match = re.search(
        rf'data-figure="{re.escape(key)}".*?data-value>(.*?)</span>', page, re.S
    )
    assert match, f"no figure {key}"
    return int(html.unescape(match.group(1)))


def home(user):
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response


def test_pages_are_all_live_before_the_fixtures(db):
    # The hand counts below assume the pages the migrations create are live
    # and have no pending changes.
    assert not Page.objects.filter(depth__gt=1, live=False).exists()
    assert not Page.objects.filter(depth__gt=1, has_unpublished_changes=True).exists()


def test_editor_figures(content, editor):
    figures = editor_figures(editor)
    assert figures["products"] == {
        "draft": 4,
        "changes": 1,
        "scheduled": 1,
        "in_moderation": 1,
    }
    assert figures["pages"] == {
        "draft": 2,
        "changes": 2,
        "scheduled": 1,
        "in_moderation": 1,
    }


def test_editor_sees_the_panel_with_links_to_the_products_listing(content, editor):
    page = home(editor).content.decode()
    assert 'id="editor-section"' in page
    assert [figure(page, f"products-{s}") for s in STATUSES] == [4, 1, 1, 1]
    assert [figure(page, f"pages-{s}") for s in STATUSES] == [2, 2, 1, 1]
    client = Client()
    client.force_login(editor)
    for status, expected in zip(STATUSES, (4, 1, 1, 1), strict=True):
        link = re.search(
            rf'data-figure="products-{status}">\s*<a [^>]*href="([^"]+)"', page
        ).group(1)
        listing = client.get(html.unescape(link))
        assert listing.status_code == 200
        assert listing.context["paginator"].count == expected, status


@pytest.mark.parametrize("role", ["order_desk", "manager", "stock_clerk"])
def test_roles_that_edit_no_content_get_no_content_panels(db, role):
    user = UserFactory(username=f"r-{role}", roles=[role])
    response = home(user)
    names = {getattr(panel, "name", "") for panel in response.context["panels"]}
    assert "editor" not in names
    assert not names & {"recent_edits", "locked_pages", "workflow_objects_to_moderate"}


def test_content_editors_keep_wagtails_own_panels(moderator):
    names = {getattr(p, "name", "") for p in home(moderator).context["panels"]}
    assert {"editor", "recent_edits", "workflow_objects_to_moderate"} <= names


def test_query_count_does_not_grow_with_the_content(editor, workflow):
    def queries() -> int:
        request = RequestFactory().get("/admin/")
        request.user = get_user_model().objects.get(pk=editor.pk)
        with CaptureQueriesContext(connection) as captured:
            EditorPanel(request).render_html({})
        return len(captured)

    make_catalog(editor, workflow, prefix="a")
    make_pages(editor, workflow, prefix="a")
    small = queries()
    make_catalog(editor, workflow, prefix="b")
    make_pages(editor, workflow, prefix="b")
    assert Product.objects.count() == 2 * 6
    assert queries() == small
