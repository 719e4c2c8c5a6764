"""What the catalog contributes to the Wagtail admin."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from content import (
    dashboard,
    demo,
    tasks,
    views,
)
from content.bulk_actions import (
    PublishBulkAction,
    SetCategoryBulkAction,
    UnpublishBulkAction,
)
from content.hooks import CATALOG_IMPORTED
from content.importing.pipeline import IMPORT_LOG_ACTION
from content.models import Product
from content.viewsets import CatalogViewSetGroup
from plugins.audit import describe_changes
from plugins.hooks import DASHBOARD_PANELS, DEMO_DATA

register_snippet(CatalogViewSetGroup)
hooks.register(DASHBOARD_PANELS, dashboard.construct_homepage_panels)

for action in (PublishBulkAction, UnpublishBulkAction, SetCategoryBulkAction):
    hooks.register("register_bulk_action", action)


@hooks.register("register_admin_urls")
def register_catalog_urls():
    export_urls = [path("products/", views.ExportView.as_view(), name="products")]
    preview_urls = [
        path("product/<int:pk>/", views.PreviewTokenView.as_view(), name="product"),
        path("page/<int:pk>/", views.PagePreviewTokenView.as_view(), name="page"),
    ]
    return [
        path("catalog/export/", include((export_urls, "content_export"))),
        path(
            "catalog/preview-token/", include((preview_urls, "content_preview_token"))
        ),
    ]


def storefront_button(url: str) -> ListingButton:
    """A small icon button that opens the storefront's preview in a new tab."""
    label = _("View on the storefront")
    return ListingButton(
        url=url,
        classname="button--icon",
        icon_name="view",
        attrs={
            "aria-label": label,
            "title": label,
            "target": "_blank",
            "rel": "noopener",
        },
        priority=60,
    )


@hooks.register("register_snippet_listing_buttons")
def product_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Product):
        yield storefront_button(
            reverse("content_preview_token:product", args=[snippet.pk])
        )


@hooks.register("register_page_listing_buttons")
def page_listing_buttons(page, user, next_url=None):
    if page.live and page.permissions_for_user(user).can_edit():
        yield storefront_button(reverse("content_preview_token:page", args=[page.pk]))


@hooks.register(CATALOG_IMPORTED)
def refresh_indexes_after_import(*, product_ids):
    if product_ids:
        tasks.refresh_product_indexes.enqueue(list(product_ids))


class ImportLogFormatter(LogFormatter):
    label = _("Import")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("created"):
            if data.get("published"):
                return _("Imported: created and published")
            return _("Imported: created as a draft")
        if data.get("published"):
            return _("Imported: changed and published")
        return _("Imported: changes saved as a draft")

    def format_comment(self, log_entry):
        # Fields and variants (new ones, changed prices ...) by their names.
        return describe_changes(log_entry.data, Product)


@hooks.register("register_log_actions")
def register_import_log_action(actions):
    actions.register_action(IMPORT_LOG_ACTION)(ImportLogFormatter)


@hooks.register("insert_global_admin_css")
def catalog_editor_css():
    """The catalog's compact screens: the variants' grid, listing thumbnails."""
    return format_html(
        '<link rel="stylesheet" href="{}">', static("content/css/catalog_editor.css")
    )


@hooks.register("register_importer")
def catalog_importer():
    from content.importing.importer import CatalogImporter

    return CatalogImporter


hooks.register(DEMO_DATA, demo.seed_demo_catalog)
