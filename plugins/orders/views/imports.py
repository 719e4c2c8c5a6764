"""Marketplace order import screens: upload and check (dry run), then confirm.

The checked file waits in the default storage under a random name until it
is confirmed; the confirmation form carries a signed token naming the file
and the user who uploaded it, valid for a day. Confirming imports the file
again from scratch, in one transaction (all or nothing), so what changed in
between (an order already imported, a price) is taken into account.
"""

from __future__ import annotations

import datetime
import uuid

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.orders.forms import OrderImportForm
from plugins.orders.importing import COLUMNS, REQUIRED_COLUMNS, run_order_import
from plugins.orders.permissions import order_policy
from plugins.permissions import is_active_user

SALT = "orders.import"
MAX_AGE = 24 * 3600
UPLOAD_DIR = "orders/imports"


def remove_expired_uploads(max_age: datetime.timedelta | None = None) -> list[str]:
    """Delete the uploaded files older than ``max_age`` (by default a day:
    checked files nobody confirmed within a day are no longer needed) and
    return their paths."""
    cutoff = timezone.now() - (max_age or datetime.timedelta(seconds=MAX_AGE))
    deleted = []
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
        for name in files:
            path = f"{UPLOAD_DIR}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted.append(path)
    except (FileNotFoundError, NotImplementedError):
        pass
    return deleted


def _sign(path: str, name: str, user) -> str:
    return signing.dumps({"path": path, "name": name, "user": user.pk}, salt=SALT)


def _unsign(token: str, user) -> dict | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("user") != user.pk or not str(data.get("path", "")).startswith(
        UPLOAD_DIR + "/"
    ):
        return None
    return data


class ImportMixin(WagtailAdminTemplateMixin):
    page_title = gettext_lazy("Import marketplace orders")
    header_icon = "upload"
    index_url_name = None
    import_url_name = None
    confirm_url_name = None
    detail_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not (
            is_active_user(request.user)
            and order_policy().user_has_permission(request.user, "import")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Orders")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=COLUMNS,
            required_columns=REQUIRED_COLUMNS,
            import_url=reverse(self.import_url_name),
            confirm_url=reverse(self.confirm_url_name),
        )
        return context


class OrderImportView(ImportMixin, FormView):
    """Upload a file and check it: nothing is written."""

    template_name = "orders/import/start.html"
    form_class = OrderImportForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = upload.read()
        report = run_order_import(data, user=self.request.user, dry_run=True)
        token = ""
        remove_expired_uploads()
        if report.ok and report.new_orders:
            extension = "xlsx" if data[:4] == b"PK\x03\x04" else "csv"
            path = default_storage.save(
                f"{UPLOAD_DIR}/{uuid.uuid4().hex}.{extension}", ContentFile(data)
            )
            token = _sign(path, upload.name[:255], self.request.user)
        return self.render_to_response(
            self.get_context_data(
                form=form, report=report, token=token, file_name=upload.name
            )
        )


class OrderImportConfirmView(ImportMixin, FormView):
    """Import a checked file: all its orders in one transaction, or none."""

    template_name = "orders/import/start.html"
    form_class = OrderImportForm
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        data = _unsign(request.POST.get("token", ""), request.user)
        if data is None or not default_storage.exists(data["path"]):
            messages.error(
                request,
                _(
                    "This import is no longer waiting for confirmation (it was "
                    "confirmed already, or expired). Upload the file again."
                ),
            )
            return redirect(self.import_url_name)
        with default_storage.open(data["path"], "rb") as handle:
            content = handle.read()
        report = run_order_import(
            content, user=request.user, dry_run=False, filename=data["name"]
        )
        # Imported, or no longer valid: either way the file is done with.
        default_storage.delete(data["path"])
        if report.committed:
            messages.success(
                request,
                _("Import finished: %(new)s new orders, %(existing)s already imported.")
                % {"new": report.new_orders, "existing": report.existing_orders},
            )
        return self.render_to_response(
            self.get_context_data(
                form=OrderImportForm(),
                report=report,
                token="",
                file_name=data["name"],
            )
        )
