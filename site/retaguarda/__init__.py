"""Retaguarda's Django project configuration (settings, URLs, WSGI/ASGI)."""
