"""Retaguarda's plugin framework and its built-in plugins.

The framework lives in this package's modules (``base``, ``registry``, ``hooks``,
``roles``, ``permissions``, ``audit``); each built-in plugin is a sub-package
with its own Django app (``plugins.orders``, ``plugins.stock`` ...).
"""
