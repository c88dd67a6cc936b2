"""Deliver memos by SMTP: settings from the environment, retries, a sent-ledger.

Settings (never in params, which are committed):
``CMO_SMTP_HOST``, ``CMO_SMTP_PORT`` (default 587 for starttls, 465 for ssl, 25 for none),
``CMO_SMTP_USER``, ``CMO_SMTP_PASSWORD``, ``CMO_SMTP_SECURITY`` = starttls | ssl | none,
``CMO_SMTP_TIMEOUT`` (seconds, default 30).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Callable, Mapping

from ..errors import DeliveryError, SettingsError

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: str = ""
    timeout: float = 30.0

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r}, user={self.user!r})"


def settings_from_env(env: Mapping[str, str] | None = None) -> SmtpSettings:
    """Read ``CMO_SMTP_*``; raise :class:`SettingsError` naming the variable and the fix."""
    env = os.environ if env is None else env
    host = env.get("CMO_SMTP_HOST", "").strip()
    if not host:
        raise SettingsError("CMO_SMTP_HOST is not set; export the SMTP server name (e.g. CMO_SMTP_HOST=smtp.office365.com) "
                            "or use --dry-run to write the .eml only")
    security = env.get("CMO_SMTP_SECURITY", "starttls").strip().lower()
    if security not in _DEFAULT_PORTS:
        raise SettingsError(f"CMO_SMTP_SECURITY must be starttls, ssl or none (got {security!r})")
    port_text = env.get("CMO_SMTP_PORT", "").strip()
    try:
        port = int(port_text) if port_text else _DEFAULT_PORTS[security]
    except ValueError:
        raise SettingsError(f"CMO_SMTP_PORT must be a port number like 587 (got {port_text!r})") from None
    user, password = env.get("CMO_SMTP_USER", ""), env.get("CMO_SMTP_PASSWORD", "")
    if user and not password:
        raise SettingsError("CMO_SMTP_USER is set but CMO_SMTP_PASSWORD is empty; set both or neither")
    try:
        timeout = float(env.get("CMO_SMTP_TIMEOUT", "30"))
    except ValueError:
        raise SettingsError(f"CMO_SMTP_TIMEOUT must be seconds (got {env.get('CMO_SMTP_TIMEOUT')!r})") from None
    return SmtpSettings(host, port, security, user, password, timeout)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError,
                            socket.timeout, TimeoutError))


def send(msg: EmailMessage, settings: SmtpSettings, *, attempts: int = 4, backoff: float = 2.0,
         sleep: Callable[[float], None] = time.sleep, say: Callable[[str], None] | None = None,
         kept: str = "the memo stays on disk") -> None:
    """Send ``msg``; retry transient failures (4xx, dropped connections) with exponential backoff.

    ``kept`` is what a failure says is on disk: the memo for a memo, the pending alert for an alert (a run that
    refused stale data wrote no memo, so "the memo stays on disk" would send the analyst looking for nothing).

    ``say`` receives one line per retry (the runner's progress lines); without it the retry is logged.
    """
    last: BaseException | None = None
    for attempt in range(1, attempts + 1):
        try:
            _send_once(msg, settings)
            return
        except smtplib.SMTPRecipientsRefused as exc:
            if all(400 <= code < 500 for code, _ in exc.recipients.values()) and attempt < attempts:
                last = exc  # a greylisting 450/451 for the recipients: retried like any transient failure
                sleep(backoff * 2 ** (attempt - 1))
                continue
            why = "; ".join(f"{rcpt}: {code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
                            for rcpt, (code, msg) in sorted(exc.recipients.items()))
            raise DeliveryError(f"SMTP server {settings.host} refused the recipients ({why}); "
                                f"check memo.recipients in params; {kept}") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login as {settings.user!r} at {settings.host} failed ({exc.smtp_code}); "
                                "check CMO_SMTP_USER and CMO_SMTP_PASSWORD") from None
        except (smtplib.SMTPException, OSError) as exc:
            last = exc
            if not _transient(exc) or attempt == attempts:
                break
            wait = backoff * 2 ** (attempt - 1)
            line = (f"SMTP attempt {attempt}/{attempts} to {settings.host}:{settings.port} failed ({exc}); "
                    f"retrying in {wait:.0f} s")
            if say:
                say(f"retry    {line}")
            else:
                log.warning(line)
            sleep(wait)
    if isinstance(last, smtplib.SMTPResponseException) and last.smtp_code >= 500:
        reason = last.smtp_error.decode("utf-8", "replace") if isinstance(last.smtp_error, bytes) else str(last.smtp_error)
        raise DeliveryError(f"SMTP server {settings.host}:{settings.port} refused the message ({last.smtp_code} {reason}); "
                            "sending again will be refused too: fix what the server names (recipients, sender "
                            f"address, size or content), then run again with --email; {kept}")
    raise DeliveryError(f"could not send via {settings.host}:{settings.port} ({type(last).__name__}: {last}); "
                        f"{kept}, run again with --email once the server is reachable")


def _send_once(msg: EmailMessage, s: SmtpSettings) -> None:
    if s.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
    with client:
        client.ehlo()
        if s.security == "starttls":
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if s.user:
            client.login(s.user, s.password)
        client.send_message(msg)


class SentLedger:
    """Which memos were sent: one JSON file per period, so a memo goes out once."""

    def __init__(self, period_dir: Path):
        self.path = period_dir / "sent.json"

    def load(self) -> dict:
        """The records; a damaged file raises DeliveryError (a memo must never go out twice because of it)."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DeliveryError(f"the sent-ledger {self.path} is damaged ({type(exc).__name__}: {exc}); nothing was sent, "
                                "so no memo goes out twice; restore it from a backup, or move it aside and rebuild it "
                                f"from the copies in {self.path.parent / 'sent'} (then --resend only what is not there)") from None
        if not isinstance(data, dict):
            raise DeliveryError(f"the sent-ledger {self.path} is not a mapping of memo records; restore it from a backup")
        return data

    def entry(self, name: str) -> dict | None:
        return self.load().get(name)

    def record(self, name: str, msg: EmailMessage, eml: bytes) -> None:
        from ..render.export import write_atomic

        data = self.load()
        history = data.get(name, {}).get("history", [])
        entry = {
            "message_id": msg["Message-ID"],
            "to": msg["To"],
            "subject": msg["Subject"],
            "sent_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "sha256": hashlib.sha256(eml).hexdigest(),
        }
        data[name] = {**entry, "history": history + [entry]}
        write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
