"""The OpenAPI schema's response components made strict, for the tests that
check real responses against them (``test_payload_contract.py``,
``test_schemathesis.py``): an object with declared properties takes no others.

drf-spectacular leaves ``additionalProperties`` out, which allows any key: a key
added to a payload but not to its serializer would go unnoticed."""

from __future__ import annotations


def closed(node):
    """``node`` (a schema or part of one) with ``additionalProperties: false``
    on every object that declares its properties and says nothing of others
    (a ``DictField`` says ``additionalProperties: {}`` and stays open)."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: closed(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    return node


def closed_responses(schema: dict) -> dict:
    """The OpenAPI document ``schema`` with its response components closed.
    Request components (``…Request``, drf-spectacular's
    ``COMPONENT_SPLIT_REQUEST``) stay as they are: the API ignores unknown keys
    in request bodies, and schemathesis would otherwise send some and expect
    them refused."""
    components = schema["components"]["schemas"]
    return {
        **schema,
        "components": {
            **schema["components"],
            "schemas": {
                name: component if name.endswith("Request") else closed(component)
                for name, component in components.items()
            },
        },
    }
