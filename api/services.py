"""Creating and revoking API keys and staff tokens."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiKey, Scope, StaffToken, hash_secret
from plugins.audit import log_change
from plugins.exceptions import RetaguardaError


class InvalidApiKey(RetaguardaError):
    code = "invalid-api-key"


class InvalidStaffToken(RetaguardaError):
    code = "invalid-staff-token"


def _check_values(scopes, allowed_origins, rate_limit):
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise InvalidApiKey(f"Unknown scopes: {', '.join(unknown)}")
    for origin in allowed_origins:
        if not origin.startswith(("https://", "http://")) or origin.count("/") > 2:
            raise InvalidApiKey(f"Not an origin (scheme://host[:port]): {origin}")
    if rate_limit < 0:
        raise InvalidApiKey("The rate limit cannot be negative.")


@transaction.atomic
def create_api_key(
    *,
    name: str,
    scopes: list[str],
    allowed_origins: list[str],
    rate_limit: int,
    user,
    secret: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with its secret, which is not stored anywhere.

    ``secret`` is for the demo only (``api.demo`` derives its key's secret so
    that it survives restarts); otherwise a fresh random one is made.
    Requires ``api.add_apikey``. Logs ``wagtail.create``.
    """
    if user is not None and not user.has_perm("api.add_apikey"):
        raise PermissionDenied
    _check_values(scopes, allowed_origins, rate_limit)
    if secret is None:
        prefix, secret = ApiKey.new_secret()
    elif (prefix := ApiKey.split(secret)) is None:
        raise ValueError("not an API key secret")
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        key_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        allowed_origins=list(dict.fromkeys(allowed_origins)),
        rate_limit=rate_limit,
        created_by=user,
    )
    log_change(
        key,
        "wagtail.create",
        user=user,
        changes={
            "scopes": [None, key.scopes],
            "allowed_origins": [None, key.allowed_origins],
        },
    )
    return key, secret


@transaction.atomic
def revoke_api_key(key: ApiKey, *, user) -> bool:
    """Revoke a key at once (its next request is refused). Requires
    ``api.change_apikey``. Logs ``api.key.revoke``. Returns False if it was
    already revoked."""
    if user is not None and not user.has_perm("api.change_apikey"):
        raise PermissionDenied
    updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        from api.signals import forget_api_key

        key.refresh_from_db()
        forget_api_key(instance=key)
        log_change(key, "api.key.revoke", user=user)
    return bool(updated)


@transaction.atomic
def issue_staff_token(
    *, user, name: str, valid_for: datetime.timedelta | None = None
) -> tuple[StaffToken, str]:
    """Issue a personal token for ``user``; returns it with its secret, which
    is not stored anywhere. Only users allowed into the back office get one.
    Logs ``api.staff_token.issue``."""
    if not (user.is_active and user.has_perm("wagtailadmin.access_admin")):
        raise PermissionDenied
    valid_for = valid_for or StaffToken.DEFAULT_VALIDITY
    if not datetime.timedelta(0) < valid_for <= StaffToken.MAX_VALIDITY:
        raise InvalidStaffToken(
            _("A token is valid for 1 to %(days)d days.")
            % {"days": StaffToken.MAX_VALIDITY.days}
        )
    name = name.strip()
    if not name:
        raise InvalidStaffToken(_("Give the token a name."))
    prefix, secret = StaffToken.new_secret()
    token = StaffToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        key_hash=hash_secret(secret),
        expires_at=timezone.now() + valid_for,
    )
    log_change(token, "api.staff_token.issue", user=user)
    return token, secret


@transaction.atomic
def revoke_staff_token(token: StaffToken, *, user) -> bool:
    """Revoke a token at once. Its owner may, and so may superusers. Logs
    ``api.staff_token.revoke``. Returns False if it was already revoked."""
    if user.pk != token.user_id and not user.is_superuser:
        raise PermissionDenied
    updated = StaffToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        token.refresh_from_db()
        log_change(token, "api.staff_token.revoke", user=user)
    return bool(updated)
