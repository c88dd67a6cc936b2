"""What the SMTP server answers (RCPT, DATA, AUTH), and text beyond ASCII, against real aiosmtpd servers.

A greylisting 4xx for the recipient is retried and the memo arrives once; a permanent 5xx is not retried and
the error names the address (or the message) and the server's reason; a refused login names the user and the
variables to fix; umlauts and € in subject, sender name and body arrive as written (RFC 2047 encoded words,
quoted-printable UTF-8 as render.export writes a memo: 7-bit on the wire) and stay readable in the sent-ledger.
"""
from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.headerregistry import Address
from email.message import EmailMessage

import pytest

from cmo_workbook.delivery import mail
from cmo_workbook.errors import DeliveryError
from test_mail import message
from test_mail_delivery import _auth_server

CEO = "ceo@kessler.example"
GREY = "450 4.7.1 Greylisted, please try again later"


def _received(inbox) -> EmailMessage:
    (got,) = inbox.messages
    return email.message_from_bytes(got["data"], policy=email.policy.default)


def test_greylisted_recipient_is_retried_and_the_memo_arrives_once(smtp_server):
    smtp_server.rcpt_replies[CEO] = [GREY]
    waits: list[float] = []
    mail.send(message(), mail.settings_from_env(), attempts=4, backoff=0.5, sleep=waits.append)
    assert smtp_server.rcpt_seen == [CEO, CEO]  # refused once, accepted on the retry
    assert waits == [0.5]
    assert [m["to"] for m in smtp_server.messages] == [[CEO]]
    got = _received(smtp_server)
    assert (got["Subject"], got["Message-ID"]) == ("Marketing-Kennzahlen Oktober 2026: Test", "<test-1@kessler.example>")
    assert got.get_content().strip() == "Hallo Welt – äöü"


def test_greylisting_says_each_retry_and_follows_the_given_schedule(smtp_server):
    smtp_server.rcpt_replies[CEO] = [GREY, "451 4.7.1 still greylisted"]
    waits: list[float] = []
    lines: list[str] = []
    mail.send(message(), mail.settings_from_env(), waits=(60, 300, 900), sleep=waits.append, say=lines.append)
    assert waits == [60, 300] and len(smtp_server.messages) == 1
    assert lines == [f"retry    server says try later ({CEO}: {GREY}); retrying in 60 s",
                     f"retry    server says try later ({CEO}: 451 4.7.1 still greylisted); retrying in 300 s"]


def test_greylisting_waits_double_per_attempt(smtp_server):
    smtp_server.rcpt_replies[CEO] = [GREY, "451 4.7.1 still greylisted"]
    waits: list[float] = []
    mail.send(message(), mail.settings_from_env(), attempts=3, backoff=2.0, sleep=waits.append)
    assert waits == [2.0, 4.0] and len(smtp_server.rcpt_seen) == 3 and len(smtp_server.messages) == 1


def test_greylisted_on_every_attempt_names_the_address_after_the_last(smtp_server):
    smtp_server.rcpt_replies[CEO] = [GREY] * 5
    waits: list[float] = []
    with pytest.raises(DeliveryError) as e:
        mail.send(message(), mail.settings_from_env(), attempts=3, backoff=1.0, sleep=waits.append)
    assert waits == [1.0, 2.0] and smtp_server.rcpt_seen == [CEO] * 3 and smtp_server.messages == []
    assert str(e.value) == (f"SMTP server 127.0.0.1 refused the recipients ({CEO}: {GREY}); "
                            "check memo.recipients in params; the memo stays on disk")


def test_a_400_reply_is_still_greylisting(smtp_server):
    smtp_server.rcpt_replies[CEO] = ["400 4.0.0 try again"]
    mail.send(message(), mail.settings_from_env(), attempts=2, backoff=1.0, sleep=lambda s: None)
    assert smtp_server.rcpt_seen == [CEO, CEO] and len(smtp_server.messages) == 1


@pytest.mark.parametrize("reply", ["550 5.1.1 <ceo@kessler.example>: mailbox unavailable",
                                   "500 5.5.2 syntax error in the address"])
def test_permanent_refusal_is_not_retried_and_names_the_address(smtp_server, reply):
    smtp_server.rcpt_replies[CEO] = [reply] * 4
    with pytest.raises(DeliveryError) as e:
        mail.send(message(), mail.settings_from_env(), attempts=4, sleep=lambda s: pytest.fail("must not retry"),
                  kept="the alert is kept in alerts-pending")
    assert smtp_server.rcpt_seen == [CEO] and smtp_server.messages == []
    assert str(e.value) == (f"SMTP server 127.0.0.1 refused the recipients ({CEO}: {reply}); "
                            "check memo.recipients in params; the alert is kept in alerts-pending")


def test_one_permanent_refusal_among_greylisted_recipients_is_not_retried(smtp_server):
    msg = message()
    msg.replace_header("To", f"zoe@kessler.example, {CEO}")
    smtp_server.rcpt_replies = {CEO: [GREY] * 4, "zoe@kessler.example": ["550 5.1.1 no such user"] * 4}
    with pytest.raises(DeliveryError) as e:
        mail.send(msg, mail.settings_from_env(), attempts=4, sleep=lambda s: pytest.fail("must not retry"))
    assert smtp_server.rcpt_seen == ["zoe@kessler.example", CEO] and smtp_server.messages == []
    # every refused address with its own reply, in address order
    assert f"refused the recipients ({CEO}: {GREY}; zoe@kessler.example: 550 5.1.1 no such user); " in str(e.value)


def test_umlauts_and_euro_in_subject_sender_and_body_arrive_as_written(smtp_server):
    msg = EmailMessage()
    subject = "Größte Lücke: 1.234,5 Tsd. € über Plan – Überblick für Jürgen"
    body = "Grüße aus Köln: Kosten je Anfrage 412 € (−12 %), Maße „groß“.\n"
    msg["Subject"] = subject
    msg["From"] = Address("Jörg Weiß – Marketing", addr_spec="marketing@kessler.example")
    msg["To"] = CEO
    msg["Message-ID"] = "<umlaut-1@kessler.example>"
    msg.set_content(body, cte="quoted-printable")  # as render.export builds a memo
    mail.send(msg, mail.settings_from_env())
    smtp_server.messages[0]["data"].decode("ascii")  # encoded words in headers: no 8-bit byte on the wire
    got = _received(smtp_server)
    assert got["Subject"] == subject
    assert got["From"].addresses[0].display_name == "Jörg Weiß – Marketing"
    assert got["From"].addresses[0].addr_spec == "marketing@kessler.example"
    assert got.get_content_charset() == "utf-8"
    assert got.get_content().replace("\r\n", "\n") == body
    assert smtp_server.messages[0]["from"] == "marketing@kessler.example"


def test_ledger_keeps_umlauts_readable(tmp_path):
    msg = message()
    msg.replace_header("Subject", "Größte Lücke: 412 € je Anfrage")
    mail.SentLedger(tmp_path).record("kpi_dashboard", msg, b"x")
    text = (tmp_path / "sent.json").read_text(encoding="utf-8")
    assert '"subject": "Größte Lücke: 412 € je Anfrage"' in text


def test_message_refused_with_500_at_data_says_sending_again_is_refused_too(smtp_server):
    smtp_server.fail_next = 1
    smtp_server.fail_reply = "500 5.0.0 permanent"
    with pytest.raises(DeliveryError) as e:
        mail.send(message(), mail.settings_from_env(), attempts=3, sleep=lambda s: pytest.fail("must not retry"))
    assert str(e.value).startswith("SMTP server 127.0.0.1:")
    assert ("refused the message (500 5.0.0 permanent); sending again will be refused too: fix what the server "
            "names (recipients, sender address, size or content), then run again with --email; the memo stays on disk"
            ) in str(e.value)


def test_refused_login_names_the_user_and_is_not_retried():
    controller, auth, inbox, port = _auth_server(False)
    try:
        with pytest.raises(DeliveryError) as e:
            mail.send(message(), mail.SmtpSettings("127.0.0.1", port, "none", user="analyst", password="falsch",
                                                   timeout=5), attempts=3, sleep=lambda s: pytest.fail("must not retry"))
    finally:
        controller.stop()
    assert str(e.value) == ("SMTP login as 'analyst' at 127.0.0.1 failed (535); check CMO_SMTP_USER and "
                            "CMO_SMTP_PASSWORD")
    # smtplib tries each mechanism the server offers (PLAIN, LOGIN) before it gives up: one connection, no retry
    assert set(auth.seen) == {("analyst", "falsch")} and inbox.count == 0


class _Latin1Server:
    """A minimal SMTP server that answers one command in Latin-1 bytes, as old Exchange servers do."""

    def __init__(self, command: bytes, reply: bytes):
        self.command, self.reply = command, reply
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 alt.example ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == self.command:
                    conn.sendall(self.reply + b"\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    for body in lines:
                        if body == b".\r\n":
                            break
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def close(self):
        self.sock.close()
        self.thread.join(5)


@pytest.mark.parametrize("command,reply,said", [
    (b"RCPT", b"550 5.1.1 Empf\xe4nger unbekannt", f"refused the recipients ({CEO}: 550 5.1.1 Empf\ufffdnger unbekannt); "),
    (b"DATA", b"554 5.6.0 Inhalt abgelehnt: Gr\xf6\xdfe", "refused the message (554 5.6.0 Inhalt abgelehnt: Gr\ufffd\ufffde); "),
])
def test_a_reply_in_latin1_still_gives_a_readable_refusal(command, reply, said):
    server = _Latin1Server(command, reply)
    try:
        with pytest.raises(DeliveryError) as e:
            mail.send(message(), mail.SmtpSettings("127.0.0.1", server.port, "none", timeout=5), attempts=2,
                      sleep=lambda s: pytest.fail("must not retry"))
    finally:
        server.close()
    assert said in str(e.value)
