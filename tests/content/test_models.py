"""Catalog constraints live in the database, not only in forms; the publishing
lifecycle of snippets (drafts, revisions, scheduling, moderation)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Workflow,
    WorkflowContentType,
    WorkflowTask,
)

from content.models import Category, Product, Variant
from plugins.roles import role_group
from tests.content.conftest import make_category, make_product, publish


def insert_variant(product, **fields):
    values = {"sku": "X-1", "price": Decimal("10.00"), **fields}
    with transaction.atomic():
        Variant.objects.create(product=product, **values)


@pytest.mark.parametrize(
    "fields",
    [
        {"price": Decimal("0")},
        {"price": Decimal("-1")},
        {"price": Decimal("10.00"), "compare_at_price": Decimal("9.99")},
        {"cost_price": Decimal("-0.01")},
    ],
)
def test_database_rejects_bad_prices(camiseta, fields):
    with pytest.raises(IntegrityError):
        insert_variant(camiseta, **fields)


def test_sku_is_unique_across_the_catalog(camiseta):
    other = make_product("outra", variants=[("OUT-1", "9.90")])
    with pytest.raises(IntegrityError):
        insert_variant(other, sku="CAM-AZ-M")


def test_compare_at_price_equal_to_price_is_fine(camiseta):
    insert_variant(
        camiseta, sku="OK-1", price=Decimal("10"), compare_at_price=Decimal("10")
    )


def test_category_paths_follow_the_tree(moda, camisetas):
    assert camisetas.path == "moda/camisetas"
    basicas = make_category("basicas", parent=camisetas)
    assert basicas.path == "moda/camisetas/basicas"
    moda.slug = "vestuario"
    moda.save()
    basicas.refresh_from_db()
    camisetas.refresh_from_db()
    assert camisetas.path == "vestuario/camisetas"
    assert basicas.path == "vestuario/camisetas/basicas"
    assert [c["name"] for c in basicas.breadcrumbs()] == [
        "Moda",
        "Camisetas",
        "Basicas",
    ]


def test_category_cannot_be_its_own_ancestor(moda, camisetas):
    from django.core.exceptions import ValidationError

    moda.parent = camisetas
    with pytest.raises(ValidationError):
        moda.full_clean()


def test_products_in_a_category_include_subcategories(moda, camisetas, casa):
    in_sub = make_product("sub", primary_category=camisetas, variants=[("S-1", "1")])
    extra = make_product("extra", variants=[("E-1", "1")])
    extra.categories.add(moda)
    extra.save()  # parental many-to-many changes are committed on save
    make_product("fora", primary_category=casa, variants=[("F-1", "1")])
    assert set(Product.objects.in_category(moda)) == {in_sub, extra}


def test_draft_changes_do_not_touch_the_live_product(camiseta, superuser):
    draft = camiseta.get_latest_revision_as_object()
    draft.name = "Camiseta premium"
    variants = list(draft.variants.all())
    variants[0].price = Decimal("99.90")
    draft.variants = variants
    draft.save_revision(user=superuser)
    camiseta.refresh_from_db()
    assert camiseta.name == "Camiseta básica"
    assert camiseta.has_unpublished_changes
    assert Variant.objects.get(sku="CAM-AZ-M").price == Decimal("49.90")
    camiseta.latest_revision.publish(user=superuser)
    camiseta.refresh_from_db()
    assert camiseta.name == "Camiseta premium"
    assert Variant.objects.get(sku="CAM-AZ-M").price == Decimal("99.90")


def test_scheduled_publishing(camisetas, superuser):
    product = make_product("agendado", live=False, variants=[("AG-1", "5")])
    go_live = timezone.now() + datetime.timedelta(hours=1)
    product.go_live_at = go_live
    revision = product.save_revision(user=superuser, approved_go_live_at=go_live)
    revision.publish(user=superuser)
    product.refresh_from_db()
    assert not product.live  # scheduled, not yet live
    # an hour later:
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    from django.core.management import call_command

    call_command("publish_scheduled")
    product.refresh_from_db()
    assert product.live


def test_moderation_workflow_approves_a_product(camisetas, editor, moderator):
    workflow = Workflow.objects.create(name="Revisão de conteúdo")
    task = GroupApprovalTask.objects.create(name="Aprovação do moderador")
    task.groups.set([role_group("content_moderator")])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(
        workflow=workflow, content_type=ContentType.objects.get_for_model(Product)
    )
    product = make_product("moderado", live=False, variants=[("MO-1", "5")])
    product.save_revision(user=editor)
    state = product.get_workflow().start(product, editor)
    assert product.workflow_in_progress
    task_state = state.current_task_state
    assert task.specific.user_can_access_editor(product, moderator)
    task.specific.on_action(task_state, moderator, "approve")
    product.refresh_from_db()
    assert product.live
    assert not product.workflow_in_progress


def test_product_option_names_must_differ(db):
    from django.core.exceptions import ValidationError

    product = Product(name="X", slug="x", option1_name="Cor", option2_name="cor")
    with pytest.raises(ValidationError):
        product.clean()


def test_category_path_unique_in_database(moda):
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate = Category(slug="moda", name="Outra moda")
        duplicate.save()


def test_publish_makes_live_with_revision(camisetas, superuser):
    product = make_product("novo", live=False, variants=[("NV-1", "5")])
    assert not product.live
    publish(product, superuser)
    assert product.live and product.live_revision_id
