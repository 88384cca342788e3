"""Following the public ParlParse archive: an incremental HTTP mirror (``despatchbox update``)."""
