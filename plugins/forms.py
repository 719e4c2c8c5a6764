from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from plugins.permissions import scoped_models
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
        self.fields["permission"].label_from_instance = lambda p: (
            f"{p.name} ({p.codename})"
        )
        user_model = get_user_model()
        self.fields["user"].queryset = user_model.objects.filter(
            is_active=True
        ).order_by(user_model.USERNAME_FIELD)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("group")):
            raise forms.ValidationError(_("Choose either a user or a group."))
        return cleaned
