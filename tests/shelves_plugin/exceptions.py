from django.utils.translation import gettext as _

from plugins.exceptions import RetaguardaError


class OverCapacity(RetaguardaError):
    status = 409
    code = "over-capacity"

    def __init__(self, shelf, units):
        super().__init__(
            _("Shelf %(code)s holds at most %(free)s more units; asked for %(units)s.")
            % {
                "code": shelf.code,
                "free": shelf.capacity - shelf.units,
                "units": units,
            },
            shelf=shelf.code,
            free=shelf.capacity - shelf.units,
        )
