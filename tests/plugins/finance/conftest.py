"""The finance tests match error messages in English (the msgids); each module
also has a test that reads one message in pt-BR, the project's language."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
