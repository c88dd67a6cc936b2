"""TLS and the timeout of SMTP delivery (delivery/mail.py ``_send_once``), against real local servers.

``ssl`` and ``starttls`` verify the server's certificate with the system's trust store: a memo never goes to a
server that cannot prove its name. A server that takes the connection and then says nothing ends the attempt
after ``CMO_SMTP_TIMEOUT`` seconds instead of hanging the monthly run. The certificate is made per session with
the ``openssl`` command (trusted here through ``SSL_CERT_FILE``, which OpenSSL reads when the context is made).
"""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading

import pytest
from aiosmtpd.controller import Controller

from cmo_workbook.delivery import mail
from cmo_workbook.errors import DeliveryError, SettingsError
from conftest import Inbox, _free_port
from test_mail import message


@pytest.fixture(scope="session")
def cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and its key (EC, made in milliseconds)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate for the TLS server (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"), "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


def _tls_server(cert, security: str):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    inbox, port = Inbox(), _free_port()
    if security == "ssl":
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context)
    else:
        controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    return controller, inbox, port


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_trusted_certificate_delivers(cert, security, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    controller, inbox, port = _tls_server(cert, security)
    try:
        mail.send(message(), mail.SmtpSettings("127.0.0.1", port, security, timeout=5), attempts=1)
    finally:
        controller.stop()
    assert [m["to"] for m in inbox.messages] == [["ceo@kessler.example"]]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_untrusted_certificate_is_refused_and_nothing_is_sent(cert, security, monkeypatch, tmp_path):
    # a trust store that lacks the server's certificate (the system's, on a machine without this test's CA)
    other = tmp_path / "empty.pem"
    other.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    controller, inbox, port = _tls_server(cert, security)
    try:
        with pytest.raises(DeliveryError) as e:
            mail.send(message(), mail.SmtpSettings("127.0.0.1", port, security, timeout=5), attempts=3,
                      sleep=lambda s: pytest.fail("a certificate that fails stays failed: no retry"))
    finally:
        controller.stop()
    assert inbox.messages == []
    # names the certificate problem and its fix, not "once the server is reachable" (it was reachable)
    assert str(e.value) == (
        f"the certificate of 127.0.0.1:{port} is not trusted (self-signed certificate); nothing was sent, and "
        "running again will not help: if the server uses a company CA or a self-signed certificate, set "
        "CMO_SMTP_CA_FILE to that CA's (or the server's) certificate in PEM; if the name does not match, set "
        "CMO_SMTP_HOST to the name the certificate is for; the memo stays on disk")


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_ca_file_setting_makes_the_servers_certificate_trusted(cert, security, monkeypatch, tmp_path):
    # the system's trust store lacks it (as above); CMO_SMTP_CA_FILE, the fix the refusal names, delivers
    (tmp_path / "empty.pem").write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "empty.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    controller, inbox, port = _tls_server(cert, security)
    env = {"CMO_SMTP_HOST": "127.0.0.1", "CMO_SMTP_PORT": str(port), "CMO_SMTP_SECURITY": security,
           "CMO_SMTP_CA_FILE": str(cert[0]), "CMO_SMTP_TIMEOUT": "5"}
    try:
        mail.send(message(), mail.settings_from_env(env), attempts=1)
    finally:
        controller.stop()
    assert [m["to"] for m in inbox.messages] == [["ceo@kessler.example"]]


def test_ca_file_that_is_not_a_file_is_named(tmp_path):
    with pytest.raises(SettingsError) as e:
        mail.settings_from_env({"CMO_SMTP_HOST": "h", "CMO_SMTP_CA_FILE": str(tmp_path / "ca.pem")})
    assert str(e.value).startswith(f"CMO_SMTP_CA_FILE names {tmp_path / 'ca.pem'}, which is not a file; ")


def test_ssl_to_a_plain_port_names_the_tls_mode_and_port(smtp_server):
    # CMO_SMTP_SECURITY=ssl against a server that speaks plain SMTP (e.g. port 587 or 25): TLS cannot start
    port = int(mail.settings_from_env().port)
    with pytest.raises(DeliveryError) as e:
        mail.send(message(), mail.SmtpSettings("127.0.0.1", port, "ssl", timeout=5), attempts=3,
                  sleep=lambda s: pytest.fail("a TLS mode that does not fit stays wrong: no retry"))
    assert str(e.value).startswith(f"TLS with 127.0.0.1:{port} failed (")
    assert str(e.value).endswith(
        "); nothing was sent: the port may not speak CMO_SMTP_SECURITY=ssl (ssl is usually port 465, starttls port "
        "587); set CMO_SMTP_SECURITY and CMO_SMTP_PORT to what the server offers; the memo stays on disk")
    assert smtp_server.messages == []


def test_starttls_server_refuses_mail_before_tls_so_starttls_is_what_delivers(cert, monkeypatch):
    # the server of these tests requires STARTTLS: the plain "none" path is refused there (a 530 is permanent)
    controller, inbox, port = _tls_server(cert, "starttls")
    try:
        with pytest.raises(DeliveryError, match="530"):
            mail.send(message(), mail.SmtpSettings("127.0.0.1", port, "none", timeout=5), attempts=2,
                      sleep=lambda s: None)
    finally:
        controller.stop()
    assert inbox.messages == []


@pytest.mark.parametrize("security", ["none", "ssl"])
def test_silent_server_times_out_after_the_configured_seconds(security):
    # the kernel completes the TCP handshake for a listening socket nobody accepts from: no greeting ever comes
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings = mail.SmtpSettings("127.0.0.1", silent.getsockname()[1], security, timeout=0.3)
        outcome: list[BaseException] = []

        def attempt():
            try:
                mail.send(message(), settings, attempts=2, sleep=lambda s: None)
            except BaseException as exc:  # noqa: BLE001 (the thread hands any outcome to the test)
                outcome.append(exc)

        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(10)
        assert not worker.is_alive(), "send() hung on a silent server: the timeout is not applied"
    assert len(outcome) == 1 and isinstance(outcome[0], DeliveryError)
    assert "timed out" in str(outcome[0])


def test_settings_defaults_when_made_by_hand():
    s = mail.SmtpSettings("smtp.example", 587)
    assert (s.security, s.user, s.password, s.timeout) == ("starttls", "", "", 30.0)
