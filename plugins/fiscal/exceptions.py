"""Why a fiscal document could not be built. ``str()`` is the pt-BR reason
shown to the person (on the order's timeline, in the admin)."""


class FiscalXmlError(ValueError):
    """A fiscal document cannot be built from what was given."""


class NFeError(FiscalXmlError):
    """The data cannot make an NF-e."""


class EventError(FiscalXmlError):
    """An event (cancellation, CC-e) or an inutilização breaks its limits."""
