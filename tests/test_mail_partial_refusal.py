"""The SMTP server takes a memo for one recipient and refuses another (a real aiosmtpd server answering RCPT per
address): the memo arrives once where it was taken, the run names the refused address with the server's reply,
the sent-ledger records who has it, ``--resend`` reaches only the refused one, the analyst is alerted and the
command exits 1 (a delivery failure, README "The command line").
"""
from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage

import pytest
import yaml

from cmo_workbook.cli import main
from cmo_workbook.delivery import mail
from cmo_workbook.delivery.runner import NotebookInfo, RunOptions, Runner
from cmo_workbook.errors import DeliveryError, PartlyDeliveredError
from cmo_workbook.periods import Period
from test_airflow import MONTHLY, company_params
from test_guard_ledger_after_send import _notebook
from test_mail import message

CEO = "ceo@kessler-antriebstechnik.example"
CFO = "cfo@kessler-antriebstechnik.example"
ANALYST = "analyst@kessler-antriebstechnik.example"
NO_USER = f"550 5.1.1 <{CFO}>: Recipient address rejected: User unknown"
KEY = "example.yaml:kpi_dashboard"


def _params(tmp_path, sample_dir, **memo):
    """The sample company with the CEO and the CFO as recipients (and ``memo`` settings) as tmp/example.yaml."""
    path = company_params(tmp_path, sample_dir)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["memo"].update({"recipients": [CEO, CFO], "smtp_retry_seconds": [0.01], **memo})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _export(tmp_path, params, *, resend=False):
    """Runner._export of a hand-built executed notebook (no kernel) with --email, as a run does."""
    lines: list[str] = []
    runner = Runner(RunOptions(params_path=params, period=Period.parse("2026-10"), email=True, resend=resend,
                               reports_dir=tmp_path / "r"), say=lines.append)
    info = NotebookInfo("kpi_dashboard", tmp_path / "kpi_dashboard.ipynb", "monthly", (), "KPI")
    period_dir = tmp_path / "r" / "2026-10"
    period_dir.mkdir(parents=True, exist_ok=True)
    running = _notebook(period_dir).rename(period_dir / ".kpi_dashboard.running.ipynb")
    try:
        result = runner._export(info, Period.parse("2026-10"), running, period_dir / "kpi_dashboard.ipynb",
                                runner.params())
    except DeliveryError as exc:
        return exc, lines
    return result, lines


def _ledger(tmp_path):
    return json.loads((tmp_path / "r" / "2026-10" / "sent.json").read_text(encoding="utf-8"))


def test_one_recipient_refused_is_named_recorded_and_resend_reaches_only_it(tmp_path, sample_dir, smtp_server):
    params = _params(tmp_path, sample_dir)
    smtp_server.rcpt_replies[CFO] = [NO_USER]
    err, lines = _export(tmp_path, params)
    # the memo arrived once, at the CEO only
    assert [m["to"] for m in smtp_server.messages] == [[CEO]]
    assert isinstance(err, PartlyDeliveredError)
    ledger_path = tmp_path / "r" / "2026-10" / "sent.json"
    assert str(err) == (
        f"kpi_dashboard 2026-10 was sent to {CEO}, but the SMTP server 127.0.0.1 refused {CFO} ({NO_USER}); they did "
        "not get it: check the address in the params (memo.recipients, memo.cc, memo.analyst) against the server's "
        "reply, then run again with --email --resend, which sends it only to the recipients who do not have it "
        f"(the ledger {ledger_path} lists them)")
    assert lines[-2].startswith(f"send     sent to {CEO} via 127.0.0.1:")
    assert lines[-1] == f"REFUSED  {CFO}: {NO_USER}"
    entry = _ledger(tmp_path)[KEY]
    assert entry["to"] == f"{CEO}, {CFO}"  # the header as written
    assert (entry["delivered_to"], entry["refused"]) == ([CEO], {CFO: NO_USER})
    assert len(list((tmp_path / "r" / "2026-10" / "sent").glob("*.eml"))) == 1

    # a run without --resend sends nothing and says who has it and who was refused
    result, lines = _export(tmp_path, params)
    assert result.sent is False and len(smtp_server.messages) == 1
    assert lines[-1] == (f"send     skipped: kpi_dashboard 2026-10 was sent on {entry['sent_at']} to {CEO}; refused: "
                         f"{CFO} ({NO_USER}) (use --resend to send it to the refused recipients only)")

    # --resend (the server takes the CFO now): the CFO gets it, the CEO no second copy
    result, lines = _export(tmp_path, params, resend=True)
    assert result.sent is True
    assert [m["to"] for m in smtp_server.messages] == [[CEO], [CFO]]
    assert lines[-1].startswith(f"send     sent to {CFO} via 127.0.0.1:")
    entry = _ledger(tmp_path)[KEY]
    assert (entry["delivered_to"], entry["refused"]) == ([CEO, CFO], {})
    assert len(entry["history"]) == 2

    # everyone has it now: a further --resend sends a fresh copy to everyone again, as for any sent memo
    result, _ = _export(tmp_path, params, resend=True)
    assert result.sent is True and [m["to"] for m in smtp_server.messages][-1] == [CEO, CFO]


def test_a_greylisted_recipient_among_accepted_ones_is_retried_alone(tmp_path, sample_dir, smtp_server):
    params = _params(tmp_path, sample_dir, smtp_retry_seconds=[0.01, 0.02])
    smtp_server.rcpt_replies[CFO] = ["451 4.7.1 Greylisted, try again later"]
    result, lines = _export(tmp_path, params)
    assert result.sent is True
    assert [m["to"] for m in smtp_server.messages] == [[CEO], [CFO]]  # each got it once
    assert ("retry    server says try later (cfo@kessler-antriebstechnik.example: 451 4.7.1 Greylisted, try again "
            "later); retrying in 0.01 s") in lines
    entry = _ledger(tmp_path)[KEY]
    assert "refused" not in entry and "delivered_to" not in entry  # everyone has it: a plain record


def test_send_command_names_the_refusal_alerts_the_analyst_and_exits_1(tmp_path, sample_dir, smtp_server, capsys):
    params = _params(tmp_path, sample_dir)
    period_dir = tmp_path / "r" / "2026-10"
    period_dir.mkdir(parents=True)
    for name in sorted(MONTHLY):  # what a run without --email leaves; kpi_dashboard goes to the CEO and the CFO
        msg = EmailMessage()
        to = f"{CEO}, {CFO}" if name == "kpi_dashboard" else f"{name}@example.com"
        msg["Subject"], msg["From"], msg["To"] = f"[Marketing] {name}", "marketing@example.com", to
        msg.set_content(f"memo {name}\n")
        (period_dir / f"{name}.eml").write_bytes(msg.as_bytes())
    smtp_server.rcpt_replies[CFO] = [NO_USER]
    code = main(["send", "--period", "2026-10", "--params", str(params), "--reports", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert code == 1
    got = [m["to"] for m in smtp_server.messages]
    # the other memos still went out, kpi_dashboard once to the CEO; then the alert to the analyst
    assert sorted(got[:-1]) == sorted([[CEO], ["sales_marketing_sync@example.com"], ["voice_of_customer@example.com"]])
    assert got[-1] == [ANALYST]
    assert f"REFUSED  {CFO}: {NO_USER}" in out
    assert f"FAILED   kpi_dashboard 2026-10: kpi_dashboard 2026-10 was sent to {CEO}, but the SMTP server" in out
    alert = email.message_from_bytes(smtp_server.messages[-1]["data"], policy=email.policy.default)
    assert alert["Subject"] == "[cmo-workbook] FAILED: kpi_dashboard 2026-10"
    body = alert.get_content()
    assert f"refused {CFO} ({NO_USER}); they did not get it" in body
    assert "nothing went to the CEO for what failed, unless a message below says to whom it was sent" in body


def test_refused_addresses_come_back_from_send(smtp_server):
    msg = message()
    msg.replace_header("To", "zoe@kessler.example, ceo@kessler.example")
    smtp_server.rcpt_replies["zoe@kessler.example"] = ["550 5.1.1 no such user"]
    refused = mail.send(msg, mail.settings_from_env(), sleep=lambda s: pytest.fail("a 550 is not retried"))
    assert refused == {"zoe@kessler.example": "550 5.1.1 no such user"}
    assert [m["to"] for m in smtp_server.messages] == [["ceo@kessler.example"]]
    assert mail.send(message(), mail.settings_from_env()) == {}  # everyone took it


def test_retry_schedule_default_and_params_key():
    assert mail.retry_schedule(None) == mail.RETRY_SECONDS == (60.0, 300.0, 900.0)
    assert mail.retry_schedule({"recipients": [CEO]}) == (60.0, 300.0, 900.0)
    assert mail.retry_schedule({"smtp_retry_seconds": [5, 30]}) == (5.0, 30.0)
    assert mail.retry_schedule({"smtp_retry_seconds": []}) == ()  # no retry at all


def test_envelope_is_to_cc_and_bcc_in_order():
    msg = EmailMessage()
    msg["To"] = f"Jürgen Keßler <{CEO}>, {CFO}"
    msg["Cc"] = "vertrieb@kessler.example"
    msg["Bcc"] = "archiv@kessler.example"
    assert mail.envelope(msg) == [CEO, CFO, "vertrieb@kessler.example", "archiv@kessler.example"]
    assert mail.envelope(EmailMessage()) == []
