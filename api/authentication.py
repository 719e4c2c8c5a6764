"""Authentication of storefront frontends by API key.

Send the key as ``Authorization: Api-Key rtg_…`` (or ``X-Api-Key: rtg_…``).
A valid key authenticates the request as the frontend: ``request.user`` is
anonymous and ``request.auth`` is the :class:`~api.models.ApiKey`.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiKey

LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def presented_key(request) -> str | None:
    header = authentication.get_authorization_header(request).decode(errors="ignore")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "api-key" and value.strip():
        return value.strip()
    return request.META.get("HTTP_X_API_KEY") or None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        secret = presented_key(request)
        if secret is None:
            return None
        prefix = ApiKey.split(secret)
        key = ApiKey.objects.filter(prefix=prefix).first() if prefix else None
        if key is None or not key.matches(secret):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            # At most one write a minute per key, not one per request.
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return self.keyword
