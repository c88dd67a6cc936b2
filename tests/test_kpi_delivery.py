"""``--email`` attaches the controlling workbook when ``memo.attach_workbook: true`` (real SMTP server)."""
from __future__ import annotations

import email
import email.policy
import shutil

import openpyxl
import pytest
import yaml

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_email_carries_the_workbook_when_params_ask_for_it(memo_run, smtp_server, tmp_path):
    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.periods import Period

    result = memo_run("kpi_dashboard", "2026-10", "de")
    raw = yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))
    raw["memo"]["attach_workbook"] = True
    params_file = tmp_path / "acme.yaml"
    params_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    period_dir = tmp_path / "reports" / "2026-10"
    period_dir.mkdir(parents=True)
    running = shutil.copy(result.notebook, period_dir / ".kpi_dashboard.running.ipynb")  # as papermill leaves it
    book = shutil.copy(result.memo.parent / "Kennzahlen_2026-10.xlsx", period_dir / "Kennzahlen_2026-10.xlsx")
    runner = Runner(RunOptions(params_path=params_file, period=Period.parse("2026-10"), email=True,
                               reports_dir=tmp_path / "reports"), say=lambda line: None)
    runner._params = load_params(params_file, check_files=False)
    info = runner.resolve("kpi_dashboard")
    sent = runner._export(info, Period.parse("2026-10"), running, period_dir / "kpi_dashboard.ipynb", runner._params, book)
    assert sent.sent and len(smtp_server.messages) == 1
    msg = email.message_from_bytes(smtp_server.messages[0]["data"], policy=email.policy.default)
    files = [p for p in msg.iter_attachments() if p.get_filename() == "Kennzahlen_2026-10.xlsx"]
    assert len(files) == 1
    out = tmp_path / "got.xlsx"
    out.write_bytes(files[0].get_content())
    assert "Kennzahlen" in openpyxl.load_workbook(out).sheetnames
    # the memo itself is still there: HTML with the figures and the plain-text part
    assert 'data-metric="qualified_leads"' in msg.get_body(preferencelist=("html",)).get_content()
