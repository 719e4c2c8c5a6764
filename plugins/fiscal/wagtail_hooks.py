"""Everything the fiscal plugin contributes to Wagtail and to the other
plugins."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from api.hooks import PAYLOAD_SCHEMA
from plugins.fiscal.models import ArchivedXml, Emitter, FiscalDocument
from plugins.fiscal.permissions import (
    archive_policy,
    document_policy,
    emitter_policy,
    user_can_download_packages,
)

# Emitters are scope objects: a fiscal clerk sees and works the documents of
# the emitters granted to them (before the viewsets below).
register_permission_policy(Emitter, emitter_policy())
register_permission_policy(FiscalDocument, document_policy())
register_permission_policy(ArchivedXml, archive_policy())

LOG_ACTIONS = (
    ("fiscal.danfe.download", _("Open the DANFE"), _("DANFE opened")),
    ("fiscal.xml.download", _("Download the XML"), _("NF-e XML downloaded")),
    (
        "fiscal.archive.download",
        _("Download an archived XML"),
        _("Archived XML downloaded"),
    ),
    (
        "fiscal.package.download",
        _("Download the monthly package"),
        _("Accountant's monthly package downloaded"),
    ),
)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


from plugins.fiscal import (  # noqa: E402
    menu,
    views_downloads,
    views_package,
    viewsets_archive,  # noqa: E402
)
from plugins.hooks import API_ROUTES, BACKOFFICE_MENU  # noqa: E402
from plugins.orders import hooks as order_hooks  # noqa: E402

hooks.register(BACKOFFICE_MENU, menu.FiscalMenu().get_menu_item)
hooks.register("register_admin_viewset", viewsets_archive.ArchiveViewSet)


class PackageMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_download_packages(request.user)


hooks.register(
    menu.FISCAL_MENU,
    lambda: PackageMenuItem(
        _("Monthly package"),
        reverse(viewsets_archive.PACKAGE),
        name="fiscal-package",
        icon_name="download",
        order=81,
    ),
)


@hooks.register("register_admin_urls")
def register_fiscal_download_urls():
    return [
        path(
            "fiscal/documents/<int:pk>/danfe/",
            views_downloads.DocumentDanfeView.as_view(),
            name=views_downloads.DANFE,
        ),
        path(
            "fiscal/documents/<int:pk>/xml/",
            views_downloads.DocumentXmlView.as_view(),
            name=views_downloads.DOCUMENT_XML,
        ),
        path(
            "fiscal/archive/<int:pk>/xml/",
            views_downloads.ArchivedXmlView.as_view(),
            name=views_downloads.ARCHIVE_XML,
        ),
        path(
            "fiscal/archive/package/",
            views_package.PackageView.as_view(),
            name=viewsets_archive.PACKAGE,
        ),
    ]


@hooks.register(API_ROUTES)
def fiscal_api_routes():
    from plugins.fiscal.api.routes import api_routes

    return api_routes()


def _add_nfe(*, order, payload, audience):
    from plugins.fiscal.api.customer import add_nfe

    add_nfe(order=order, payload=payload, audience=audience)


def _payload_schema():
    from plugins.fiscal.api.customer import payload_schema

    return payload_schema()


# The customer's status page carries the order's NF-e.
hooks.register(order_hooks.ORDER_PAYLOAD, _add_nfe)
hooks.register(PAYLOAD_SCHEMA, _payload_schema)
