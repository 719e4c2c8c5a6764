"""Admin forms of the catalog."""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
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


class SlugFromNameFormMixin:
    """A ``slug`` that may be left empty: it is then made from the ``name``
    (the editor fills it as the name is typed, until edited by hand; this is
    the same on the server, for a form posted without it). A slug another
    object already has — a sibling, in a tree with a ``parent`` — is refused
    with an error naming that object; one made from the name gets a number
    instead ("camiseta-2")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "The address on the storefront. Filled from the name while you "
                "type it; edit it to choose another."
            )

    def clean(self):
        cleaned_data = super().clean()
        if "slug" not in self.fields or self.has_error("slug"):
            return cleaned_data
        slug = cleaned_data.get("slug")
        if slug:
            if other := self.slug_owner(slug):
                self.add_error(
                    "slug",
                    ValidationError(
                        _(
                            "The slug “%(slug)s” is already used by “%(other)s”. "
                            "Choose another one."
                        ),
                        code="unique",
                        params={"slug": slug, "other": other},
                    ),
                )
            return cleaned_data
        base = slugify(cleaned_data.get("name") or "")
        if base:
            cleaned_data["slug"] = self.free_slug(base)
        else:
            self.add_error("slug", ValidationError(_("Type a name or a slug.")))
        return cleaned_data

    def slug_candidates(self):
        model = self._meta.model
        others = model._default_manager.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if "parent" in self.fields:
            others = others.filter(parent=self.cleaned_data.get("parent"))
        return others

    def slug_owner(self, slug):
        return self.slug_candidates().filter(slug=slug).first()

    def free_slug(self, base: str) -> str:
        max_length = self._meta.model._meta.get_field("slug").max_length
        base = base[: max_length - 4].strip("-")
        taken = set(
            self.slug_candidates()
            .filter(slug__startswith=base)
            .values_list("slug", flat=True)
        )
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        return slug


class CatalogAdminForm(SlugFromNameFormMixin, CleanTextAdminForm):
    """The admin form of the catalog's snippets (products, categories, brands,
    collections)."""


class ProductAdminForm(CatalogAdminForm):
    """Variants' cost prices are shown and accepted only for users holding
    ``content.view_cost_price``: for the others the field is not in the form at
    all, so a crafted POST cannot change it and saving keeps the stored value."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if "categories" in self.fields:
            label_categories(self.fields["categories"])
        # The variants' option columns are headed by the product's option
        # names ("Cor", "Tamanho") where it has them.
        formset = self.formsets.get("variants")
        if formset is not None:
            for number in (1, 2, 3):
                option_name = getattr(self.instance, f"option{number}_name", "")
                if not option_name:
                    continue
                for form in [*formset.forms, formset.empty_form]:
                    if f"option{number}" in form.fields:
                        form.fields[f"option{number}"].label = option_name.capitalize()
        if for_user is None or not for_user.has_perm(COST_PERMISSION):
            formset = self.formsets.get("variants")
            if formset is not None:
                for form in [*formset.forms, formset.empty_form]:
                    form.fields.pop("cost_price", None)


def label_categories(field) -> None:
    """Show a category choice field's options by their path of names
    ("Moda › Calças"), all labelled with one query."""
    labels = {}

    def label(obj):
        from content.models.catalog import category_labels

        if obj.pk not in labels:
            labels.update(category_labels(list(field.queryset)))
        return labels.get(obj.pk, obj.name)

    field.label_from_instance = label
