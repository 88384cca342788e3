"""Email alerts: saved searches, members and departments, sent as digests over SMTP.

* :mod:`.model` — what an alert is; :mod:`.subscriptions` — creating, confirming, deleting;
* :mod:`.selection` — what an alert matches; :mod:`.identity` — which items it was sent;
* :mod:`.digest` and :mod:`.emails` — the digest and its messages; :mod:`.mailer` — SMTP;
* :mod:`.sender` — ``despatchbox alerts send``; :mod:`.signing` — the signed links;
* :mod:`.samples` — what a digest would hold for the last week.
"""
