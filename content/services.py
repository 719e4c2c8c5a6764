"""Catalog operations shared by the editor, bulk actions, imports and the API.

Each runs Wagtail's own actions (revisions, publishing, audit log entries,
signals), after checking the permission policy of the model for ``user``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.actions.unpublish import UnpublishAction
from wagtail.permissions import policy_registry

from content.models import Category, Product
from plugins.exceptions import RetaguardaError


class CatalogError(RetaguardaError):
    code = "catalog-error"


def _check(user, action: str, obj) -> None:
    policy = policy_registry.get_by_type(type(obj))
    if user is not None and not policy.user_has_permission_for_instance(
        user, action, obj
    ):
        raise PermissionDenied(
            _("You may not %(action)s “%(object)s”.")
            % {"action": action, "object": obj}
        )


@transaction.atomic
def publish(obj, *, user):
    """Publish the latest draft of a catalog object (a new revision if none).

    Requires ``publish``. Logs ``wagtail.publish`` and sends Wagtail's
    ``published`` signal.
    """
    _check(user, "publish", obj)
    revision = (
        obj.latest_revision if obj.has_unpublished_changes or not obj.live else None
    )
    if revision is None:
        revision = obj.save_revision(user=user, log_action=True)
    revision.publish(user=user, skip_permission_checks=True)
    return revision


@transaction.atomic
def unpublish(obj, *, user) -> None:
    """Take a catalog object off the storefront. Requires ``publish``.
    Logs ``wagtail.unpublish``."""
    _check(user, "publish", obj)
    if obj.live:
        UnpublishAction(obj, user=user).execute(skip_permission_checks=True)


@transaction.atomic
def set_primary_category(
    products: Iterable[Product], *, category: Category, user, publish_now: bool = False
) -> int:
    """Set the primary category of products, as a new revision of each.

    Requires ``change`` on each product (and ``publish`` with
    ``publish_now``). Live products keep showing their published version until
    the revision is published. Logs ``wagtail.edit`` with the change.
    """
    from plugins.audit import log_change

    if category.pk is None:
        raise CatalogError(_("Choose an existing category."))
    count = 0
    for product in products:
        _check(user, "change", product)
        draft = product.get_latest_revision_as_object()
        if draft.primary_category_id == category.pk:
            continue
        before = str(draft.primary_category) if draft.primary_category_id else None
        draft.primary_category = category
        if not product.live:
            draft.save(update_fields=["primary_category"])
        revision = draft.save_revision(user=user, log_action=False)
        log_change(
            product,
            "wagtail.edit",
            user=user,
            changes={"primary_category": [before, str(category)]},
        )
        if publish_now:
            _check(user, "publish", product)
            revision.publish(user=user, skip_permission_checks=True)
        count += 1
    return count
