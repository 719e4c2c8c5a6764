"""The world the admin is rendered in: the security matrices' world (every
object an admin URL of ours points to, users of every role, a superuser) and
one of each of Wagtail's models staff edit."""

import pytest
from django.test import Client

from tests.security.conftest import world  # noqa: F401
from tests.security.matrix import SUPERUSER


@pytest.fixture(scope="package")
def objects(world, django_db_blocker):  # noqa: F811
    """The world's objects, and one of each of Wagtail's models staff edit."""
    from django.contrib.auth.models import Group
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection, Page, Site

    with django_db_blocker.unblock():
        # the storefront's home page, titled as a shop titles it (Wagtail's
        # initial page is "Welcome to your new Wagtail site!")
        home = Page.objects.filter(depth=2).first()
        home.title = home.draft_title = "Início"
        home.save(update_fields=["title", "draft_title"])
        root = Collection.get_first_root_node()
        fotos = root.add_child(name="Fotos de produtos")
        image = get_image_model().objects.create(
            title="Caneca azul", file=get_test_image_file(), collection=root
        )
        from django.core.files.base import ContentFile

        document = get_document_model().objects.create(
            title="Tabela de medidas",
            file=ContentFile(b"%PDF-1.4\n", name="medidas.pdf"),
            collection=root,
        )
        values = {
            **world.inside,
            "user": world.users["manager"].pk,
            "group": Group.objects.order_by("pk").first().pk,
            "page": Page.objects.filter(depth=2).first().pk,
            "image": image.pk,
            "document": document.pk,
            "site": Site.objects.first().pk,
            "collection_id": fotos.pk,
            "redirect": Redirect.objects.first().pk,
        }
    return values


@pytest.fixture
def admin_client(world):  # noqa: F811
    client = Client(headers={"accept-language": "pt-BR"})
    client.force_login(world.users[SUPERUSER])
    return client
