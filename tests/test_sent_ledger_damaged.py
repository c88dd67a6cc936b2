"""A damaged sent-ledger is reported, never silently replaced (delivery/mail.py SentLedger, runner._deliver).

Replacing a truncated ``sent.json`` by a fresh one would forget every memo already sent, and the next run would
send them all again; so reading, recording and the runner's send step refuse with the file named, and the file
keeps its bytes for the analyst to repair.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cmo_workbook.delivery import mail
from cmo_workbook.errors import DeliveryError
from test_guard_ledger_after_send import _export
from test_mail import message


def _damaged(folder, data: bytes):
    path = folder / "sent.json"
    path.write_bytes(data)
    return path


def test_truncated_ledger_is_named_and_kept(tmp_path):
    mail.SentLedger(tmp_path).record("a", message(), b"x")
    path = tmp_path / "sent.json"
    truncated = path.read_bytes()[:40]
    _damaged(tmp_path, truncated)
    ledger = mail.SentLedger(tmp_path)
    with pytest.raises(DeliveryError) as e:
        ledger.load()
    text = str(e.value)
    assert text.startswith(f"the sent-ledger {path} is damaged (JSONDecodeError: ")
    assert text.endswith("nothing was sent, so no memo goes out twice; restore it from a backup, or move it aside "
                         f"and rebuild it from the copies in {tmp_path / 'sent'} (then --resend only what is not there)")
    for call in (lambda: ledger.entry("a"), lambda: ledger.record("b", message(), b"y")):
        with pytest.raises(DeliveryError, match="is damaged"):
            call()
    assert path.read_bytes() == truncated  # not overwritten by the record that was refused


def test_ledger_that_is_not_utf8_is_named(tmp_path):
    path = _damaged(tmp_path, b'{"a": "\xff\xfe"}')
    with pytest.raises(DeliveryError, match=r"is damaged \(UnicodeDecodeError: "):
        mail.SentLedger(tmp_path).load()
    assert path.read_bytes() == b'{"a": "\xff\xfe"}'


@pytest.mark.parametrize("data", [b"[]", b'"sent"', b"null"])
def test_ledger_that_is_json_but_no_mapping_is_refused(tmp_path, data):
    path = _damaged(tmp_path, data)
    with pytest.raises(DeliveryError) as e:
        mail.SentLedger(tmp_path).record("a", message(), b"x")
    assert str(e.value) == f"the sent-ledger {path} is not a mapping of memo records; restore it from a backup"
    assert path.read_bytes() == data


def test_empty_but_valid_ledger_reads_as_no_records(tmp_path):
    _damaged(tmp_path, b"{}")
    assert mail.SentLedger(tmp_path).load() == {} and mail.SentLedger(tmp_path).entry("a") is None


def test_runner_sends_nothing_while_the_ledger_is_damaged(tmp_path, smtp_server, sample_dir):
    (tmp_path / "2026-10").mkdir()
    path = _damaged(tmp_path / "2026-10", b'{"example.yaml:kpi_dashboard": {"message_id": "<')
    with pytest.raises(DeliveryError, match=r"sent-ledger .*sent\.json is damaged \(JSONDecodeError"):
        _export(tmp_path)
    assert smtp_server.messages == [] and smtp_server.rcpt_seen == []
    assert path.read_bytes() == b'{"example.yaml:kpi_dashboard": {"message_id": "<'
    assert not (tmp_path / "2026-10" / "sent").exists()


def test_a_ledger_that_cannot_be_written_after_the_send_says_the_memo_went_out(tmp_path, smtp_server, sample_dir,
                                                                                monkeypatch):
    import errno

    from cmo_workbook.render import export

    written = export.write_atomic

    def full_disk(path, data, *args, **kwargs):  # the disk fills up just as the ledger is written
        if Path(path).name == "sent.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return written(path, data, *args, **kwargs)

    _export(tmp_path)  # writes the memo files; sent once
    monkeypatch.setattr(export, "write_atomic", full_disk)
    with pytest.raises(DeliveryError) as e:
        _export(tmp_path, resend=True)
    assert len(smtp_server.messages) == 2  # it did go out again
    assert str(e.value) == (f"kpi_dashboard 2026-10 WAS SENT to ceo@kessler-antriebstechnik.example, but the ledger "
                            f"{tmp_path / '2026-10' / 'sent.json'} could not be updated (No space left on device); "
                            "do not use --resend for it; free disk space, then add the record by hand or accept one "
                            "more copy")
