from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from plugins.permissions import scoped_models
from plugins.roles import permission_label
from plugins.services import grantable_permissions


def scoped_model_choices() -> list[tuple[str, str]]:
    return [
        (model._meta.label_lower, capfirst(model._meta.verbose_name))
        for model in scoped_models()
    ]


def model_from_label(label: str):
    for model in scoped_models():
        if model._meta.label_lower == label:
            return model
    return None


class GrantFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("Object type"), required=False)
    q = forms.CharField(label=_("User or group"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All"))] + scoped_model_choices()


class GrantForm(forms.Form):
    """Grant a permission on one object to a user or a group (exactly one)."""

    object = forms.ModelChoiceField(label=_("Object"), queryset=None)
    permission = forms.ModelChoiceField(label=_("Permission"), queryset=None)
    user = forms.ModelChoiceField(
        label=_("User"),
        queryset=get_user_model().objects.none(),
        required=False,
    )
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=Group.objects.order_by("name"), required=False
    )

    def __init__(self, model, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.fields["object"].queryset = model._default_manager.all()
        self.fields["object"].label = capfirst(model._meta.verbose_name)
        self.fields["permission"].queryset = grantable_permissions(model)
        self.fields["permission"].label_from_instance = permission_label
        user_model = get_user_model()
        self.fields["user"].queryset = user_model.objects.filter(
            is_active=True
        ).order_by(user_model.USERNAME_FIELD)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("group")):
            raise forms.ValidationError(_("Choose either a user or a group."))
        return cleaned


def _posted_permission_ids(data) -> set[int]:
    """Permission ids a group edit form posts: the group's own ``permissions``
    and the ``<prefix>-<n>-permissions`` of its page and collection
    permission formsets (rows marked for deletion left out)."""
    ids: set[int] = set()
    for key in data:
        if "__prefix__" in key or (
            key != "permissions" and not key.endswith("-permissions")
        ):
            continue
        row = key.removesuffix("permissions")
        if row and data.get(f"{row}DELETE"):
            continue
        ids.update(int(value) for value in data.getlist(key) if value.isdigit())
    return ids


class ReadOnlyRolePanel:
    """A panel of Wagtail's group editor (``register_group_permission_panel``)
    that refuses saving a read-only role's group (the auditor) with a write
    permission, through :func:`plugins.roles.check_read_only_grant`."""

    media = forms.Media()

    def __init__(self, data=None, files=None, instance=None, prefix=None):
        self.data = data
        self.instance = instance
        self.errors: list[str] = []

    def is_valid(self) -> bool:
        from django.contrib.auth.models import Permission

        from plugins.roles import ReadOnlyRoleError, check_read_only_grant

        if self.data is None or self.instance is None or self.instance.pk is None:
            return True
        names = [
            f"{perm.content_type.app_label}.{perm.codename}"
            for perm in Permission.objects.filter(
                pk__in=_posted_permission_ids(self.data)
            ).select_related("content_type")
        ]
        try:
            check_read_only_grant(self.instance, names)
        except ReadOnlyRoleError as error:
            self.errors = [error.message]
            return False
        return True

    def save(self) -> None:
        """Nothing to save: the panel only validates."""

    def as_admin_panel(self) -> str:
        from django.template.loader import render_to_string

        from plugins.roles import is_read_only_group

        read_only = self.instance is not None and is_read_only_group(self.instance)
        if not (read_only or self.errors):
            return ""
        return render_to_string(
            "plugins/groups/read_only_panel.html",
            {"errors": self.errors, "read_only": read_only},
        )


class LoginForm(WagtailLoginForm):
    """Wagtail's login form with a translated label on the password field
    (Wagtail's has none, and Django then prints the field's name, "Password")."""

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"placeholder": _("Enter password")}),
        strip=False,
    )
