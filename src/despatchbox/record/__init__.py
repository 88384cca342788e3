"""The record's vocabulary: what the kinds of record are, and their names.

Pure data and functions, no database and no web: every layer (parsers, attribution,
store, pages, API, feeds, emails, the CLI) reads the kinds from :mod:`.kinds`, so a kind is
described in one table and named the same way everywhere.
"""
