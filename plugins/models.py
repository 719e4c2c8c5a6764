from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.Model):
    """Links a declared role template (by its stable key) to its Django group.

    The group may be renamed by an administrator; the link keeps the sync
    pointing at the same group.
    """

    key = models.SlugField(_("key"), max_length=64, unique=True)
    group = models.OneToOneField(
        Group,
        on_delete=models.CASCADE,
        related_name="retaguarda_role",
        verbose_name=_("group"),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} → {self.group.name}"


class BackOfficePermissions(models.Model):
    """Holds back-office permissions that belong to no single model."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_object_permissions", _("Can grant and revoke object permissions")),
            ("view_audit_log", _("Can view and export the audit log")),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


# The import framework's job (its own module, this app's model).
from plugins.importing.models import ImportJob  # noqa: E402

__all__ = ["BackOfficePermissions", "ImportJob", "Role"]
