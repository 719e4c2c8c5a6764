"""Downloads of the fiscal documents in the admin: an NF-e's DANFE (PDF, shown
in the browser) and XML (its ``nfeProc``), and any archived XML.

Who: whoever may see the document's emitter — the fiscal clerk within the
emitters granted to them, the accountant, managers and auditors (read), a
superuser. A document out of the user's scope does not exist for them (404);
a user with no access to fiscal documents at all is denied. Each download is
written to the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views import View

from plugins.audit import log_change
from plugins.fiscal.archive import ArchiveTampered, read
from plugins.fiscal.danfe import (
    PDF_CONTENT_TYPE,
    XML_CONTENT_TYPE,
    danfe_filename,
    document_xml,
    has_danfe,
    render_danfe,
    xml_filename,
)
from plugins.fiscal.models import ArchivedXml, FiscalDocument
from plugins.fiscal.permissions import archive_policy, document_policy

DANFE = "fiscal_document_danfe"
DOCUMENT_XML = "fiscal_document_xml"
ARCHIVE_XML = "fiscal_archive_xml"
ARCHIVE = "fiscal_archive"


def document_buttons(*, document, request):
    """``fiscal.hooks.DOCUMENT_ACTIONS``: the DANFE and the XML on the page of
    an NF-e that has them (whoever sees the page may open them)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from plugins.fiscal.actions import VIEW, FiscalAction

    if not has_danfe(document):
        return None
    return [
        FiscalAction(
            _("DANFE (PDF)"),
            reverse(DANFE, args=[document.pk]),
            permission=VIEW,
            icon="doc-full",
            priority=10,
            key="danfe",
        ),
        FiscalAction(
            _("XML"),
            reverse(DOCUMENT_XML, args=[document.pk]),
            permission=VIEW,
            icon="download",
            priority=11,
            key="xml",
        ),
    ]


def file_response(content, *, filename: str, content_type: str, inline: bool):
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ScopedObjectMixin:
    """The object of the URL, if the user may see it: a user with no access
    to the model is denied whatever the id; an object out of their scope (or
    missing) is a 404."""

    model = None

    def get_policy(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.model._default_manager.all()

    def get_object(self):
        policy = self.get_policy()
        user = self.request.user
        if not policy.user_has_permission(user, "view"):
            raise PermissionDenied
        visible = policy.filter_queryset(self.get_queryset(), user, ["view"])
        found = visible.filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found


class DocumentDanfeView(ScopedObjectMixin, View):
    """The DANFE of an authorised NF-e, as a PDF the browser shows."""

    model = FiscalDocument

    def get_policy(self):
        return document_policy()

    def get_queryset(self):
        return FiscalDocument.objects.select_related("emitter")

    def get(self, request, pk):
        document = self.get_object()
        if not has_danfe(document):
            raise Http404
        pdf = render_danfe(document)
        log_change(document, "fiscal.danfe.download", user=request.user)
        return file_response(
            pdf,
            filename=danfe_filename(document),
            content_type=PDF_CONTENT_TYPE,
            inline=True,
        )


class DocumentXmlView(ScopedObjectMixin, View):
    """The authorised XML (``nfeProc``) of an NF-e, as a download."""

    model = FiscalDocument

    def get_policy(self):
        return document_policy()

    def get(self, request, pk):
        document = self.get_object()
        if not has_danfe(document):
            raise Http404
        xml = document_xml(document)
        log_change(document, "fiscal.xml.download", user=request.user)
        return file_response(
            xml.encode("utf-8"),
            filename=xml_filename(document),
            content_type=XML_CONTENT_TYPE,
            inline=False,
        )


def archived_filename(row: ArchivedXml) -> str:
    from plugins.fiscal.package import entry_name

    return entry_name(row).rsplit("/", 1)[-1]


class ArchivedXmlView(ScopedObjectMixin, View):
    """One archived XML as a download, after checking it against its hash:
    a changed one is refused with the reason."""

    model = ArchivedXml

    def get_policy(self):
        return archive_policy()

    def get_queryset(self):
        return ArchivedXml.objects.select_related("emitter")

    def get(self, request, pk):
        row = self.get_object()
        try:
            content = read(row)
        except ArchiveTampered as error:
            messages.error(request, error.message)
            return redirect(f"{ARCHIVE}:inspect", row.pk)
        log_change(row, "fiscal.archive.download", user=request.user)
        return file_response(
            content.encode("utf-8"),
            filename=archived_filename(row),
            content_type=XML_CONTENT_TYPE,
            inline=False,
        )
