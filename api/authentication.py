"""Authentication of API callers.

- Storefront frontends send their API key as ``Authorization: Api-Key rtg_…``
  (or ``X-Api-Key: rtg_…``). A valid key authenticates the request as the
  frontend: ``request.user`` is anonymous and ``request.auth`` is the
  :class:`~api.models.ApiKey`.
- Back-office staff send a personal token as ``Authorization: Bearer rtgs_…``:
  ``request.user`` is that user (with their roles and object permissions) and
  ``request.auth`` the :class:`~api.models.StaffToken`. The browsable API uses
  the admin session instead.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiKey, HashedCredential, StaffToken

LAST_USED_PRECISION = datetime.timedelta(minutes=1)
# Keys are read on every storefront request: they are cached by prefix, and
# forgotten at once when one is saved or revoked (``forget_api_key``).
KEY_CACHE_SECONDS = 60


def presented_key(request) -> str | None:
    header = authentication.get_authorization_header(request).decode(errors="ignore")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "api-key" and value.strip():
        return value.strip()
    return request.META.get("HTTP_X_API_KEY") or None


def _key_cache_key(prefix: str) -> str:
    return f"api:key:{prefix}"


def cached_key_and(secret: str, *names: str) -> tuple[ApiKey | None, list]:
    """The active API key ``secret`` names, if it is cached and needs no
    bookkeeping now (its last use recorded within the minute), with the
    cached values of ``names``, in one cache read. ``None`` for the key
    otherwise: then the full authentication runs."""
    prefix = ApiKey.split(secret)
    if not prefix:
        return None, [None for _name in names]
    key_name = _key_cache_key(prefix)
    found = cache.get_many([key_name, *names])
    key = found.get(key_name)
    if (
        key is None
        or not key.matches(secret)
        or not key.is_active
        or key.last_used_at is None
        or timezone.now() - key.last_used_at > LAST_USED_PRECISION
    ):
        return None, [None for _name in names]
    return key, [found.get(name) for name in names]


def forget_api_key(prefix: str) -> None:
    cache.delete(_key_cache_key(prefix))


def _touch(credential: HashedCredential, now: datetime.datetime) -> bool:
    """Record the last use, at most once a minute per credential (not one write
    per request). Returns whether it wrote."""
    if credential.last_used_at and now - credential.last_used_at <= LAST_USED_PRECISION:
        return False
    type(credential).objects.filter(pk=credential.pk).update(last_used_at=now)
    credential.last_used_at = now
    return True


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        secret = presented_key(request)
        if secret is None:
            return None
        prefix = ApiKey.split(secret)
        key = self._lookup(prefix) if prefix else None
        if key is None or not key.matches(secret):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        if _touch(key, timezone.now()):
            cache.set(_key_cache_key(prefix), key, KEY_CACHE_SECONDS)
        return AnonymousUser(), key

    @staticmethod
    def _lookup(prefix: str) -> ApiKey | None:
        key = cache.get(_key_cache_key(prefix))
        if key is None:
            key = ApiKey.objects.filter(prefix=prefix).first()
            if key is not None:
                cache.set(_key_cache_key(prefix), key, KEY_CACHE_SECONDS)
        return key

    def authenticate_header(self, request):
        return self.keyword


class StaffTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer rtgs_…``: a staff member's personal token.

    The user must be active and allowed into the admin; what they may do is
    then decided by their permissions, exactly as in the admin."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(
            errors="ignore"
        )
        scheme, _sep, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            return None
        prefix = StaffToken.split(secret)
        token = (
            StaffToken.objects.select_related("user").filter(prefix=prefix).first()
            if prefix
            else None
        )
        if token is None or not token.matches(secret):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if not token.is_valid_at(now):
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        user = token.user
        if not user.is_active or not user.has_perm("wagtailadmin.access_admin"):
            raise exceptions.AuthenticationFailed(
                _("This user may not use the back office.")
            )
        _touch(token, now)
        return user, token

    def authenticate_header(self, request):
        return self.keyword
