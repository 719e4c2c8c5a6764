"""Fixtures of the reports' tests: the orders plugin's channels."""

from tests.plugins.orders.conftest import loja, mercado_livre  # noqa: F401
