"""Fixtures of the reports' tests: the orders plugin's channels and the
hand-computed November."""

from tests.plugins.analytics.november import catalog, orders  # noqa: F401
from tests.plugins.orders.conftest import loja, mercado_livre  # noqa: F401
