"""Bulk export: the store's facts named into the records of ``docs/export.md`` (:mod:`.records`) and
written as JSON Lines or CSV (:mod:`.writers`) — one package for ``despatchbox export`` and the
``/export/{kind}`` downloads."""
