"""The demo catalog written by `manage.py seed_demo` (the DEMO_DATA hook)."""

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail import hooks as wagtail_hooks
from wagtail.images import get_image_model
from wagtail.models import (
    GroupApprovalTask,
    ModelLogEntry,
    Page,
    PageLogEntry,
    Revision,
    Site,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
)

from content import demo
from content.models import (
    Brand,
    Category,
    Collection,
    ContentPage,
    HomePage,
    LandingPage,
    Product,
    ProductImage,
    StoreSettings,
    Variant,
)
from content.validators import is_valid_cnpj, validate_gtin, validate_ncm
from plugins.hooks import DEMO_DATA
from plugins.roles import role_group
from tests.factories import UserFactory


def counts() -> dict[str, int]:
    return {
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "categories": Category.objects.count(),
        "brands": Brand.objects.count(),
        "collections": Collection.objects.count(),
        "images": get_image_model().objects.count(),
        "product_images": ProductImage.objects.count(),
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "log_entries": ModelLogEntry.objects.count() + PageLogEntry.objects.count(),
        "sites": Site.objects.count(),
        "workflows": Workflow.objects.count(),
        "tasks": GroupApprovalTask.objects.count(),
        "store_settings": StoreSettings.objects.count(),
    }


def seed() -> str:
    out = StringIO()
    demo.seed_demo_catalog(stdout=out)
    return out.getvalue()


def test_the_demo_catalog_is_registered_on_the_demo_data_hook():
    assert demo.seed_demo_catalog in wagtail_hooks.get_hooks(DEMO_DATA)


def test_the_demo_data_is_generated_the_same_every_time():
    first, second = demo.demo_products(), demo.demo_products()
    assert [p.rows for p in first] == [p.rows for p in second]
    rows = [row for product in first for row in product.rows]
    assert len({row["sku"] for row in rows}) == len(rows)
    assert len({row["gtin"] for row in rows}) == len(rows)
    for row in rows:
        validate_gtin(row["gtin"])
        validate_ncm(row["ncm"])
        assert len(row["gtin"]) == 13
    assert all(1 <= len(product.rows) <= 6 for product in first)
    assert is_valid_cnpj(demo.demo_cnpj())


@pytest.mark.slow
def test_seed_creates_a_published_brazilian_catalog_once(db, settings, tmp_path):
    """One test, as seeding takes seconds: what the first run creates, then
    that a second run creates nothing."""
    settings.MEDIA_ROOT = str(tmp_path)
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    output = seed()
    assert output.startswith("Catálogo de demonstração: ")
    assert "\n" not in output.strip()

    products = Product.objects.all()
    assert products.count() >= 150
    assert Category.objects.count() >= 12
    assert Brand.objects.count() >= 10
    assert not products.filter(live=False).exists()
    assert not products.filter(live_revision__isnull=True).exists()
    assert not products.filter(has_unpublished_changes=True).exists()
    assert not Category.objects.filter(live=False).exists()
    assert not Brand.objects.filter(live=False).exists()

    variants = Variant.objects.all()
    assert variants.count() >= products.count()
    for variant in variants:
        validate_gtin(variant.gtin)
        assert len(variant.ncm) == 8
        assert variant.origin == "0"
        assert variant.cost_price is not None
        assert variant.weight_grams and variant.length_cm
    assert variants.filter(compare_at_price__isnull=False).exists()
    assert Category.objects.filter(path="moda/camisetas").exists()

    # Products with photos show them in their live revision too.
    with_images = products.filter(images__isnull=False).distinct()
    assert with_images.count() >= 50
    product = with_images.first()
    live = product.live_revision.as_object()
    assert [image.image_id for image in live.images.all()] == list(
        product.images.values_list("image_id", flat=True)
    )
    assert product.live_revision.user == admin

    collections = {c.slug: c for c in Collection.objects.all()}
    assert {"mais-vendidos", "lancamentos", "black-friday"} <= set(collections)
    assert all(c.live and c.items.count() >= 8 for c in collections.values())

    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert (home.slug, home.title, home.live) == ("home", "Loja Retaguarda", True)
    assert [block.block_type for block in home.body][:2] == ["hero", "product_grid"]
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    pages = {page.slug: page.specific for page in home.get_children()}
    assert {
        "sobre-nos",
        "trocas-e-devolucoes",
        "privacidade",
        "perguntas-frequentes",
        "black-friday",
    } <= set(pages)
    assert all(page.live for page in pages.values())
    assert isinstance(pages["perguntas-frequentes"], ContentPage)
    assert pages["perguntas-frequentes"].body[0].block_type == "faq"
    black_friday = pages["black-friday"]
    assert isinstance(black_friday, LandingPage)
    grid = next(b for b in black_friday.body if b.block_type == "product_grid")
    assert grid.value["collection"] == collections["black-friday"]

    store = StoreSettings.for_site(site)
    assert is_valid_cnpj(store.cnpj)
    assert store.email and store.phone and store.instagram
    assert store.privacy_policy_page_id == pages["privacidade"].pk
    assert store.returns_policy_page_id == pages["trocas-e-devolucoes"].pk

    workflow = Workflow.objects.get(name="Revisão de conteúdo")
    task = workflow.tasks.get().specific
    assert task.name == "Aprovação do moderador"
    assert list(task.groups.all()) == [role_group("content_moderator")]
    for model in (Product, Category, Brand, Collection):
        content_type = ContentType.objects.get_for_model(model)
        assert WorkflowContentType.objects.get(content_type=content_type).workflow == (
            workflow
        )
    assert product.get_workflow() == workflow
    assert WorkflowPage.objects.get(page=home).workflow == workflow

    before = counts()
    assert seed() == output
    assert counts() == before


def test_demo_user_is_admin_or_another_superuser_or_a_new_admin(db):
    created = demo.demo_user()
    assert (created.username, created.is_superuser) == ("admin", True)
    assert not created.has_usable_password()
    created.delete()

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    UserFactory(username="editor")
    assert demo.demo_user() == root
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    assert demo.demo_user() == admin
