from plugins.base import PluginConfig


class NeedsShelvesConfig(PluginConfig):
    """A plugin that requires the shelves plugin (for the requirement check)."""

    name = "tests.plugin_samples.needs_shelves"
    label = "needs_shelves"
    version = "0.1.0"
    requires = ("shelves",)
