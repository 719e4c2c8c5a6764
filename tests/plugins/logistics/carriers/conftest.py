"""The carriers' simulators and carrier rows at them (shared with the
tracking tests)."""

from tests.plugins.logistics.tracking.conftest import (  # noqa: F401
    aggregator,
    aggregator_sim,
    correios,
    correios_sim,
)
