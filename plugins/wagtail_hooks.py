"""What the framework contributes to Wagtail: the back-office menu group, the
object-permission screen, the audit log screen, audited model actions and log
actions."""

from django.db import models
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem, WagtailMenuRegisterableGroup

from plugins import views
from plugins.audit import (
    AuditedCreateAction,
    AuditedDeleteAction,
    AuditedEditAction,
    ChangesFormatter,
)
from plugins.hooks import BACKOFFICE_MENU
from plugins.importing import urls as importing_urls
from plugins.roles import permission_labels
from plugins.services import user_can_manage_object_permissions


class BackOfficeMenuGroup(WagtailMenuRegisterableGroup):
    """The shared 'Retaguarda' group: plugins add their screens to it through
    ``BACKOFFICE_MENU``; it is hidden when none of them is shown."""

    menu_label = _("Back office")
    menu_name = "backoffice"
    menu_icon = "cogs"
    menu_order = 250
    submenu_hook = BACKOFFICE_MENU


@hooks.register("register_admin_menu_item")
def register_backoffice_menu():
    return BackOfficeMenuGroup().get_menu_item()


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, test, **kwargs):
        super().__init__(*args, **kwargs)
        self.test = test

    def is_shown(self, request):
        return self.test(request.user)


@hooks.register("register_admin_urls")
def register_admin_urls():
    object_permission_urls = [
        path("", views.ObjectPermissionIndexView.as_view(), name="index"),
        path(
            "grant/<str:model>/",
            views.GrantObjectPermissionView.as_view(),
            name="grant",
        ),
        path(
            "revoke/<str:kind>/<int:pk>/",
            views.RevokeObjectPermissionView.as_view(),
            name="revoke",
        ),
    ]
    audit_urls = [
        path("", views.AuditLogView.as_view(), name="index"),
        path("results/", views.AuditLogView.as_view(results_only=True), name="results"),
    ]
    return [
        path(
            "object-permissions/",
            include((object_permission_urls, "retaguarda_object_permissions")),
        ),
        path("audit-log/", include((audit_urls, "retaguarda_audit_log"))),
        path("imports/", include((importing_urls.urlpatterns, "imports"))),
    ]


@hooks.register("register_settings_menu_item")
def register_object_permissions_menu_item():
    return PermissionMenuItem(
        _("Object permissions"),
        reverse("retaguarda_object_permissions:index"),
        name="object-permissions",
        icon_name="key",
        order=610,
        test=user_can_manage_object_permissions,
    )


@hooks.register("register_reports_menu_item")
def register_audit_log_menu_item():
    return PermissionMenuItem(
        _("Audit log"),
        reverse("retaguarda_audit_log:index"),
        name="audit-log",
        icon_name="history",
        order=990,
        test=lambda user: user.is_active and user.has_perm("plugins.view_audit_log"),
    )


@hooks.register("register_actions")
def register_audited_actions(registry):
    # Every model's admin create/edit/delete records the changed values. Pages
    # keep their own, more specific actions (registered for Page).
    registry.register(models.Model, AuditedCreateAction)
    registry.register(models.Model, AuditedEditAction)
    registry.register(models.Model, AuditedDeleteAction)


@hooks.register("register_group_permission_panel")
def register_read_only_role_panel():
    from plugins.forms import ReadOnlyRolePanel

    return ReadOnlyRolePanel


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "retaguarda.roles.sync", _("Sync role"), _("Role permissions synced")
    )
    actions.register_action(
        "retaguarda.object_permission.grant",
        _("Grant object permission"),
        _("Object permission granted"),
    )
    actions.register_action(
        "retaguarda.object_permission.revoke",
        _("Revoke object permission"),
        _("Object permission revoked"),
    )
    actions.register_action("retaguarda.import", _("Import"), _("File imported"))
    # Show the before/after values recorded by the audited actions as the
    # entries' comment. Wagtail registered these codes first (its app comes
    # earlier in INSTALLED_APPS); the formatter is replaced, not re-registered,
    # so the action filter lists each code once.
    for code in ("wagtail.create", "wagtail.edit", "wagtail.delete"):
        if code in actions.formatters:
            actions.formatters[code] = ChangesFormatter(actions.formatters[code])
    for code in (
        "retaguarda.import",
        "retaguarda.roles.sync",
        "retaguarda.object_permission.grant",
        "retaguarda.object_permission.revoke",
    ):
        actions.formatters[code] = _DataFormatter(actions.formatters[code])


class _DataFormatter(ChangesFormatter):
    def format_comment(self, log_entry):
        data = log_entry.data or {}
        holder = data.get("holder")
        if "permission" in data and holder:
            (permission,) = permission_labels([data["permission"]])
            return f"{permission} — {holder}"
        if "added" in data:
            return ", ".join(permission_labels(data["added"]))
        return super().format_comment(log_entry)


@hooks.register("construct_help_menu")
def drop_wagtail_guide_links(request, menu_items):
    """Keep the help menu to this back office: Wagtail's "what's new" and editor
    guide items lead staff to Wagtail's (English) site about its own releases."""
    menu_items[:] = [
        item
        for item in menu_items
        if item.name != "editor-guide" and not item.name.startswith("whats-new-in")
    ]
