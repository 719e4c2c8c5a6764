"""Which plugins exist and which run.

Settings call :func:`plugin_apps` with the names in ``RETAGUARDA_PLUGINS``; it
returns the ``INSTALLED_APPS`` entries for them in a deterministic order. A
plugin name is one of:

* a built-in plugin (``BUILTIN_PLUGINS``);
* a plugin published by an installed distribution under the entry-point group
  ``retaguarda.plugins`` (``foo = "retaguarda_foo"`` in its packaging metadata);
* a dotted path to an importable app module whose ``apps.py`` defines a
  :class:`~plugins.base.PluginConfig` (useful for plugins that live inside a
  project and are not packaged).

Installing a package never enables it: only the names listed run. This module
is imported while settings load, so it imports no models.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from importlib.metadata import entry_points

from plugins.base import PluginConfig
from plugins.exceptions import PluginConfigurationError

ENTRY_POINT_GROUP = "retaguarda.plugins"

#: Plugins that ship with Retaguarda: name -> app module. They run by default
#: (when ``RETAGUARDA_PLUGINS`` is not set).
BUILTIN_PLUGINS: dict[str, str] = {
    "orders": "plugins.orders",
    "stock": "plugins.stock",
    "finance": "plugins.finance",
    "fiscal": "plugins.fiscal",
    "logistics": "plugins.logistics",
    "analytics": "plugins.analytics",
}


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str
    source: str
    config_class: type[PluginConfig]

    @property
    def label(self) -> str:
        return config_label(self.config_class, self.module)

    @property
    def app_entry(self) -> str:
        """The ``INSTALLED_APPS`` entry: the dotted path of the config class."""
        return f"{self.config_class.__module__}.{self.config_class.__qualname__}"


def config_label(config_class: type[PluginConfig], module: str) -> str:
    """The app label a config class will get (Django derives a missing one)."""
    return getattr(config_class, "label", None) or module.rpartition(".")[2]


def _entry_point_plugins() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_plugin_names() -> dict[str, tuple[str, str]]:
    """Every plugin that can be enabled by name: name -> (module, source)."""
    found = {name: (module, "built-in") for name, module in BUILTIN_PLUGINS.items()}
    for name, module in _entry_point_plugins().items():
        found.setdefault(name, (module, "entry point"))
    return dict(sorted(found.items()))


def load_config_class(module_path: str) -> type[PluginConfig]:
    """Find the PluginConfig subclass in ``<module_path>.apps``.

    Mirrors Django's rule for ``AppConfig`` discovery: the only subclass defined
    there, or the one marked ``default = True``.
    """
    try:
        apps_module = importlib.import_module(f"{module_path}.apps")
    except ModuleNotFoundError as exc:
        if exc.name and (
            module_path.startswith(exc.name) or exc.name.endswith(".apps")
        ):
            raise PluginConfigurationError(
                f"Plugin module '{module_path}' cannot be imported: {exc}."
            ) from exc
        raise
    candidates = [
        cls
        for _, cls in inspect.getmembers(apps_module, inspect.isclass)
        if issubclass(cls, PluginConfig)
        and cls is not PluginConfig
        and cls.__module__ == apps_module.__name__
    ]
    if len(candidates) > 1:
        candidates = [cls for cls in candidates if getattr(cls, "default", False)]
    if len(candidates) != 1:
        raise PluginConfigurationError(
            f"'{module_path}.apps' must define exactly one PluginConfig subclass "
            f"(or mark one with default = True)."
        )
    return candidates[0]


def find_plugin(name: str) -> PluginInfo:
    available = available_plugin_names()
    if name in available:
        module, source = available[name]
    elif "." in name:
        module, source = name, "path"
    else:
        listing = ", ".join(available) or "(none installed)"
        raise PluginConfigurationError(
            f"Unknown plugin '{name}' in RETAGUARDA_PLUGINS. "
            f"Available plugins: {listing}."
        )
    return PluginInfo(name, module, source, load_config_class(module))


def parse_plugin_list(value: str | None) -> list[str]:
    """``RETAGUARDA_PLUGINS`` as a list: comma or space separated; unset means
    the built-in set, an empty string means none."""
    if value is None:
        return list(BUILTIN_PLUGINS)
    return [part for part in value.replace(",", " ").split() if part]


def resolve(names: list[str]) -> list[PluginInfo]:
    """Load the named plugins and order them: requirements first, then by label.

    Unknown names raise :class:`PluginConfigurationError` listing the available
    plugins. Missing requirements are reported by the system check
    ``plugins.E001``, which stops ``runserver``, ``migrate`` and friends.
    """
    infos: dict[str, PluginInfo] = {}
    for name in dict.fromkeys(names):
        info = find_plugin(name)
        if info.label in infos:
            raise PluginConfigurationError(
                f"Plugins '{infos[info.label].name}' and '{name}' share the label "
                f"'{info.label}'."
            )
        infos[info.label] = info

    ordered: list[PluginInfo] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(label: str) -> None:
        if label in placed or label not in infos:
            return
        if label in visiting:
            raise PluginConfigurationError(
                f"Plugin '{label}' is part of a requirement cycle."
            )
        visiting.add(label)
        for required in sorted(infos[label].config_class.requires):
            place(required)
        visiting.discard(label)
        placed.add(label)
        ordered.append(infos[label])

    for label in sorted(infos):
        place(label)
    return ordered


def plugin_apps(value: str | None) -> list[str]:
    """The ``INSTALLED_APPS`` entries for a ``RETAGUARDA_PLUGINS`` value."""
    return [info.app_entry for info in resolve(parse_plugin_list(value))]
