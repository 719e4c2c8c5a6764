"""The editors' dashboard panel: products and pages in draft, live with
unpublished changes, scheduled and in moderation.

* **Draft**: not live (never published, or unpublished).
* **Unpublished changes**: live, with a newer draft not yet published.
* **Scheduled**: a revision approved to go live at a future date (what
  Wagtail shows as "Scheduled").
* **In moderation**: a workflow under way (in progress or sent back for
  changes), as the products listing's "In moderation" filter.

Products count when the user may change products; pages, the pages the user
may change. The product figures link to the products listing filtered by the
same status. Two queries, whatever the number of products and pages.

Wagtail's own home panels ("Awaiting your review", "Your pages and snippets
in a workflow", "Your most recent edits", "Your locked pages") list the
user's own items and stay for the users who edit content; this panel gives
the totals. Users who edit no content (the order desk, the stock clerks, the
manager) do not get Wagtail's content panels at all.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision
from wagtail.permissions import policy_registry

from content.models import Product
from content.viewsets import ProductStatus, in_moderation_subquery
from plugins.dashboard import DashboardPanel, Figure
from plugins.permissions import is_active_user

#: Wagtail's home panels about the user's own content, hidden from users who
#: edit no content.
WAGTAIL_CONTENT_PANELS = frozenset(
    {
        "workflow_objects_to_moderate",
        "user_objects_in_workflow_moderation",
        "recent_edits",
        "locked_pages",
    }
)
STATUSES = (
    (ProductStatus.DRAFT, _("Drafts")),
    (ProductStatus.CHANGES, _("With unpublished changes")),
    (ProductStatus.SCHEDULED, _("Scheduled to publish")),
    (ProductStatus.IN_MODERATION, _("In moderation")),
)


def scheduled_subquery(model):
    """Revisions of the row approved to go live at a future date."""
    return Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(model),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        approved_go_live_at__gt=timezone.now(),
    )


def status_counts(queryset) -> dict[str, int]:
    """Draft, unpublished changes, scheduled and in moderation counts of a
    queryset of products or pages, in one query."""
    model = queryset.model
    return queryset.aggregate(
        **{
            ProductStatus.DRAFT: Count("pk", filter=Q(live=False)),
            ProductStatus.CHANGES: Count(
                "pk", filter=Q(live=True, has_unpublished_changes=True)
            ),
            ProductStatus.SCHEDULED: Count(
                "pk", filter=Exists(scheduled_subquery(model))
            ),
            ProductStatus.IN_MODERATION: Count(
                "pk", filter=Exists(in_moderation_subquery(model))
            ),
        }
    )


def user_can_edit_products(user) -> bool:
    return is_active_user(user) and user.has_perm("content.change_product")


def editable_pages(user):
    """The pages ``user`` may change (the root of the tree excluded)."""
    policy = policy_registry.get_by_type(Page)
    return policy.instances_user_has_permission_for(user, "change").filter(depth__gt=1)


def user_can_edit_pages(user) -> bool:
    return is_active_user(user) and policy_registry.get_by_type(
        Page
    ).user_has_permission(user, "change")


def editor_figures(user) -> dict:
    """``{"products": {status: n}, "pages": {status: n}}`` for what ``user``
    may edit (a kind the user may not edit is left out)."""
    figures = {}
    if user_can_edit_products(user):
        figures["products"] = status_counts(Product.objects.all())
    if user_can_edit_pages(user):
        figures["pages"] = status_counts(
            Page.objects.filter(pk__in=editable_pages(user))
        )
    return figures


class EditorPanel(DashboardPanel):
    name = "editor"
    order = 120
    heading = _("Content")
    icon = "doc-full"
    template_name = "content/dashboard/editor.html"

    @classmethod
    def user_can_see(cls, user) -> bool:
        """Whoever edits products or pages."""
        return user_can_edit_products(user) or user_can_edit_pages(user)

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        counts = editor_figures(self.user)
        groups = []
        if "products" in counts:
            listing = reverse(Product.snippet_viewset.get_url_name("list"))
            groups.append(
                (
                    "products",
                    _("Products"),
                    [
                        Figure(
                            label,
                            counts["products"][status],
                            url=f"{listing}?{urlencode({'status': status})}",
                            key=f"products-{status}",
                        )
                        for status, label in STATUSES
                    ],
                )
            )
        if "pages" in counts:
            groups.append(
                (
                    "pages",
                    _("Pages"),
                    [
                        Figure(label, counts["pages"][status], key=f"pages-{status}")
                        for status, label in STATUSES
                    ],
                )
            )
        context["groups"] = groups
        return context


def construct_homepage_panels(request, panels) -> None:
    """Add the editors' panel; take Wagtail's content panels away from users
    who edit no content."""
    if EditorPanel.user_can_see(request.user):
        panels.append(EditorPanel(request))
    else:
        panels[:] = [
            panel
            for panel in panels
            if getattr(panel, "name", None) not in WAGTAIL_CONTENT_PANELS
        ]
