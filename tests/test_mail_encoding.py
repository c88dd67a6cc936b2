"""One encoding policy for every mail (render.export.MAIL_POLICY, TEXT_CTE): memo, alert and deck mails arrive at a
real aiosmtpd server with quoted-printable UTF-8 text parts and no 8-bit byte on the wire."""
from __future__ import annotations

import email
import email.policy

from cmo_workbook.delivery import deck, mail
from cmo_workbook.delivery.runner import send_alert
from cmo_workbook.inputs.params import load_params
from cmo_workbook.render import slides
from conftest import ROOT
from test_guard_ledger_after_send import _export


def _text_parts(raw: bytes) -> list[tuple[str, str]]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return [(p.get_content_type(), p["Content-Transfer-Encoding"]) for p in msg.walk()
            if p.get_content_maintype() == "text"]


def test_memo_alert_and_deck_mails_are_quoted_printable_7bit(tmp_path, smtp_server, sample_dir):
    result, _ = _export(tmp_path)  # the memo of a hand-built notebook, sent by the runner
    assert result.sent is True
    params = load_params(ROOT / "params" / "example.yaml", check_files=False)
    assert send_alert([("kpi_dashboard", "2026-10", "Zelle 3 schlug fehl: Größe €")], params, params.path, tmp_path,
                      say=lambda line: None)
    pptx = tmp_path / "impuls.pptx"
    pptx.write_bytes(b"PK not a real deck")
    msg = deck._email(None, pptx, [slides.Slide("title", "Größte Lücke: 412 € je Anfrage")], params, "2026-Q3", "de")
    mail.send(msg, mail.settings_from_env())
    memo, alert, deck_mail = (m["data"] for m in smtp_server.messages)
    assert _text_parts(memo) == [("text/plain", "quoted-printable"), ("text/html", "quoted-printable")]
    assert _text_parts(alert) == [("text/plain", "quoted-printable")]
    assert _text_parts(deck_mail) == [("text/plain", "quoted-printable")]
    for raw in (memo, alert, deck_mail):
        raw.decode("ascii")  # 7-bit on the wire (the attachments are base64)
    got = email.message_from_bytes(alert, policy=email.policy.default)
    assert "Zelle 3 schlug fehl: Größe €" in got.get_content()
    got = email.message_from_bytes(deck_mail, policy=email.policy.default)
    assert got["Subject"].endswith("Größte Lücke: 412 € je Anfrage")
