"""The ingest pipeline: files → records → attribution → rows in the store.

It is the one place that wires the parsers (``ingest``), the rules (``attribute``)
and the store together; each source file is loaded in one transaction.
"""
