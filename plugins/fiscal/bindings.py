"""nfelib's bindings (xsdata dataclasses of the official schemas) to an lxml
tree, quickly.

xsdata's own serializer walks every field through a chain of generators and
takes most of the time of building an NF-e (about 10 ms of 14 for ten
lines). The fiscal documents use a small part of what it supports: elements
and attributes in schema order, nested dataclasses, lists and enums. This
writer reads the same metadata (xsdata's ``XmlContext``) once per class and
writes exactly what xsdata writes — the tests compare both byte for byte —
and refuses, when a class is first seen, any binding feature it does not
handle.
"""

from __future__ import annotations

from enum import Enum
from functools import cache

from lxml import etree
from xsdata.formats.dataclass.context import XmlContext

_context = XmlContext()


@cache
def _plan(cls: type) -> tuple[str, tuple, tuple]:
    meta = _context.build(cls)
    attributes = []
    elements = []
    for var in meta.get_all_vars():
        unsupported = (
            var.is_text
            or var.is_elements
            or var.is_wildcard
            or var.is_attributes
            or var.mixed
            or var.tokens
            or var.nillable
            or var.sequence is not None
            or var.wrapper_qname
        )
        if unsupported:
            raise NotImplementedError(f"{cls.__qualname__}.{var.name}")
        if var.is_attribute:
            attributes.append((var.name, var.qname))
        else:
            elements.append((var.name, var.qname, var.clazz is not None))
    return meta.qname, tuple(attributes), tuple(elements)


def to_tree(obj, *, nsmap: dict | None = None) -> etree._Element:
    """The element of the binding ``obj`` (its root), with ``nsmap``."""
    qname, _attributes, _elements = _plan(type(obj))
    root = etree.Element(qname, nsmap=nsmap)
    _fill(root, obj)
    return root


def _fill(element: etree._Element, obj) -> None:
    _qname, attributes, elements = _plan(type(obj))
    for name, qname in attributes:
        value = getattr(obj, name)
        if value is not None:
            element.set(qname, _value(value))
    subelement = etree.SubElement
    for name, qname, is_model in elements:
        value = getattr(obj, name)
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else (value,):
            if item is None:
                continue
            child = subelement(element, qname)
            if is_model:
                _fill(child, item)
            else:
                text = _value(item)
                if text:
                    child.text = text


def _value(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
