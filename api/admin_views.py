"""Admin screens for API keys and staff tokens: a secret is shown once, on
creation."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from wagtail.admin.views import generic

from api.lockout import ADDRESS, USERNAME, current_lockouts, unlock_login
from api.models import ApiKey, StaffToken
from api.services import (
    create_api_key,
    issue_staff_token,
    revoke_api_key,
    revoke_staff_token,
)
from plugins.exceptions import RetaguardaError


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


class WebhookSecretShownOnceMixin:
    """After saving a webhook whose form generated its signing secret, show
    that secret once (rendered, not redirected, and not cached): it is never
    shown again, on the edit form or anywhere else."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.generated_secret is None:
            return response
        response = TemplateResponse(
            self.request,
            "api/webhook_secret.html",
            {
                "subscription": self.object,
                "secret": form.generated_secret,
                "index_url": reverse("webhooks:index"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class WebhookCreateView(WebhookSecretShownOnceMixin, generic.CreateView):
    pass


class WebhookEditView(WebhookSecretShownOnceMixin, generic.EditView):
    pass


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


class StaffTokenForm(forms.Form):
    name = forms.CharField(
        label=_lazy("Name"),
        max_length=100,
        help_text=_lazy("What the token is for, e.g. “ERP integration”."),
    )
    days = forms.IntegerField(
        label=_lazy("Valid for (days)"),
        min_value=1,
        max_value=StaffToken.MAX_VALIDITY.days,
        initial=StaffToken.DEFAULT_VALIDITY.days,
    )


class StaffTokensView(View):
    """The signed-in user's personal API tokens: issue (the secret is shown
    once) and revoke. Everyone with access to the admin has this screen, for
    their own tokens only."""

    template_name = "api/staff_tokens.html"

    def render(self, request, form, secret=None, token=None):
        tokens = StaffToken.objects.filter(user=request.user)
        response = TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "tokens": tokens,
                "secret": secret,
                "new_token": token,
                "now": timezone.now(),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request):
        return self.render(request, StaffTokenForm())

    def post(self, request):
        form = StaffTokenForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        try:
            token, secret = issue_staff_token(
                user=request.user,
                name=form.cleaned_data["name"],
                valid_for=datetime.timedelta(days=form.cleaned_data["days"]),
            )
        except RetaguardaError as error:
            form.add_error(None, error.message)
            return self.render(request, form)
        return self.render(request, StaffTokenForm(), secret=secret, token=token)


class StaffTokenRevokeView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(StaffToken, pk=pk, user=request.user)
        if revoke_staff_token(token, user=request.user):
            messages.success(
                request, _("Token “%(name)s” revoked.") % {"name": token.name}
            )
        return redirect("api_staff_tokens")


class LoginLockoutsView(View):
    """User names and addresses locked out after too many failed logins, with
    an unlock button for those who may unlock (managers)."""

    def get(self, request):
        if not request.user.has_perm("axes.view_accessattempt"):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "api/login_lockouts.html",
            {
                "lockouts": current_lockouts(),
                "can_unlock": request.user.has_perm("axes.delete_accessattempt"),
                "failure_limit": settings.AXES_FAILURE_LIMIT,
                "cooloff_minutes": int(
                    settings.AXES_COOLOFF_TIME.total_seconds() // 60
                ),
            },
        )


class LoginUnlockView(View):
    http_method_names = ["post"]

    def post(self, request):
        if not request.user.has_perm("axes.delete_accessattempt"):
            raise PermissionDenied
        kind, value = request.POST.get("kind"), request.POST.get("value", "")
        if kind not in (USERNAME, ADDRESS) or not value:
            return redirect("api_login_lockouts")
        if unlock_login(kind=kind, value=value, user=request.user):
            messages.success(request, _("“%(value)s” unlocked.") % {"value": value})
        return redirect("api_login_lockouts")
