"""Settings entry point: ``DJANGO_SETTINGS_MODULE=retaguarda.settings``.

Everything is configured through environment variables; see ``base``.
"""

from .base import *  # noqa: F403
