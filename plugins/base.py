"""The base class every Retaguarda plugin's ``AppConfig`` subclasses.

This module is imported while settings load (to read ``requires`` and order
``INSTALLED_APPS``), so it must not import models or anything that needs the app
registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.apps import AppConfig

if TYPE_CHECKING:
    from plugins.roles import RoleTemplate


class RoleProviderMixin:
    """An app that declares role templates and object scopes.

    Core apps use it directly; plugins get it through :class:`PluginConfig`.
    """

    #: Role templates this app contributes. Templates with the same ``key`` from
    #: several apps are merged: the first declaration names the role, the others
    #: add permissions to it (e.g. a plugin giving the core "manager" role read
    #: access to its models).
    roles: ClassVar[tuple[RoleTemplate, ...]] = ()

    #: Models, as ``"app_label.ModelName"``, whose rows scope work (a warehouse,
    #: a sales channel). Managers grant permissions on single rows of these
    #: models in the "object permissions" screen; see ``plugins.permissions``.
    scoped_models: ClassVar[tuple[str, ...]] = ()


class PluginConfig(RoleProviderMixin, AppConfig):
    """Declarative metadata of a plugin.

    Subclass it in the plugin's ``apps.py``::

        class ShelvesConfig(PluginConfig):
            name = "retaguarda_shelves"
            label = "shelves"
            verbose_name = _("Shelves")
            version = "1.0.0"
            requires = ("orders",)
            roles = (RoleTemplate("shelf_keeper", "Repositor", [...]),)
            scoped_models = ("shelves.Shelf",)

    ``label`` is stable: it names the plugin in ``requires``, prefixes its
    permission codenames and mounts its API routes at ``/api/v1/<label>/``.
    """

    #: The plugin's version, shown by ``manage.py plugins``.
    version: ClassVar[str] = "0.0.0"

    #: Labels of the plugins this one needs. A missing one is a system check
    #: error naming both plugins (``plugins.E001``).
    requires: ClassVar[tuple[str, ...]] = ()

    #: One line saying what the plugin does, shown by ``manage.py plugins``.
    description: ClassVar[str] = ""

    is_retaguarda_plugin: ClassVar[bool] = True
