"""Metric sources: one class per kind of data, registered by the source names the catalogue's
entries give (`Metric.source`). A source reads any of its metrics over a window (`read`) and in
chart buckets (`series`), as the entry's kind and `of` say.

A new kind of data is one module here with one `@register(NAME)` class, and its import below.
"""

from . import ai, constant, errors, requests, samples, users  # noqa: F401  (each registers its sources)
from .base import SOURCES, Reading, Source, register, source_class

__all__ = ["SOURCES", "Reading", "Source", "register", "source_class"]
