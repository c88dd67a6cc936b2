"""Guards the sent-ledger of the runner: a memo is recorded as sent only after the SMTP server took it.

Mutation it catches: the ledger written before ``mail.send`` (a failed send was recorded as sent and
never retried), and a prior entry not stopping a second send. Runs ``Runner._export`` on a hand-built
executed notebook (no kernel) against a real aiosmtpd server.
"""
import json
from datetime import date

import nbformat
import pytest

from cmo_workbook.delivery.runner import NotebookInfo, RunOptions, Runner
from cmo_workbook.errors import DeliveryError
from cmo_workbook.periods import Period
from cmo_workbook.render import blocks
from conftest import ROOT
from test_memo import _output

KEY = "example.yaml:kpi_dashboard"


def _notebook(folder):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(...)", metadata={"tags": ["memo"]})
    cell.outputs = [_output(blocks.Header("Marketing-Kennzahlen", "Oktober 2026", "Kessler", date(2026, 11, 2))),
                    _output(blocks.Headline("Marketing lieferte 120 Anfragen (+50 % ggü. Vorjahr): Ziel erreicht."))]
    nb.cells = [cell]
    path = folder / "kpi_dashboard.ipynb"
    nbformat.write(nb, str(path))
    return path


def _export(tmp_path, *, resend=False, params=ROOT / "params" / "example.yaml"):
    lines: list[str] = []
    opts = RunOptions(params_path=params, period=Period.parse("2026-10"), email=True,
                      resend=resend, reports_dir=tmp_path)
    runner = Runner(opts, say=lines.append)
    info = NotebookInfo("kpi_dashboard", tmp_path / "kpi_dashboard.ipynb", "monthly", (), "KPI")
    period_dir = tmp_path / "2026-10"
    period_dir.mkdir(exist_ok=True)
    # since the operations branch the runner executes into a hidden running notebook and adopts it as the final one
    running = _notebook(period_dir).rename(period_dir / ".kpi_dashboard.running.ipynb")
    result = runner._export(info, Period.parse("2026-10"), running, period_dir / "kpi_dashboard.ipynb", runner.params())
    return result, lines


def _ledger(tmp_path):
    path = tmp_path / "2026-10" / "sent.json"
    return json.loads(path.read_text()) if path.exists() else {}


def test_failed_send_is_not_recorded_and_the_next_run_sends(tmp_path, smtp_server, sample_dir):
    smtp_server.fail_next = 1
    smtp_server.fail_reply = "554 5.7.1 rejected"
    with pytest.raises(DeliveryError):
        _export(tmp_path)
    assert _ledger(tmp_path) == {}
    assert not (tmp_path / "2026-10" / "sent").exists()
    # the memo files are on disk for the analyst
    assert (tmp_path / "2026-10" / "kpi_dashboard.eml").exists()

    result, lines = _export(tmp_path)
    assert result.sent is True
    assert len(smtp_server.messages) == 1
    entry = _ledger(tmp_path)[KEY]
    assert entry["to"] == "ceo@kessler-antriebstechnik.example"
    assert entry["subject"].endswith("Marketing lieferte 120 Anfragen (+50 % ggü. Vorjahr): Ziel erreicht.")
    assert len(entry["history"]) == 1
    assert len(list((tmp_path / "2026-10" / "sent").glob("example-kpi_dashboard-*.eml"))) == 1
    assert lines[-1].startswith("send     sent to ceo@kessler-antriebstechnik.example via 127.0.0.1:")


def test_a_recorded_memo_is_not_sent_twice_unless_resend(tmp_path, smtp_server, sample_dir):
    _export(tmp_path)
    result, lines = _export(tmp_path)
    assert result.sent is False and len(smtp_server.messages) == 1
    assert any(l.startswith("send     skipped: kpi_dashboard 2026-10 was sent on ") and l.endswith("(use --resend to send again)")
               for l in lines)
    result, _ = _export(tmp_path, resend=True)
    assert result.sent is True and len(smtp_server.messages) == 2
    assert len(_ledger(tmp_path)[KEY]["history"]) == 2


def test_retries_show_as_progress_lines_and_the_sent_copy_is_timestamped(tmp_path, smtp_server, sample_dir):
    import re

    import yaml
    from test_airflow import company_params

    # the runner waits as params memo.smtp_retry_seconds says (default minutes, for greylisting)
    params = company_params(tmp_path / "params", sample_dir)
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    data["memo"]["smtp_retry_seconds"] = [0.25, 9]
    params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    smtp_server.fail_next = 1  # one transient 451, then accepted
    result, lines = _export(tmp_path, params=params)
    assert result.sent is True
    assert "retry    server says try later (451 4.3.0 Temporary failure, try again); retrying in 0.25 s" in lines
    (copy,) = (tmp_path / "2026-10" / "sent").glob("*.eml")
    assert re.fullmatch(r"example-kpi_dashboard-\d{8}T\d{6}\.eml", copy.name)
    assert copy.read_bytes() == (tmp_path / "2026-10" / "kpi_dashboard.eml").read_bytes()
