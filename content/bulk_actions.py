"""Bulk actions on the product listing: publish, unpublish, set category."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from content import services
from content.forms import label_categories
from content.models import Category, Product


class ProductBulkAction(SnippetBulkAction):
    models = [Product]
    template_name = "content/bulk_actions/confirm.html"
    permission_action = "change"

    def check_perm(self, snippet):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.permission_action, snippet
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_title"] = self.display_name
        context["action_label"] = self.display_name
        return context


class PublishBulkAction(ProductBulkAction):
    display_name = _("Publish")
    action_type = "publish"
    aria_label = _("Publish selected products")
    action_priority = 10
    permission_action = "publish"

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        for product in objects:
            services.publish(product, user=user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d product published.",
            "%(count)d products published.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


class UnpublishBulkAction(ProductBulkAction):
    display_name = _("Unpublish")
    action_type = "unpublish"
    aria_label = _("Unpublish selected products")
    action_priority = 20
    permission_action = "publish"

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        for product in objects:
            services.unpublish(product, user=user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d product unpublished.",
            "%(count)d products unpublished.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


class SetCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Primary category"), queryset=Category.objects.all()
    )
    publish_now = forms.BooleanField(
        label=_("Publish the change now"),
        required=False,
        help_text=_("Otherwise it is saved as a draft of each product."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_categories(self.fields["category"])  # "Moda › Calças"


class SetCategoryBulkAction(ProductBulkAction):
    display_name = _("Set category")
    action_type = "set_category"
    aria_label = _("Set the primary category of the selected products")
    action_priority = 25
    form_class = SetCategoryForm

    def get_execution_context(self):
        return {
            **super().get_execution_context(),
            "category": self.cleaned_form.cleaned_data["category"],
            "publish_now": self.cleaned_form.cleaned_data["publish_now"],
        }

    @classmethod
    def execute_action(
        cls, objects, user=None, category=None, publish_now=False, **kwargs
    ):
        changed = services.set_primary_category(
            objects, category=category, user=user, publish_now=publish_now
        )
        return changed, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Category set on %(count)d product.",
            "Category set on %(count)d products.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
