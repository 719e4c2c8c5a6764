"""A bulk NF-e issue's page: its progress (orders done of the total, the
NF-e authorised, rejected with their reasons, waiting for the authoriser,
the orders skipped and why), followed live through its status (JSON).

A job is its creator's: to anyone else it does not exist (404), and its
creator must still issue for its emitter."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.fiscal.bulk_actions import BULK_ISSUE
from plugins.fiscal.models import BulkIssue, DocumentStatus, SkipReason
from plugins.fiscal.permissions import issuing_emitters, user_can_issue
from plugins.fiscal.services.bulk import progress
from plugins.fiscal.views_documents import document_url
from plugins.permissions import is_active_user

BULK_ISSUE_STATUS = "fiscal_bulk_issue_status"
S = DocumentStatus
#: NF-e of a job listed one by one on its page (the authorised are counted)
LISTED = (S.REJECTED, S.DENIED, S.SIGNED, S.SENT)


class BulkIssueMixin:
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not is_active_user(user) or not issuing_emitters(user).exists():
            raise PermissionDenied
        self.job = get_object_or_404(
            BulkIssue.objects.select_related("emitter"),
            pk=kwargs["pk"],
            created_by=user,
        )
        if not user_can_issue(user, self.job.emitter):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def status_text(job: BulkIssue, figures) -> str:
    return _("%(status)s: %(processed)s of %(total)s orders") % {
        "status": job.get_status_display(),
        "processed": figures.processed,
        "total": figures.total,
    }


class BulkIssueView(BulkIssueMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "fiscal/bulk_issue.html"
    page_title = gettext_lazy("Issue NF-e in bulk")
    header_icon = "doc-full"

    def get_page_subtitle(self):
        return str(self.job.emitter)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("orders:index"), "label": _("Orders")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        figures = progress(job)
        processed = job.items.filter(processed_at__isnull=False).select_related(
            "order", "document"
        )
        problems = []
        for item in processed.exclude(
            document__status__in=(S.AUTHORISED, S.CANCELLED)
        ).order_by("pk"):
            document = item.document
            if document is not None and document.status not in LISTED:
                continue
            problems.append(
                {
                    "order": item.order,
                    "order_url": reverse("orders:detail", args=[item.order_id]),
                    "document": document,
                    "document_url": document_url(document) if document else "",
                    "outcome": document.get_status_display()
                    if document
                    else item.get_skipped_display(),
                    "reason": (
                        " – ".join(
                            p
                            for p in (document.status_code, document.status_reason)
                            if p
                        )
                        if document
                        else item.reason
                    ),
                    "attention": document is None
                    or document.status in (S.REJECTED, S.DENIED),
                }
            )
        context.update(
            job=job,
            figures=figures,
            status_text=status_text(job, figures),
            skipped=[
                (label, figures.skipped[value])
                for value, label in SkipReason.choices
                if figures.skipped[value]
            ],
            problems=problems,
            status_url=reverse(BULK_ISSUE_STATUS, args=[job.pk]),
        )
        return context


class BulkIssueStatusView(BulkIssueMixin, View):
    """The job's figures as JSON, for its page to follow."""

    def get(self, request, pk):
        job = self.job
        figures = progress(job)
        return JsonResponse(
            {
                "status": job.status,
                "status_display": status_text(job, figures),
                "running": job.is_running,
                **figures.as_dict(),
            }
        )


__all__ = ["BULK_ISSUE", "BULK_ISSUE_STATUS", "BulkIssueStatusView", "BulkIssueView"]
