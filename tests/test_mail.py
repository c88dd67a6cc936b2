"""SMTP delivery against a real aiosmtpd server on 127.0.0.1."""
from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from cmo_workbook.delivery import mail
from cmo_workbook.errors import DeliveryError, SettingsError


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "Marketing-Kennzahlen Oktober 2026: Test"
    msg["From"] = "marketing@kessler.example"
    msg["To"] = "ceo@kessler.example"
    msg["Message-ID"] = "<test-1@kessler.example>"
    msg.set_content("Hallo Welt – äöü")
    return msg


def test_send_is_received_and_parses_back(smtp_server):
    mail.send(message(), mail.settings_from_env())
    assert len(smtp_server.messages) == 1
    got = smtp_server.messages[0]
    assert got["to"] == ["ceo@kessler.example"]
    parsed = email.message_from_bytes(got["data"], policy=email.policy.default)
    assert parsed["Subject"] == "Marketing-Kennzahlen Oktober 2026: Test"
    assert parsed.get_content().strip() == "Hallo Welt – äöü"


def test_transient_failure_is_retried(smtp_server):
    smtp_server.fail_next = 2
    waits, lines = [], []
    mail.send(message(), mail.settings_from_env(), attempts=4, backoff=0.5, sleep=waits.append, say=lines.append)
    assert waits == [0.5, 1.0]
    # a 451 at DATA is the server saying "later": one line per retry with its reply and the wait
    assert lines == ["retry    server says try later (451 4.3.0 Temporary failure, try again); retrying in 0.5 s",
                     "retry    server says try later (451 4.3.0 Temporary failure, try again); retrying in 1 s"]
    assert len(smtp_server.messages) == 1


def test_final_failure_raises_delivery_error(smtp_server):
    smtp_server.fail_next = 5
    with pytest.raises(DeliveryError, match=r"could not send via 127.0.0.1:\d+ \(SMTPDataError: .*451.*the memo stays on disk"):
        mail.send(message(), mail.settings_from_env(), attempts=3, backoff=0, sleep=lambda s: None)
    assert smtp_server.messages == []


def test_unreachable_server(monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    settings = mail.SmtpSettings("127.0.0.1", port, "none", timeout=2)
    with pytest.raises(DeliveryError, match="ConnectionRefusedError"):
        mail.send(message(), settings, attempts=2, backoff=0, sleep=lambda s: None)


@pytest.mark.parametrize("env,msg", [
    ({}, "CMO_SMTP_HOST is not set"),
    ({"CMO_SMTP_HOST": "h", "CMO_SMTP_SECURITY": "tls"}, "CMO_SMTP_SECURITY must be starttls, ssl or none (got 'tls')"),
    ({"CMO_SMTP_HOST": "h", "CMO_SMTP_PORT": "abc"}, "CMO_SMTP_PORT must be a port number like 587 (got 'abc')"),
    ({"CMO_SMTP_HOST": "h", "CMO_SMTP_USER": "u"}, "CMO_SMTP_USER is set but CMO_SMTP_PASSWORD is empty"),
])
def test_settings_errors(env, msg):
    with pytest.raises(SettingsError) as e:
        mail.settings_from_env(env)
    assert msg in str(e.value)


def test_settings_defaults_and_password_hidden():
    s = mail.settings_from_env({"CMO_SMTP_HOST": "smtp.example", "CMO_SMTP_SECURITY": "ssl",
                                "CMO_SMTP_USER": "u", "CMO_SMTP_PASSWORD": "hunter2"})
    assert (s.port, s.security) == (465, "ssl")
    assert "hunter2" not in repr(s)


def test_ledger_records_history(tmp_path):
    ledger = mail.SentLedger(tmp_path)
    assert ledger.entry("kpi_dashboard") is None
    ledger.record("kpi_dashboard", message(), b"abc")
    ledger.record("kpi_dashboard", message(), b"abcd")
    e = ledger.entry("kpi_dashboard")
    assert e["to"] == "ceo@kessler.example" and len(e["history"]) == 2


def test_one_alert_lists_every_failure_to_the_analyst_only(smtp_server, tmp_path):
    from cmo_workbook.delivery.runner import send_alert
    from cmo_workbook.inputs.params import load_params
    from pathlib import Path

    params = load_params(Path(__file__).resolve().parents[1] / "params" / "example.yaml", check_files=False)
    lines: list[str] = []
    assert send_alert([("kpi_dashboard", "2026-10", "cell 3 raised KeyError: 'x'"),
                       ("voice_of_customer", "2026-10", "stopped by SIGTERM")], params, params.path, tmp_path,
                      say=lines.append)
    assert [m["to"] for m in smtp_server.messages] == [["analyst@kessler-antriebstechnik.example"]]
    alert = email.message_from_bytes(smtp_server.messages[0]["data"], policy=email.policy.default)
    assert alert["Subject"] == "[cmo-workbook] FAILED: kpi_dashboard 2026-10, voice_of_customer 2026-10"
    body = alert.get_content().replace("\r\n", "\n")
    assert "kpi_dashboard 2026-10:\ncell 3 raised KeyError: 'x'" in body and "voice_of_customer 2026-10:\nstopped by SIGTERM" in body
    assert lines == ["alert    sent to analyst analyst@kessler-antriebstechnik.example"]


def test_alert_for_params_that_failed_to_load_uses_the_raw_analyst(smtp_server, tmp_path):
    from cmo_workbook.delivery.runner import send_alert

    broken = tmp_path / "acme.yaml"
    broken.write_text("company: {name: Acme}\nmemo: {analyst: ana@acme.example, sender: mk@acme.example}\n", encoding="utf-8")
    assert send_alert([("all", "2026-10", "acme.yaml: missing required key ...")], None, broken, tmp_path, say=print)
    assert smtp_server.messages[0]["to"] == ["ana@acme.example"]


def test_alert_that_cannot_go_out_waits_for_the_next_run(smtp_server, tmp_path, monkeypatch):
    from cmo_workbook.delivery.runner import send_alert, send_pending_alerts
    from cmo_workbook.inputs.params import load_params
    from pathlib import Path

    params = load_params(Path(__file__).resolve().parents[1] / "params" / "example.yaml", check_files=False)
    import os
    import socket

    port = os.environ["CMO_SMTP_PORT"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        monkeypatch.setenv("CMO_SMTP_PORT", str(s.getsockname()[1]))  # nothing listens there once closed
    lines: list[str] = []
    assert not send_alert([("kpi_dashboard", "2026-10", "boom")], params, params.path, tmp_path, say=lines.append)
    assert len(list((tmp_path / "alerts-pending").glob("*.eml"))) == 1 and smtp_server.messages == []
    # no memo was written for a failure: the line says what is on disk (the alert), never "the memo stays on disk"
    failed = next(x for x in lines if x.startswith("alert    could not be sent"))
    assert "the memo stays on disk" not in failed
    assert f"no memo was written for what failed; the alert is kept in {tmp_path / 'alerts-pending'}" in failed
    monkeypatch.setenv("CMO_SMTP_PORT", port)
    send_pending_alerts(tmp_path, say=print)
    send_pending_alerts(tmp_path, say=print)  # sent once, then gone
    assert [m["to"] for m in smtp_server.messages] == [["analyst@kessler-antriebstechnik.example"]]
    assert not list((tmp_path / "alerts-pending").glob("*.eml"))
