"""Admin screens for API keys: the secret is shown once, on creation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin.views import generic

from api.models import ApiKey
from api.services import create_api_key, revoke_api_key


class ApiKeyCreateView(generic.CreateView):
    def form_valid(self, form):
        key, secret = create_api_key(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            allowed_origins=form.cleaned_data["allowed_origins"],
            rate_limit=form.cleaned_data["rate_limit"],
            user=self.request.user,
        )
        # Rendered, not redirected: the secret is never stored, not even in
        # the session's messages.
        response = TemplateResponse(
            self.request,
            "api/key_created.html",
            {"key": key, "secret": secret, "index_url": self.get_success_url()},
        )
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyRevokeView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not request.user.has_perm("api.change_apikey"):
            raise PermissionDenied
        key = get_object_or_404(ApiKey, pk=pk)
        if revoke_api_key(key, user=request.user):
            messages.success(
                request, _("API key “%(name)s” revoked.") % {"name": key.name}
            )
        return redirect("api_keys:index")


class RedeliverView(View):
    """Send a webhook delivery again (from the delivery log)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        from api.models import WebhookDelivery
        from api.webhooks import redeliver

        if not request.user.has_perm("api.change_webhooksubscription"):
            raise PermissionDenied
        delivery = get_object_or_404(WebhookDelivery, pk=pk)
        redeliver(delivery)
        messages.success(request, _("The delivery will be sent again."))
        return redirect("webhook_deliveries:index")
