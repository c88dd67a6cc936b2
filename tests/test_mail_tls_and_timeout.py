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
from cmo_workbook.errors import DeliveryError
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
        with pytest.raises(DeliveryError, match=r"\(SSLCertVerificationError: .*certificate verify failed"):
            mail.send(message(), mail.SmtpSettings("127.0.0.1", port, security, timeout=5), attempts=3,
                      sleep=lambda s: pytest.fail("a certificate that fails stays failed: no retry"))
    finally:
        controller.stop()
    assert inbox.messages == []


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
