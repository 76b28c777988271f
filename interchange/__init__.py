"""The registry's catalogue exchange format: one JSON document of organisations, products
and case studies, documented in docs/import-format.md.

The same field specifications (`schema`) drive reading a file (`importer`) and writing
one (`exporter`), so whatever the export writes, the import reads back unchanged. It sits
above `proof` and `assessments` in the layers because the format carries products'
standards compliance and the import warns of proof rules a product breaks.
"""
