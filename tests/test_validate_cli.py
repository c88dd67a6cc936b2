"""`cmo-workbook validate --params FILE`: profile on success, exit 2 with the exact message, no kernel."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import yaml

from cmo_workbook import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "params" / "example.yaml"


def data_rows(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> int:
    """Records below the header, counted with the csv module (independent of the readers)."""
    with path.open(encoding=encoding, newline="") as f:
        return sum(1 for _ in csv.reader(f, delimiter=delimiter)) - 1


def test_sample_validates_with_profile(sample_dir, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cli.main(["validate", "--params", "params/example.yaml"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == ""
    assert lines[0] == "params  params/example.yaml: ok (Kessler Antriebstechnik GmbH, language de, currency EUR)"
    contacts = data_rows(sample_dir / "crm" / "hubspot_contacts.csv")
    touches = data_rows(sample_dir / "crm" / "touchpoints.csv")
    assert (f"file    leads                    hubspot_contacts.csv: {contacts:,} rows, preset hubspot_contacts, utf-8"
            "") in lines
    assert any(line.startswith("file    spend                    google_ads_kampagnen.csv:")
               and "2 total/footer rows dropped" in line for line in lines)
    assert "table                        rows  first       last        months without rows" in lines
    assert f"leads                    {contacts:>8,}  2024-11-01  2026-10-31  -" in lines
    assert f"touchpoints              {touches:>8,}  2024-11-01  2026-10-31  -" in lines
    # messaging snapshots are kept every few months: the gaps are listed, not hidden
    messaging = next(line for line in lines if line.startswith("competitor_messaging"))
    assert messaging.split("  ")[-1].startswith("2024-12, 2025-02")
    assert lines[-1] == "ok: all inputs valid"


def _broken_project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "kosten.csv").write_text("Datum;Kanal;Kosten (€)\n01.02.2024;Messe;1.200,00 €\n"
                                                  "31.02.2024;Webinar;300,00 €\n", encoding="utf-8")
    params = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    params["data"] = {"dir": "data", "spend": [{"file": "kosten.csv", "preset": "generic_de"}]}
    del params["voc"], params["diary"]  # their files are not part of this project
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return tmp_path / "acme.yaml"


def test_broken_file_exit_2_with_the_message(tmp_path, capsys, monkeypatch):
    path = _broken_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "--params", path.name]) == 2
    out, err = capsys.readouterr()
    assert err == ('error: kosten.csv, row 3, column "Datum": "31.02.2024" is not a date (expected DD.MM.YYYY or '
                   "DD.MM.YYYY HH:MM or DD.MM.YY or an Excel date number or YYYY-MM-DD[ HH:MM[:SS]]); fix the cell: "
                   "it is written like DD.MM.YYYY, but is no real or plausible date\n")
    assert "ok: all inputs valid" not in out


def test_bad_params_exit_2(tmp_path, capsys):
    path = tmp_path / "acme.yaml"
    path.write_text("company: {name: Acme}\n", encoding="utf-8")
    assert cli.main(["validate", "--params", str(path)]) == 2
    assert 'missing required key "company.language"' in capsys.readouterr().err


def test_validate_starts_no_kernel(sample_dir):
    # a fresh interpreter shows what validate imports: nothing that could start or talk to a kernel
    code = ("import sys; from cmo_workbook import cli; rc = cli.main(['validate', '--params', sys.argv[1]]); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'papermill', 'jupyter_client', 'ipykernel', 'nbclient', 'zmq'})); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"
