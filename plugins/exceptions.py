"""Exceptions shared by the plugin framework and the apps built on it."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


class RetaguardaError(Exception):
    """Base class of the business errors raised by services.

    The admin turns them into form errors and messages; the API turns them into
    RFC 9457 problem details using ``status`` and ``code``.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str = "", **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class Refused(RetaguardaError):
    """Raised by a hook implementation to refuse the operation that called it.

    Hooks that run inside the caller's transaction may raise a subclass of this
    to roll the whole operation back (e.g. "not enough units of SKU X").
    """

    status = 409
    code = "refused"


class PluginConfigurationError(ImproperlyConfigured):
    """A plugin listed in ``RETAGUARDA_PLUGINS`` cannot be loaded."""
