"""Deliver memos by SMTP: settings from the environment, retries, a sent-ledger.

Settings (never in params, which are committed):
``CMO_SMTP_HOST``, ``CMO_SMTP_PORT`` (default 587 for starttls, 465 for ssl, 25 for none),
``CMO_SMTP_USER``, ``CMO_SMTP_PASSWORD``, ``CMO_SMTP_SECURITY`` = starttls | ssl | none,
``CMO_SMTP_TIMEOUT`` (seconds, default 30), ``CMO_SMTP_CA_FILE`` (a PEM file of the CA, or the server's own
certificate, that signed a server certificate the system does not trust; default: the system's trust store).
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
    ca_file: str = ""  # PEM of a company CA or a self-signed server certificate; "" = the system's trust store

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
    ca_file = env.get("CMO_SMTP_CA_FILE", "").strip()
    if ca_file and not Path(ca_file).is_file():
        raise SettingsError(f"CMO_SMTP_CA_FILE names {ca_file}, which is not a file; give the PEM file of the CA "
                            "(or of the server's certificate) that signed the SMTP server's certificate")
    return SmtpSettings(host, port, security, user, password, timeout, ca_file)


#: waits in seconds before each retry after a "try later" (4xx) reply: greylisting servers accept a retry after
#: minutes, not seconds; params ``memo.smtp_retry_seconds`` overrides it (see :func:`retry_schedule`)
RETRY_SECONDS: tuple[float, ...] = (60.0, 300.0, 900.0)


def retry_schedule(memo: Mapping | None) -> tuple[float, ...]:
    """The waits before each retry of a 4xx reply: params ``memo.smtp_retry_seconds``, else :data:`RETRY_SECONDS`."""
    waits = (memo or {}).get("smtp_retry_seconds")
    return RETRY_SECONDS if waits is None else tuple(float(w) for w in waits)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError,
                            socket.timeout, TimeoutError))


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def envelope(msg: EmailMessage) -> list[str]:
    """The addresses ``msg`` goes to (To, Cc, Bcc), as smtplib's ``send_message`` takes them."""
    from email.utils import getaddresses

    return [a for _, a in getaddresses([str(v) for f in ("To", "Cc", "Bcc") for v in (msg.get_all(f) or [])]) if a]


def send(msg: EmailMessage, settings: SmtpSettings, *, attempts: int = 4, backoff: float = 2.0,
         waits: tuple[float, ...] | None = None, to: list[str] | None = None,
         sleep: Callable[[float], None] = time.sleep, say: Callable[[str], None] | None = None,
         kept: str = "the memo stays on disk") -> dict[str, str]:
    """Send ``msg`` (to ``to``, default its To/Cc/Bcc); retry transient failures; return the refused addresses.

    A dropped or refused connection is tried ``attempts`` times, waiting ``backoff`` seconds doubling. A "try
    later" (4xx) reply waits ``waits`` before each retry (the runner passes :func:`retry_schedule`, minutes,
    because a greylisting server takes a retry only after minutes); without ``waits`` it follows the connection
    schedule. Every retry is one progress line to ``say`` (without it, a logged warning).

    When the server takes the message for some recipients and refuses others, the message is not sent again to
    the ones that have it: a "try later" (4xx) refusal is retried for those addresses only, and what stays refused
    comes back as ``{address: "550 5.1.1 the server's reply"}`` (empty when everyone got it) for the caller to
    say, record and alert. Nothing delivered at all raises :class:`DeliveryError`.

    ``kept`` is what a failure says is on disk: the memo for a memo, the pending alert for an alert (a run that
    refused stale data wrote no memo, so "the memo stays on disk" would send the analyst looking for nothing).
    """
    # a dropped or refused connection: ``attempts`` tries, ``backoff`` doubling (the network is back in seconds or
    # not this run); "try later" (4xx): ``waits`` (a greylisting server takes a retry after minutes)
    reconnect = tuple(backoff * 2 ** i for i in range(max(attempts, 1) - 1))
    later = tuple(waits) if waits is not None else reconnect
    waited = {"reconnect": 0, "later": 0}

    def wait(kind: str, line: str) -> bool:
        """Sleep before the next retry of ``kind`` and say so; False when its schedule is used up."""
        schedule = reconnect if kind == "reconnect" else later
        if waited[kind] >= len(schedule):
            return False
        seconds = schedule[waited[kind]]
        waited[kind] += 1
        _tell(say, f"{line}; retrying in {seconds:g} s")
        sleep(seconds)
        return True

    pending = list(to) if to is not None else None
    delivered: list[str] = []
    refused: dict[str, str] = {}
    last: BaseException | None = None
    while True:
        try:
            failed = _send_once(msg, settings, pending)
            delivered += [a for a in (pending or envelope(msg)) if a not in failed]
        except smtplib.SMTPRecipientsRefused as exc:
            failed = exc.recipients  # nobody took it this time
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login as {settings.user!r} at {settings.host} failed ({exc.smtp_code}); "
                                "check CMO_SMTP_USER and CMO_SMTP_PASSWORD") from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"the certificate of {settings.host}:{settings.port} is not trusted ({exc.verify_message or exc}); "
                "nothing was sent, and running again will not help: if the server uses a company CA or a "
                "self-signed certificate, set CMO_SMTP_CA_FILE to that CA's (or the server's) certificate in PEM; "
                "if the name does not match, set CMO_SMTP_HOST to the name the certificate is for; "
                f"{kept}") from None
        except ssl.SSLError as exc:
            raise DeliveryError(
                f"TLS with {settings.host}:{settings.port} failed ({exc.reason or exc}); nothing was sent: the "
                f"port may not speak CMO_SMTP_SECURITY={settings.security} (ssl is usually port 465, starttls port "
                f"587); set CMO_SMTP_SECURITY and CMO_SMTP_PORT to what the server offers; {kept}") from None
        except (smtplib.SMTPException, OSError) as exc:
            last = exc
            if not _transient(exc):
                break
            if isinstance(exc, smtplib.SMTPResponseException):
                retried = wait("later", f"server says try later ({exc.smtp_code} {_text(exc.smtp_error)})")
            else:
                retried = wait("reconnect", f"SMTP attempt {waited['reconnect'] + 1}/{len(reconnect) + 1} to "
                                            f"{settings.host}:{settings.port} failed ({exc})")
            if not retried:
                break
            continue
        if not failed:
            return dict(sorted(refused.items()))
        replies = {rcpt: f"{code} {_text(reply)}" for rcpt, (code, reply) in failed.items()}
        greylisted = sorted(a for a, (code, _) in failed.items() if 400 <= code < 500)
        last_try = waited["later"] >= len(later)
        if not delivered and (len(greylisted) < len(failed) or last_try):
            why = "; ".join(f"{rcpt}: {reply}" for rcpt, reply in sorted(replies.items()))
            raise DeliveryError(f"SMTP server {settings.host} refused the recipients ({why}); "
                                f"check memo.recipients in params; {kept}") from None
        refused.update({a: r for a, r in replies.items() if a not in greylisted})
        if greylisted and wait("later", "server says try later ("
                                        + "; ".join(f"{a}: {replies[a]}" for a in greylisted) + ")"):
            pending = greylisted  # the same addresses again; the ones that have it get no second copy
            continue
        refused.update({a: replies[a] for a in greylisted})
        return dict(sorted(refused.items()))
    if isinstance(last, smtplib.SMTPResponseException) and last.smtp_code >= 500:
        reason = _text(last.smtp_error)
        raise DeliveryError(f"SMTP server {settings.host}:{settings.port} refused the message ({last.smtp_code} {reason}); "
                            "sending again will be refused too: fix what the server names (recipients, sender "
                            f"address, size or content), then run again with --email; {kept}")
    raise DeliveryError(f"could not send via {settings.host}:{settings.port} ({type(last).__name__}: {last}); "
                        f"{kept}, run again with --email once the server is reachable")


def _tell(say: Callable[[str], None] | None, line: str) -> None:
    if say:
        say(f"retry    {line}")
    else:
        log.warning(line)


def _send_once(msg: EmailMessage, s: SmtpSettings, to: list[str] | None = None) -> dict:
    """One connection, one message; smtplib's refused recipients (empty when all took it)."""
    context = ssl.create_default_context(cafile=s.ca_file or None)
    if s.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
    else:
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
    with client:
        client.ehlo()
        if s.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if s.user:
            client.login(s.user, s.password)
        return client.send_message(msg, to_addrs=to)


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

    def record(self, name: str, msg: EmailMessage, eml: bytes, *, delivered: list[str] | None = None,
               refused: Mapping[str, str] | None = None) -> None:
        """Record ``msg`` as sent under ``name``. After a partial refusal, ``delivered`` (every address that has
        it, earlier sends included) and ``refused`` (address -> the server's reply) go into the entry too, so
        ``--resend`` sends only to the addresses that do not have it."""
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
        if refused or delivered is not None:
            entry["delivered_to"] = list(delivered or [])
            entry["refused"] = dict(refused or {})
        data[name] = {**entry, "history": history + [entry]}
        write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
