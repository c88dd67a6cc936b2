"""The runner through its CLI: exit codes, failure contract, e-mail end to end (real kernels, real SMTP)."""
from __future__ import annotations

import email
import email.policy
import fcntl
import json
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from cmo_workbook.cli import main

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path, sample_dir, monkeypatch):
    """A throw-away project: the real notebooks plus test notebooks, params pointing at the sample data."""
    (tmp_path / "notebooks").mkdir()
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(nb, tmp_path / "notebooks")
    (tmp_path / "params").mkdir()
    params = yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))
    params["data"]["dir"] = str(sample_dir)
    params["voc"]["taxonomy"] = str(ROOT / "params" / params["voc"]["taxonomy"])
    params["diary"]["dir"] = str(sample_dir / "diary")
    (tmp_path / "params" / "example.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CMO_PROJECT_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_notebook(project: Path, name: str, body: str, tags: tuple[str, ...] = ()) -> None:
    """A monthly notebook with the runner's parameters cell and one code cell ``body`` (tagged ``tags``)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["cmo"] = {"cadence": "monthly", "inputs": ["leads"], "title": name}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell('period: str = "2026-10"\nparams_file: str = ""\nlang: str = ""',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body, metadata={"tags": list(tags)} if tags else {}),
    ]
    nbformat.write(nb, project / "notebooks" / f"{name}.ipynb")


def run(*args: str) -> int:
    return main(["run", *args, "--params", "params/example.yaml"])


def test_bad_params_exit_2_nothing_executed(project, capsys):
    p = project / "params" / "example.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("gross_margin:", "gross_margn:"), encoding="utf-8")
    assert run("kpi_dashboard", "--period", "2026-10") == 2
    err = capsys.readouterr().err
    assert 'unknown key "company.gross_margn"; did you mean "gross_margin"?' in err
    assert not (project / "reports" / "2026-10").exists()  # only the run's log is written


def test_stale_data_exit_2_names_file_and_latest_date(project, capsys):
    assert run("kpi_dashboard", "--period", "2026-11") == 2
    err = capsys.readouterr().err
    # the file for the analyst, the table and months in words as the memo's data note says them (#11)
    assert "hubspot_contacts.csv: CRM contacts: no entries for November 2026 (the latest on 31 Oct 2026)" in err
    assert not (project / "reports" / "2026-11").exists()


def test_wrong_cadence_exit_2(project, capsys):
    assert run("kpi_dashboard", "--period", "2026-Q3") == 2
    assert "kpi_dashboard is monthly; give a month as --period" in capsys.readouterr().err


def test_unknown_notebook_parameter_exit_2(project, capsys):
    p = project / "params" / "example.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["notebooks"] = {"kpi_dashboard": {"perod": "x"}}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert run("kpi_dashboard", "--period", "2026-10") == 2
    assert 'kpi_dashboard.ipynb: unknown parameter "perod"; did you mean "period"?' in capsys.readouterr().err


def test_failing_notebook_exit_1_keeps_failed_notebook_alerts_analyst(project, smtp_server, capsys):
    write_notebook(project, "boom", 'raise RuntimeError("planted failure")')
    assert run("boom", "--period", "2026-10", "--email") == 1
    out = capsys.readouterr()
    period_dir = project / "reports" / "2026-10"
    failed = period_dir / "boom.failed.ipynb"
    assert failed.exists()
    assert "planted failure" in failed.read_text(encoding="utf-8")
    assert not (period_dir / "boom.html").exists() and not (period_dir / "boom.eml").exists()
    assert "cell 2 ('raise RuntimeError(\"planted failure\")') raised RuntimeError: planted failure" in out.out, out.out
    # the analyst is alerted; the CEO gets nothing
    assert [m["to"] for m in smtp_server.messages] == [["analyst@kessler-antriebstechnik.example"]]
    alert = email.message_from_bytes(smtp_server.messages[0]["data"], policy=email.policy.default)
    assert alert["Subject"] == "[cmo-workbook] FAILED: boom 2026-10"


def write_memo_notebook(project: Path, name: str, headline: str) -> None:
    """A monthly notebook whose only memo block is ``headline`` (the kernel the runner uses, as the bundled ones)."""
    write_notebook(project, name, f"from cmo_workbook.render import blocks\nblocks.show(blocks.Headline({headline!r}))",
                   tags=("memo",))


def test_a_strict_failure_keeps_the_executed_notebook_writes_no_memo_and_alerts(project, smtp_server, capsys):
    """--strict refusing a memo for its jargon is a failed run (exit 1) like a cell error: README's promise."""
    period_dir = project / "reports" / "2026-10"
    write_memo_notebook(project, "jargon", "Der ROMI liegt bei 310 % – das Budget bleibt, wie es ist.")
    assert run("jargon", "--period", "2026-10") == 0  # without --strict: a warning, and the memo
    before = {f: (period_dir / f).read_bytes() for f in ("jargon.html", "jargon.eml", "jargon.txt", "jargon.ipynb")}
    capsys.readouterr()

    assert run("jargon", "--period", "2026-10", "--strict", "--email") == 1
    out = capsys.readouterr()
    failed = period_dir / "jargon.failed.ipynb"
    assert failed.exists()
    executed = nbformat.read(str(failed), as_version=4)
    assert "ROMI liegt bei 310" in json.dumps(executed.cells[-1].outputs)  # the run's own output, not a blank copy
    assert (f"FAILED   jargon 2026-10 failed: 1 jargon finding(s):\nwarning  jargon: headline: jargon \"ROMI\"" in out.out)
    assert f"; executed notebook kept at {failed}" in out.out
    # no memo: the earlier good one stays byte for byte, no new file beside it, nothing went to the CEO
    assert {f: (period_dir / f).read_bytes() for f in before} == before
    assert not list(period_dir.glob(".*running*"))
    assert [m["to"] for m in smtp_server.messages] == [["analyst@kessler-antriebstechnik.example"]]
    alert = email.message_from_bytes(smtp_server.messages[0]["data"], policy=email.policy.default)
    assert alert["Subject"] == "[cmo-workbook] FAILED: jargon 2026-10"
    assert f"executed notebook kept at {failed}" in alert.get_content()

    # the next good run removes the stale failure
    assert run("jargon", "--period", "2026-10") == 0
    assert not failed.exists()


def test_a_strict_failure_of_a_first_run_leaves_no_memo_files(project, capsys):
    period_dir = project / "reports" / "2026-10"
    write_memo_notebook(project, "jargon", "Der ROMI liegt bei 310 % – das Budget bleibt, wie es ist.")
    assert run("jargon", "--period", "2026-10", "--strict") == 1
    assert (period_dir / "jargon.failed.ipynb").exists()
    assert sorted(p.name for p in period_dir.glob("jargon*")) == ["jargon.failed.ipynb"]
    # nor the memo's records: no decision log entry, no verdicts of a memo that did not go out
    assert not (period_dir / "decisions.yaml").exists() and not (period_dir / "verdicts.yaml").exists()


def test_cell_timeout_counts_as_failure(project, capsys):
    write_notebook(project, "slow", "import time\ntime.sleep(60)")
    assert run("slow", "--period", "2026-10", "--cell-timeout", "2") == 1
    assert (project / "reports" / "2026-10" / "slow.failed.ipynb").exists()
    assert "CellTimeoutError" in capsys.readouterr().out


def test_dead_kernel_counts_as_failure(project, capsys):
    write_notebook(project, "dead", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert run("dead", "--period", "2026-10") == 1
    assert (project / "reports" / "2026-10" / "dead.failed.ipynb").exists()
    assert "DeadKernelError" in capsys.readouterr().out


def test_lock_blocks_second_run(project, capsys):
    period_dir = project / "reports" / "2026-10"
    period_dir.mkdir(parents=True)
    with open(period_dir / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write("pid 4242 since test")
        fh.flush()
        assert run("kpi_dashboard", "--period", "2026-10") == 1
    assert "another run of 2026-10 is in progress" in capsys.readouterr().err


def test_email_end_to_end_and_idempotent_sending(project, smtp_server, capsys):
    assert run("kpi_dashboard", "--period", "2026-10", "--email") == 0
    period_dir = project / "reports" / "2026-10"
    for suffix in (".ipynb", ".html", ".eml"):
        assert (period_dir / f"kpi_dashboard{suffix}").exists()
    assert len(smtp_server.messages) == 1
    got = smtp_server.messages[0]
    assert got["to"] == ["ceo@kessler-antriebstechnik.example"]
    msg = email.message_from_bytes(got["data"], policy=email.policy.default)
    assert msg["Subject"].startswith("[Marketing] Marketing-Kennzahlen Oktober 2026: Marketing lieferte 211 qualifizierte Anfragen")
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and "qualifizierte Anfragen" in plain.get_content()
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    html = html_part.get_content()
    assert len(html.encode()) < 100_000 and "<script" not in html and "data:image" not in html
    assert len(images) >= 2 and all(i.get_content_type() == "image/png" for i in images)
    for img in images:
        assert f'cid:{img["Content-ID"].strip("<>")}' in html
    ledger = json.loads((period_dir / "sent.json").read_text())
    assert ledger["example.yaml:kpi_dashboard"]["message_id"].strip() == str(msg["Message-ID"]).strip()

    # same period again: memo rebuilt, not sent twice ...
    assert run("kpi_dashboard", "--period", "2026-10", "--email") == 0
    assert len(smtp_server.messages) == 1
    assert "skipped: kpi_dashboard 2026-10 was sent on" in capsys.readouterr().out
    # ... unless asked to
    assert run("kpi_dashboard", "--period", "2026-10", "--email", "--resend") == 0
    assert len(smtp_server.messages) == 2
    # both sent versions are archived as they went out
    assert len(list((period_dir / "sent").glob("example-kpi_dashboard-*.eml"))) >= 1
    # the English memo of the same period is a memo of its own: own files, sent once
    assert run("kpi_dashboard", "--period", "2026-10", "--email", "--lang", "en") == 0
    assert len(smtp_server.messages) == 3 and (period_dir / "kpi_dashboard.en.html").exists()
    # another company's memo for the same period is not "already sent"
    other = project / "params" / "other.yaml"
    other.write_text((project / "params" / "example.yaml").read_text(encoding="utf-8")
                     .replace("ceo@kessler-antriebstechnik.example", "ceo@other.example"), encoding="utf-8")
    assert main(["run", "kpi_dashboard", "--period", "2026-10", "--email", "--params", str(other)]) == 0
    assert smtp_server.messages[-1]["to"] == ["ceo@other.example"]


def test_same_inputs_same_memo(project):
    assert run("kpi_dashboard", "--period", "2026-10", "--lang", "en") == 0
    first = (project / "reports" / "2026-10" / "kpi_dashboard.en.html").read_bytes()
    assert run("kpi_dashboard", "--period", "2026-10", "--lang", "en") == 0
    assert (project / "reports" / "2026-10" / "kpi_dashboard.en.html").read_bytes() == first
