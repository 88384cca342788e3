"""The record's vocabulary: what the kinds of record are, and their names.

Pure data and functions, no database and no web: every layer (parsers, attribution,
store, pages, API, feeds, emails, the CLI) reads the kinds from :mod:`.kinds`, so a kind is
described in one table and named the same way everywhere; and what of a speech's markup is
kept, :mod:`.markup`, reduced once where the record is built and trusted by every surface.
"""
