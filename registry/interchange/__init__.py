"""The registry's catalogue exchange format: one JSON document of organisations, products
and case studies, documented in docs/import-format.md.

The same field specifications (`schema`) drive reading a file (`importer`) and writing
one (`exporter`), so whatever the export writes, the import reads back unchanged.
"""

from .schema import FORMAT_NAME, FORMAT_VERSION, Problem

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "Problem"]
