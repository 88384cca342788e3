"""Signed links: confirm an alert, manage an address's alerts, unsubscribe from one.

Tokens are itsdangerous signatures with ``DESPATCHBOX_SECRET_KEY``, one salt per purpose so
that a token made for one purpose is refused for another. Confirmation links expire after a
week, manage links after 30 days and unsubscribe links after 180 days (every email carries a fresh
one; an expired link's page offers to email a manage link instead). An unsubscribe link never
leads to a manage link once its alert is gone (web/alerts_pages.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM, MANAGE, UNSUBSCRIBE = "confirm", "manage", "unsubscribe"
MAX_AGE = {CONFIRM: 7 * 24 * 3600, MANAGE: 30 * 24 * 3600, UNSUBSCRIBE: 180 * 24 * 3600}
_SALT = "despatchbox.alerts."


class BadLink(ValueError):
    """A link that was tampered with, made for something else, or expired; the message is for the user."""


@dataclass(frozen=True)
class Signer:
    secret_key: str

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=_SALT + purpose)

    def dumps(self, purpose: str, payload: dict) -> str:
        return self._serializer(purpose).dumps(payload)

    def loads(self, purpose: str, token: str) -> dict:
        try:
            payload = self._serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
        except SignatureExpired:
            raise BadLink("This link has expired. Ask for a new one on the alerts page.") from None
        except BadSignature:
            raise BadLink("This link is not valid: it may have been mistyped or cut short. "
                          "Copy the whole link from the email, or ask for a new one.") from None
        if not isinstance(payload, dict):
            raise BadLink("This link is not valid.")
        return payload

    # the three kinds of link
    def confirm_token(self, alert_id: int, email: str) -> str:
        return self.dumps(CONFIRM, {"a": alert_id, "e": email})

    def manage_token(self, email: str) -> str:
        return self.dumps(MANAGE, {"e": email})

    def unsubscribe_token(self, alert_id: int, email: str) -> str:
        return self.dumps(UNSUBSCRIBE, {"a": alert_id, "e": email})

    def read_alert_token(self, purpose: str, token: str) -> tuple[int, str]:
        payload = self.loads(purpose, token)
        try:
            return int(payload["a"]), str(payload["e"])
        except (KeyError, TypeError, ValueError):
            raise BadLink("This link is not valid.") from None

    def read_manage_token(self, token: str) -> str:
        payload = self.loads(MANAGE, token)
        if not isinstance(payload.get("e"), str):
            raise BadLink("This link is not valid.")
        return payload["e"]
