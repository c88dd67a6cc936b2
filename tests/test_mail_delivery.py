"""SMTP settings, retry timing, refusal messages and the sent-ledger entry (delivery/mail.py), against a
real aiosmtpd server where a server is involved."""
import hashlib
import json
import logging
import re

import pytest
from aiosmtpd.controller import Controller

from cmo_workbook.delivery import mail
from cmo_workbook.errors import DeliveryError, SettingsError
from conftest import _free_port
from test_mail import message


@pytest.mark.parametrize("security,port", [("starttls", 587), ("ssl", 465), ("none", 25), (" SSL ", 465)])
def test_default_port_follows_security(security, port):
    s = mail.settings_from_env({"CMO_SMTP_HOST": " smtp.example ", "CMO_SMTP_SECURITY": security})
    assert (s.host, s.port, s.security, s.user, s.password, s.timeout) == ("smtp.example", port, security.strip().lower(),
                                                                          "", "", 30.0)


def test_explicit_settings_and_their_repr():
    s = mail.settings_from_env({"CMO_SMTP_HOST": "h", "CMO_SMTP_PORT": " 2525 ", "CMO_SMTP_USER": "u",
                                "CMO_SMTP_PASSWORD": "pw", "CMO_SMTP_TIMEOUT": "7.5"})
    assert (s.port, s.security, s.user, s.password, s.timeout) == (2525, "starttls", "u", "pw", 7.5)
    assert repr(s) == "SmtpSettings(host='h', port=2525, security='starttls', user='u')"


@pytest.mark.parametrize("env,message_text", [
    ({}, "CMO_SMTP_HOST is not set; export the SMTP server name (e.g. CMO_SMTP_HOST=smtp.office365.com) or use "
         "--dry-run to write the .eml only"),
    ({"CMO_SMTP_HOST": "h", "CMO_SMTP_TIMEOUT": "soon"}, "CMO_SMTP_TIMEOUT must be seconds (got 'soon')"),
    ({"CMO_SMTP_HOST": "h", "CMO_SMTP_USER": "u"}, "CMO_SMTP_USER is set but CMO_SMTP_PASSWORD is empty; set both or neither"),
])
def test_settings_error_messages(env, message_text):
    with pytest.raises(SettingsError) as e:
        mail.settings_from_env(env)
    assert str(e.value) == message_text


def test_settings_come_from_the_environment_by_default(monkeypatch):
    monkeypatch.setenv("CMO_SMTP_HOST", "env.example")
    monkeypatch.setenv("CMO_SMTP_SECURITY", "none")
    monkeypatch.delenv("CMO_SMTP_PORT", raising=False)
    assert (mail.settings_from_env().host, mail.settings_from_env().port) == ("env.example", 25)


def test_backoff_doubles_and_retries_are_logged_without_say(smtp_server, caplog):
    smtp_server.fail_next = 3
    waits = []
    with caplog.at_level(logging.WARNING, logger="cmo_workbook.delivery.mail"):
        mail.send(message(), mail.settings_from_env(), attempts=4, backoff=2.0, sleep=waits.append)
    assert waits == [2.0, 4.0, 8.0]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert lines[2] == "server says try later (451 4.3.0 Temporary failure, try again); retrying in 8 s"
    assert len(smtp_server.messages) == 1


def test_single_attempt_is_not_retried(smtp_server):
    smtp_server.fail_next = 1
    waits = []
    with pytest.raises(DeliveryError):
        mail.send(message(), mail.settings_from_env(), attempts=1, sleep=waits.append)
    assert waits == [] and smtp_server.messages == []


class _Refuse:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 no such user"


def test_refused_recipients_name_the_params_fix(monkeypatch):
    port = _free_port()
    controller = Controller(_Refuse(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = mail.SmtpSettings("127.0.0.1", port, "none", timeout=5)
        with pytest.raises(DeliveryError) as e:
            mail.send(message(), settings, attempts=3, sleep=lambda s: pytest.fail("must not retry"))
    finally:
        controller.stop()
    # the server's own reply says why (issue 12: "say it was refused and why")
    assert str(e.value) == ("SMTP server 127.0.0.1 refused the recipients (ceo@kessler.example: 550 5.1.1 no such user); "
                            "check memo.recipients in params; the memo stays on disk")


def test_ledger_entry_fields_and_history(tmp_path):
    ledger = mail.SentLedger(tmp_path)
    assert ledger.path == tmp_path / "sent.json"
    ledger.record("a", message(), b"first")
    ledger.record("b", message(), b"other")
    ledger.record("a", message(), b"second")
    data = json.loads((tmp_path / "sent.json").read_text(encoding="utf-8"))
    assert sorted(data) == ["a", "b"]
    e = ledger.entry("a")
    assert e["sha256"] == hashlib.sha256(b"second").hexdigest()
    assert (e["message_id"], e["to"], e["subject"]) == ("<test-1@kessler.example>", "ceo@kessler.example",
                                                        "Marketing-Kennzahlen Oktober 2026: Test")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", e["sent_at"])
    assert [h["sha256"] for h in e["history"]] == [hashlib.sha256(b"first").hexdigest(), hashlib.sha256(b"second").hexdigest()]
    assert all("history" not in h for h in e["history"])
    assert len(ledger.entry("b")["history"]) == 1 and ledger.entry("c") is None
    # umlauts stay readable in the file
    assert "Marketing-Kennzahlen" in (tmp_path / "sent.json").read_text(encoding="utf-8")
    assert (tmp_path / "sent.json").read_text(encoding="utf-8").endswith("}\n")


def test_defaults_are_four_attempts_with_doubling_two_second_backoff(smtp_server):
    smtp_server.fail_next = 10
    waits = []
    with pytest.raises(DeliveryError) as e:
        mail.send(message(), mail.settings_from_env(), sleep=waits.append)
    assert waits == [2.0, 4.0, 8.0]
    assert re.fullmatch(r"could not send via 127\.0\.0\.1:\d+ \(SMTPDataError: .*451.*\); the memo stays on disk, "
                        r"run again with --email once the server is reachable", str(e.value))


class _Auth:
    def __init__(self, ok: bool):
        self.ok, self.seen = ok, []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.seen.append((auth_data.login.decode(), auth_data.password.decode()))
        # handled=False: aiosmtpd answers the refusal itself (535); handled=True would leave the client waiting
        return AuthResult(success=self.ok, handled=False)


class _Inbox:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _auth_server(ok: bool):
    auth, inbox = _Auth(ok), _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=auth, auth_require_tls=False)
    controller.start()
    return controller, auth, inbox, port


def test_login_with_user_and_password():
    controller, auth, inbox, port = _auth_server(True)
    try:
        mail.send(message(), mail.SmtpSettings("127.0.0.1", port, "none", user="analyst", password="geheim", timeout=5))
    finally:
        controller.stop()
    assert auth.seen == [("analyst", "geheim")] and inbox.count == 1


def test_ledger_file_is_indented_json(tmp_path):
    mail.SentLedger(tmp_path).record("a", message(), b"x")
    assert (tmp_path / "sent.json").read_text(encoding="utf-8").startswith('{\n  "a": {\n    "message_id"')
