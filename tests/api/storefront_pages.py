"""The storefront's pages and settings, as the API tests that walk every
operation need them: a home page with a product grid of a collection, a
content page, a redirect to it, and the store's settings naming it."""

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from content.models import ContentPage, HomePage, StoreSettings


def storefront_pages(root: Page, collection, *, slug: str = "loja") -> Page:
    """The home page (made the default site's root) under ``root``."""
    home = root.add_child(
        instance=HomePage(
            title="Loja",
            slug=slug,
            body=[
                (
                    "product_grid",
                    {
                        "title": "Mais vendidos",
                        "source": "collection",
                        "collection": collection,
                        "limit": 4,
                    },
                )
            ],
        )
    )
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    about = home.add_child(
        instance=ContentPage(title="Sobre nós", slug="sobre-nos", intro="Quem somos")
    )
    Redirect.objects.create(old_path="/quem-somos", redirect_page=about)
    store = StoreSettings.for_site(Site.objects.get(is_default_site=True))
    store.store_name = "Loja Retaguarda"
    store.privacy_policy_page = about
    store.save()
    return home
