"""Strings of Wagtail, Django and DRF that the project's catalogue
(site/locale) translates or corrects, the branding, and permission names, as
staff see them in pt-BR."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone, translation

from plugins.roles import permission_label
from tests.i18n.test_admin_language import html_of, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(superuser):
    client = Client(headers={"accept-language": "pt-BR"})
    client.force_login(superuser)
    return client


def text_of(response) -> str:
    return "\n".join(visible_text(html_of(response)))


def test_login_page_is_the_back_offices():
    response = Client(headers={"accept-language": "pt-BR"}).get("/admin/login/")
    text = text_of(response)
    assert "Entrar na Retaguarda" in text
    assert "Senha" in text
    assert "Wagtail" not in text
    assert 'alt="Retaguarda"' in response.content.decode()
    assert "retaguarda/wordmark.svg" in response.content.decode()


def test_sidebar_tab_and_icon_are_the_back_offices(admin):
    html = admin.get("/admin/").content.decode()
    logo = html.split("data-wagtail-sidebar-branding-logo>", 1)[1].split("</template>")[
        0
    ]
    assert "retaguarda/logo.svg" in logo
    assert "- Retaguarda</title>" in " ".join(html.split())
    assert '<link rel="icon" type="image/svg+xml"' in html


def test_dashboard_has_no_link_to_wagtails_guide(admin):
    html = admin.get("/admin/").content.decode()
    assert "guide.wagtail.org" not in html
    assert "editor guide" not in html


def test_dashboard_counts_images_and_documents_in_portuguese(admin):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    images, documents = get_image_model().objects, get_document_model().objects
    for title in ("Caneca azul", "Caneca verde"):
        images.create(title=title, file=get_test_image_file())
    documents.all().delete()
    text = text_of(admin.get("/admin/")).replace("\n", " ")
    assert f"{images.count()} imagens criadas em " in text
    assert "0 documentos criados em " in text
    documents.create(title="Tabela", file=ContentFile(b"%PDF-1.4\n", name="t.pdf"))
    text = text_of(admin.get("/admin/")).replace("\n", " ")
    assert "1 documento criado em " in text


def test_form_errors_offer_to_go_to_the_first_one(admin):
    response = admin.post("/admin/snippets/content/brand/add/", {"name": ""})
    assert response.status_code == 200
    text = text_of(response)
    assert "Ir para o primeiro erro" in text
    assert "Go to the first error" not in text


def test_search_without_results_reads_as_portuguese(admin):
    text = text_of(admin.get("/admin/snippets/content/brand/?q=inexistente"))
    assert "Nenhum resultado em marcas corresponde à sua busca." in text


def test_less_than_a_minute_ago_reads_just_now():
    from wagtail.admin.templatetags.wagtailadmin_tags import timesince_simple

    with translation.override("pt-br"):
        assert timesince_simple(timezone.now()) == "agora mesmo"


def test_api_validation_messages_are_spelled_right():
    from rest_framework import serializers
    from rest_framework.exceptions import ValidationError

    with translation.override("pt-br"):
        with pytest.raises(ValidationError) as error:
            serializers.IntegerField(min_value=1).run_validation(0)
    assert error.value.detail == [
        "Certifique-se de que este valor seja maior ou igual a 1."
    ]


def _perm(app_label, codename):
    return Permission.objects.select_related("content_type").get(
        content_type__app_label=app_label, codename=codename
    )


def test_permission_labels_in_portuguese():
    with translation.override("pt-br"):
        assert permission_label(_perm("orders", "view_saleschannel")) == (
            "Pode ver canal de venda"
        )
        assert permission_label(_perm("stock", "operate_warehouse")) == (
            "Pode movimentar o estoque do depósito"
        )
        assert permission_label(_perm("content", "publish_brand")) == (
            "Pode publicar marca"
        )
        assert permission_label(_perm("wagtailadmin", "access_admin")) == (
            "Pode acessar a Retaguarda"
        )
    with translation.override("en"):
        assert permission_label(_perm("orders", "view_saleschannel")) == (
            "Can view sales channel"
        )


def test_group_editor_names_permissions_in_portuguese(admin):
    from django.contrib.auth.models import Group

    group = Group.objects.order_by("pk").first()
    text = text_of(admin.get(f"/admin/groups/edit/{group.pk}/"))
    assert "Pode ver canal de venda" in text
    assert "Pode movimentar o estoque do depósito" in text
    assert "Can " not in text


def test_audit_log_names_granted_permissions_in_portuguese(
    superuser, shelf_keeper, shelf_a
):
    from plugins.services import grant_object_permission

    grant_object_permission(
        shelf_a,
        permission=_perm("shelves", "change_shelf"),
        holder=shelf_keeper,
        by=superuser,
    )
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action="retaguarda.object_permission.grant")
    with translation.override("pt-br"):
        assert entry.comment == "Pode alterar prateleira — repositor"


def test_dashboard_counts_pages_with_the_plural_agreeing(admin):
    from wagtail.models import Page

    home = Page.objects.get(depth=2)
    for slug in ("sobre", "trocas"):
        home.add_child(instance=Page(title=slug.title(), slug=slug))
    pages = Page.objects.filter(depth__gt=1).count()  # the root is not counted
    text = text_of(admin.get("/admin/")).replace("\n", " ")
    assert f"{pages} páginas criadas em " in text


def test_the_page_trees_root_reads_raiz(admin):
    """Wagtail creates the root as "Root"; a migration of the content app
    renames it (run here on a root titled as Wagtail titles it)."""
    import importlib

    from django.apps import apps
    from wagtail.models import Page

    migration = importlib.import_module(
        "content.migrations.0004_root_page_in_portuguese"
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root")
    )
    Page.objects.filter(pk=root.pk).update(title="Root", draft_title="Root")
    migration.rename_root(apps, None)
    text = text_of(admin.get(f"/admin/pages/{root.pk}/"))
    assert "Raiz" in text and "Root" not in text
