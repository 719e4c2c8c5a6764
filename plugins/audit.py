"""Audit trail: Wagtail's audit log, with the changed fields' before/after values.

Wagtail 8 routes every admin create/edit/delete of a model through an *action*
class looked up in its action registry. ``plugins.wagtail_hooks`` registers the
audited subclasses below for every model, so all admin screens (Wagtail's own
and the plugins') record which fields changed, from what, to what. Services
record their business operations with :func:`log_change`. Plugins register
their own log action codes with Wagtail's ``register_log_actions`` hook.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.actions.create import CreateAction
from wagtail.actions.delete import DeleteAction
from wagtail.actions.edit import EditAction
from wagtail.log_actions import LogFormatter, get_active_log_context, log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from plugins.display import yes_no
from plugins.money import format_br_decimal, is_money_column

#: Field names never written to the audit log (their change is, not the value).
#: Cost prices are for the few who may see them; the audit log is read by more.
SECRET_FIELDS = {"password", "secret", "secret_hash", "key_hash", "token", "cost_price"}
MAX_VALUE_LENGTH = 500


def audit_value(value: Any) -> Any:
    """A JSON-friendly rendering of a field value for the audit log."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return force_str(value)[:MAX_VALUE_LENGTH]
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(force_str(v)[:MAX_VALUE_LENGTH] for v in value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return force_str(value)[:MAX_VALUE_LENGTH]


def _is_secret(name: str) -> bool:
    return (
        name in SECRET_FIELDS
        or "password" in name
        or name.endswith(("_secret", "_hash", "_token"))
    )


def _masked(name: str, before: Any, after: Any) -> list[Any]:
    if _is_secret(name):
        return ["***", "***"]
    return [audit_value(before), audit_value(after)]


def form_changes(form) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields a bound, valid form changed."""
    changes = {}
    for name in form.changed_data:
        if name not in form.cleaned_data:
            continue
        before = form.initial.get(name)
        field = form.fields.get(name)
        if field is not None and hasattr(field, "queryset") and before is not None:
            # Initial values of model choice fields are primary keys.
            pks = before if isinstance(before, list | tuple | set) else [before]
            pks = [getattr(pk, "pk", pk) for pk in pks]
            objects = list(field.queryset.model._default_manager.filter(pk__in=pks))
            before = (
                objects
                if isinstance(form.initial.get(name), list | tuple | set)
                else (objects[0] if objects else before)
            )
        changes[name] = _masked(name, before, form.cleaned_data[name])
    changes.update(formset_changes(form))
    return changes


#: Fields of an inline formset's forms that are not the child's data.
FORMSET_FIELDS = {"DELETE", "ORDER", "id"}


def _child_label(form) -> str:
    """How the log names a child row: its SKU when it has one (as imports
    do), else what it prints as."""
    sku = form.initial.get("sku") or getattr(form, "cleaned_data", {}).get("sku")
    return str(sku or form.instance)


def formset_changes(form) -> dict[str, dict[str, Any]]:
    """The inline children a bound, valid form with formsets (modelcluster's
    ``ClusterForm``: a product's variants) changed, by relation and child:
    ``{"variants": {"CAN-AZ": {"price": ["89.90", "99.90"]}, "CAN-VD": "new",
    "CAN-PT": "removed"}}`` — the shape catalog imports record."""
    result = {}
    for relation, formset in (getattr(form, "formsets", None) or {}).items():
        deleted = {id(child) for child in formset.deleted_forms}
        children: dict[str, Any] = {}
        for child in formset.forms:
            if not hasattr(child, "cleaned_data") or not child.has_changed():
                continue
            existing = bool(child.initial.get("id") or child.instance.pk)
            if id(child) in deleted:
                if existing:
                    children[_child_label(child)] = "removed"
            elif not existing:
                children[_child_label(child)] = "new"
            else:
                fields = {
                    name: value
                    for name, value in form_changes(child).items()
                    if name not in FORMSET_FIELDS
                }
                if fields:
                    children[_child_label(child)] = fields
        if children:
            result[relation] = children
    return result


def concrete_values(instance: models.Model) -> dict[str, Any]:
    return {
        field.name: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }


def instance_changes(instance: models.Model) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` comparing ``instance`` to its stored row."""
    if instance.pk is None:
        return {
            name: _masked(name, None, value)
            for name, value in concrete_values(instance).items()
            if value not in (None, "")
        }
    stored = (
        type(instance)
        ._default_manager.filter(pk=instance.pk)
        .values(
            *[f.attname for f in instance._meta.concrete_fields if not f.primary_key]
        )
        .first()
    )
    if stored is None:
        return {}
    changes = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        before, after = stored[field.attname], getattr(instance, field.attname)
        if before != after:
            changes[field.name] = _masked(field.name, before, after)
    return changes


def log_change(
    instance: models.Model,
    action: str,
    *,
    user=None,
    changes: dict[str, list[Any]] | None = None,
    **data: Any,
):
    """Write one audit log entry for ``instance``.

    ``changes`` is ``{field: [before, after]}``; other keyword arguments are
    stored in the entry's data as they are (they must be JSON-serialisable).
    """
    payload = dict(data)
    if changes:
        payload["changes"] = changes
    model = log_registry.get_log_model_for_instance(instance)
    if model is not ModelLogEntry:
        log(instance=instance, action=action, user=user, data=payload)
        return
    # What Wagtail's ``log()`` writes for a model, without the ``full_clean()``
    # of its ``save()``: that checks the foreign keys by query and the action
    # against the registry, and here the keys come from saved rows and the
    # action is checked below. Services log on every order and movement.
    if instance.pk is None:
        raise ValueError(f"Cannot log {action!r} for an unsaved {instance!r}.")
    if not log_registry.action_exists(action):
        raise ValueError(f"The log action {action!r} has not been registered.")
    context = get_active_log_context()
    by = user or context.user
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(instance.pk),
                label=str(instance)
                or f"{type(instance).__name__} object ({instance.pk})",
                action=action,
                timestamp=timezone.now(),
                data=payload,
                user_id=by.pk if by is not None else None,
                uuid=context.uuid,
            )
        ]
    )


class AuditedCreateAction(CreateAction):
    """Wagtail's create action, recording the initial field values."""

    def __init__(self, instance, user=None, *, log_action="wagtail.create", **kwargs):
        super().__init__(instance, user=user, log_action=False, **kwargs)
        self.audit_action = log_action

    @transaction.atomic
    def _create(self, *args, **kwargs):
        instance = super()._create(*args, **kwargs)
        if self.audit_action:
            form = getattr(self, "form", None)
            changes = (
                {
                    name: _masked(name, None, form.cleaned_data[name])
                    for name in form.changed_data
                    if name in form.cleaned_data
                }
                if form is not None
                else {
                    name: _masked(name, None, value)
                    for name, value in concrete_values(instance).items()
                    if value not in (None, "")
                }
            )
            log(
                instance=instance,
                action=self.audit_action,
                user=self.user,
                revision=getattr(self, "revision", None),
                content_changed=True,
                data={"changes": changes},
            )
        return instance


class AuditedEditAction(EditAction):
    """Wagtail's edit action, recording each changed field's before/after."""

    def __init__(self, instance, user=None, *, log_action="wagtail.edit", **kwargs):
        form = kwargs.get("form")
        self.changes = (
            form_changes(form)
            if form is not None and hasattr(form, "cleaned_data")
            else instance_changes(instance)
        )
        super().__init__(instance, user=user, log_action=False, **kwargs)
        self.audit_action = log_action

    @transaction.atomic
    def _edit(self, skip_permission_checks=False):
        instance = super()._edit(skip_permission_checks=skip_permission_checks)
        if self.audit_action:
            log(
                instance=instance,
                action=self.audit_action,
                user=self.user,
                revision=self.revision,
                content_changed=self.content_changed,
                data={"changes": self.changes} if self.changes else {},
            )
        return instance


class AuditedDeleteAction(DeleteAction):
    """Wagtail's delete action; the log entry keeps the deleted values."""

    def _delete(self):
        with transaction.atomic():
            if self.log_action:
                snapshot = {
                    name: _masked(name, value, None)
                    for name, value in concrete_values(self.instance).items()
                    if value not in (None, "")
                }
                log(
                    instance=self.instance,
                    action=self.log_action,
                    user=self.user,
                    deleted=True,
                    data={"changes": snapshot},
                )
            return self.instance.delete()


def describe_changes(data: dict | None, model: type[models.Model] | None = None) -> str:
    """What a log entry's data says changed, as people read it.

    With the entry's ``model``, fields are named by their verbose names in the
    active language and values shown as on the screens (Sim/Não, "R$ 89,90",
    a choice's label): 'Nome: “A” → “B”; Preço (Variante CAN-AZ): R$ 89,90 →
    R$ 99,90'. Without it, by the names stored: 'price: “10.00” → “12.00”'.
    The log stores field names, never labels: they are translated here, when
    the entry is shown.
    """
    changes = (data or {}).get("changes") or {}
    parts = []
    for name, change in changes.items():
        if isinstance(change, dict):
            parts.extend(_describe_children(model, name, change))
        elif isinstance(change, list | tuple) and len(change) == 2:
            field = _field(model, name)
            before, after = change
            parts.append(
                f"{_field_label(field, name)}: "
                f"{_display(before, field)} → {_display(after, field)}"
            )
    return "; ".join(parts)


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        try:
            return model._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            return None


def _field_label(field, name: str) -> str:
    verbose_name = getattr(field, "verbose_name", None)
    return capfirst(str(verbose_name)) if verbose_name else name


def _describe_children(model, relation: str, children: dict) -> list[str]:
    """'Preço (Variante CAN-AZ): R$ 89,90 → R$ 99,90', 'Variante CAN-VD:
    inclusão' for the children of ``relation`` (:func:`formset_changes`)."""
    related = getattr(_field(model, relation), "related_model", None)
    noun = capfirst(str(related._meta.verbose_name)) if related else relation
    parts = []
    for label, change in children.items():
        child = f"{noun} {label}"
        if change == "new":
            parts.append(_("%(child)s: added") % {"child": child})
        elif change == "removed":
            parts.append(_("%(child)s: removed") % {"child": child})
        elif isinstance(change, dict):
            for name, (before, after) in change.items():
                field = _field(related, name)
                parts.append(
                    f"{_field_label(field, name)} ({child}): "
                    f"{_display(before, field)} → {_display(after, field)}"
                )
    return parts


def _display(value: Any, field=None) -> str:
    if value is None or value == "":
        return "∅"
    if value == "***":
        return value
    if isinstance(value, bool):
        return yes_no(value)
    if field is not None and field.choices:
        return f"“{dict(field.flatchoices).get(value, value)}”"
    if isinstance(field, models.DecimalField):
        try:
            if is_money_column(field):
                return f"R$ {format_br_decimal(value)}"
            return format_br_decimal(value, places=None)
        except (ArithmeticError, ValueError, TypeError):
            pass
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return f"“{value}”"


class ChangesFormatter(LogFormatter):
    """Keeps an action's label and message; the comment lists field changes."""

    def __init__(self, base: LogFormatter):
        self.base = base
        self.label = base.label

    def format_message(self, log_entry):
        return self.base.format_message(log_entry)

    def format_comment(self, log_entry):
        base_comment = self.base.format_comment(log_entry)
        changes = describe_changes(log_entry.data, log_entry_model(log_entry))
        return " — ".join(part for part in (base_comment, changes) if part)


def log_entry_model(log_entry) -> type[models.Model] | None:
    """The model a log entry is about (content types are cached: no query
    per entry)."""
    content_type_id = getattr(log_entry, "content_type_id", None)
    if content_type_id is None:
        return None
    return ContentType.objects.get_for_id(content_type_id).model_class()


def changes_label() -> str:
    return _("Changes")
