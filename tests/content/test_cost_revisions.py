"""Cost prices survive every path that turns a revision into live data: only
someone holding ``content.view_cost_price`` changes them — not an editor
reverting to an old revision, nor a moderator publishing, approving or
scheduling what such an editor saved."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Revision,
    Workflow,
    WorkflowContentType,
    WorkflowTask,
)
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    streamfield,
)

from content import services
from content.models import Product, Variant
from plugins.roles import role_group

EDIT = "/admin/snippets/content/product/edit/{pk}/"
REVERT = "/admin/snippets/content/product/history/{pk}/revisions/{rev}/revert/"


def cost(sku="CAM-AZ-M"):
    return Variant.objects.get(sku=sku).cost_price


def save_with_cost(product, value, *, user):
    """A revision of ``product`` whose CAM-AZ-M costs ``value``, saved as a
    holder of the cost permission would."""
    draft = Product.objects.get(pk=product.pk).get_latest_revision_as_object()
    variants = list(draft.variants.all())
    for variant in variants:
        if variant.sku == "CAM-AZ-M":
            variant.cost_price = Decimal(value)
    draft.variants = variants
    return draft.save_revision(user=user)


@pytest.fixture
def costed(camiseta, superuser):
    """CAM-AZ-M cost 20.00, then 30.00 (live); returns the 20.00 revision."""
    old = save_with_cost(camiseta, "20.00", user=superuser)
    old.publish(user=superuser)
    save_with_cost(camiseta, "30.00", user=superuser).publish(user=superuser)
    assert cost() == Decimal("30.00")
    return old


def editor_form_data(client, url):
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="w-editor-form")
    data = data.copy()
    # The helper reads a checked checkbox without a value as "" (a browser
    # sends "on") and an empty multiple select as its first option.
    for key in [k for k in data if k.startswith("variants-") and k.endswith("-active")]:
        data[key] = "on"
    data.pop("categories", None)
    data.update(nested_form_data({"description": streamfield([])}))
    return data


def sneaked(product, *, author, value="5.00"):
    """A revision carrying an old cost, saved by ``author`` before costs were
    kept on revisions (as a revert did)."""
    revision = save_with_cost(product, value, user=None)
    Revision.objects.filter(pk=revision.pk).update(user=author)
    revision.refresh_from_db()
    return revision


def revision_cost(revision, sku="CAM-AZ-M"):
    variants = Revision.objects.get(pk=revision.pk).content["variants"]
    return next(v["cost_price"] for v in variants if v["sku"] == sku)


def test_editor_revert_keeps_the_current_cost(
    client, editor, moderator, camiseta, costed
):
    # given an editor reverting to the revision where CAM-AZ-M cost 20.00
    client.force_login(editor)
    url = REVERT.format(pk=camiseta.pk, rev=costed.pk)
    data = editor_form_data(client, url)
    # when they save it as a draft
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # then the new draft carries the current cost, not the old one
    latest = Product.objects.get(pk=camiseta.pk).latest_revision
    assert latest.user == editor
    assert Decimal(revision_cost(latest)) == Decimal("30.00")
    # and a moderator publishing it changes no cost
    services.publish(Product.objects.get(pk=camiseta.pk), user=moderator)
    assert cost() == Decimal("30.00")


def test_moderator_revert_and_publish_keeps_the_current_cost(
    client, moderator, camiseta, costed
):
    client.force_login(moderator)
    url = REVERT.format(pk=camiseta.pk, rev=costed.pk)
    data = editor_form_data(client, url)
    data["action-publish"] = "action-publish"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Product.objects.get(pk=camiseta.pk).live_revision.user == moderator
    assert cost() == Decimal("30.00")


def test_holder_revert_and_publish_restores_the_old_cost(
    client, superuser, camiseta, costed
):
    # someone who sees costs may bring an old one back
    client.force_login(superuser)
    url = REVERT.format(pk=camiseta.pk, rev=costed.pk)
    data = editor_form_data(client, url)
    data["action-publish"] = "action-publish"
    assert client.post(url, data).status_code == 302
    assert cost() == Decimal("20.00")


def test_publishing_an_editors_revision_keeps_the_live_cost(
    moderator, editor, camiseta, costed
):
    # given a revision by an editor that carries an old cost
    revision = sneaked(camiseta, author=editor)
    # when a moderator publishes it
    revision.publish(user=moderator)
    # then the live cost stays; the rest of the revision went live
    assert cost() == Decimal("30.00")
    assert Product.objects.get(pk=camiseta.pk).live_revision == revision


def test_a_cost_holders_revision_goes_live_when_a_moderator_publishes_it(
    moderator, manager, camiseta, costed
):
    # given a draft by a manager who changed the cost
    revision = save_with_cost(camiseta, "42.00", user=manager)
    # when a moderator (who cannot see costs) publishes it
    revision.publish(user=moderator)
    # then the manager's cost went live
    assert cost() == Decimal("42.00")


def test_scheduled_publishing_of_an_editors_revision_keeps_the_live_cost(
    editor, camiseta, costed
):
    # given an editor's revision with an old cost, approved to go live
    revision = sneaked(camiseta, author=editor)
    Revision.objects.filter(pk=revision.pk).update(
        approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    # when the scheduled publications run (no publishing user)
    call_command("publish_scheduled")
    # then the revision is live, with the live cost
    assert Product.objects.get(pk=camiseta.pk).live_revision_id == revision.pk
    assert cost() == Decimal("30.00")


def test_workflow_approval_of_an_editors_revision_keeps_the_live_cost(
    moderator, editor, camiseta, costed
):
    # given products under moderation by the content moderators
    workflow = Workflow.objects.create(name="Moderação")
    task = GroupApprovalTask.objects.create(name="Aprovação")
    task.groups.add(role_group("content_moderator"))
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(
        content_type=ContentType.objects.get_for_model(Product), workflow=workflow
    )
    # and an editor's revision with an old cost, submitted for moderation
    revision = sneaked(camiseta, author=editor)
    product = Product.objects.get(pk=camiseta.pk)
    state = workflow.start(product, editor)
    assert state.current_task_state.revision == revision
    # when a moderator approves it (the last task publishes)
    state.current_task_state.task.specific.on_action(
        state.current_task_state, moderator, "approve"
    )
    # then it is live, with the live cost
    assert Product.objects.get(pk=camiseta.pk).live_revision_id == revision.pk
    assert cost() == Decimal("30.00")


def test_bulk_publish_of_an_editors_draft_keeps_the_live_cost(
    client, moderator, editor, camiseta, costed
):
    sneaked(camiseta, author=editor)
    client.force_login(moderator)
    response = client.post(
        "/admin/bulk/content/product/publish/"
        f"?next=/admin/snippets/content/product/&id={camiseta.pk}"
    )
    assert response.status_code == 302
    assert cost() == Decimal("30.00")
