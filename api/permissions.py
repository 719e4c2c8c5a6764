"""Permission classes of the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from api.models import ApiKey

ANY_SCOPE = "*"


class HasApiKeyScope(BasePermission):
    """The request carries an active API key with the view's ``required_scope``
    (``ANY_SCOPE``: any key), sent from one of the key's allowed origins when
    it comes from a browser. Views without ``required_scope`` deny."""

    message = _("This API key does not have the scope this endpoint needs.")

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        if not key.allows_origin(request.headers.get("Origin")):
            self.message = _("This API key may not be used from this origin.")
            return False
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return False
        return scope == ANY_SCOPE or key.has_scope(scope)


class StaffTokenEndpoint(BasePermission):
    """The staff-token endpoint: anyone may ask for a token with a user name
    and password (checked by the view, throttled per address); reading and
    revoking need the token itself."""

    def has_permission(self, request, view):
        from api.models import StaffToken

        if request.method == "POST" or not hasattr(view, request.method.lower()):
            return True  # other methods: 405 from the view, not a 401
        return isinstance(request.auth, StaffToken)


class SignedRequest(BasePermission):
    """Endpoints that outside services call (payment providers' webhooks):
    no key or token; the view proves the request's origin by its signature
    over the raw body before anything else, and answers 401 (nothing done)
    without a valid one."""

    def has_permission(self, request, view):
        return True
