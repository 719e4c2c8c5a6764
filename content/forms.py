"""Admin forms of the catalog."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from content.validators import strip_invisible_characters, validate_identifier_text

COST_PERMISSION = "content.view_cost_price"

#: Form fields that hold identifiers: invisible characters in them are refused
#: (every other text field loses them).
IDENTIFIER_FIELDS = frozenset(
    {"slug", "sku", "gtin", "ncm", "email", "document", "cnpj", "cep", "code"}
)


def clean_invisible_characters(form, identifiers=IDENTIFIER_FIELDS) -> None:
    """Apply the rule on invisible characters (bidirectional controls and
    zero-width characters) to a cleaned form: identifiers that carry them get
    an error, free text (names, descriptions) is stored without them."""
    for name in sorted(identifiers & set(form.fields)):
        if form.has_error(name, "invisible_characters"):
            continue
        # What was typed: another validator may have refused it already, with
        # a message that would not say why.
        try:
            validate_identifier_text(form[name].value())
        except ValidationError as error:
            form.add_error(name, error)
    for name, value in list(getattr(form, "cleaned_data", {}).items()):
        if not isinstance(value, str) or name in identifiers:
            continue
        if value != (stripped := strip_invisible_characters(value)):
            form.cleaned_data[name] = stripped
            # An inline form may have built its instance already.
            instance = getattr(form, "instance", None)
            if instance is not None and getattr(instance, name, None) == value:
                setattr(instance, name, stripped)


class CleanTextFormMixin:
    """A form whose invisible characters are refused in identifiers and
    stripped from text, in its own fields and in its inline children's
    (variants, addresses)."""

    def clean(self):
        cleaned_data = super().clean()
        clean_invisible_characters(self)
        for formset in getattr(self, "formsets", {}).values():
            for form in formset.forms:
                if form.is_bound and form.errors is not None:
                    clean_invisible_characters(form)
        return cleaned_data


class CleanTextAdminForm(CleanTextFormMixin, WagtailAdminModelForm):
    """The admin form of every catalog snippet and of the customer editor."""


def with_clean_text(form_class: type) -> type:
    """``form_class`` with the rule on invisible characters (for admin screens
    whose form Wagtail builds from ``form_fields``)."""
    return type(form_class.__name__, (CleanTextFormMixin, form_class), {})


class ProductAdminForm(CleanTextAdminForm):
    """Variants' cost prices are shown and accepted only for users holding
    ``content.view_cost_price``: for the others the field is not in the form at
    all, so a crafted POST cannot change it and saving keeps the stored value."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None or not for_user.has_perm(COST_PERMISSION):
            formset = self.formsets.get("variants")
            if formset is not None:
                for form in [*formset.forms, formset.empty_form]:
                    form.fields.pop("cost_price", None)
