"""Admin forms of the catalog."""

from wagtail.admin.forms import WagtailAdminModelForm

COST_PERMISSION = "content.view_cost_price"


class ProductAdminForm(WagtailAdminModelForm):
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
