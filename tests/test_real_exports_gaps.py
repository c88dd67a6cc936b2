"""The last gaps of issue #10, each on a hand-written export (tests/fixtures/exports/): German thousands
in an English-number money column, qualified leads outside channels.marketing, misspelt channel ids in
params, and an unmapped status column. Expected figures are derived by hand in the comments."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook import cli
from cmo_workbook.errors import DataError
from cmo_workbook.inputs import plausibility
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.metrics.monthly import monthly

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
TODAY = date(2026, 11, 20)
SEP, OCT = pd.Period("2026-09", "M"), pd.Period("2026-10", "M")


def cents(value: float) -> int:
    return int(round(value * 100))


def copy(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(FIXTURES / name, dst)
    return dst


def load(folder: Path):
    return load_dataset(load_params(folder / "params.yaml"), today=TODAY)


def problems(folder: Path) -> str:
    """The exit-2 message of loading plus the plausibility gate ("" when both pass)."""
    try:
        plausibility.gate(load(folder))
    except DataError as exc:
        return str(exc)
    return ""


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- 1. "210.000" in an English-number money column ----------------------------------------------------


def test_german_thousands_in_english_amounts_are_refused_and_number_format_fixes_it(tmp_path, capsys):
    folder = copy(tmp_path, "hubspot_grouped_amounts")
    assert cli.main(["validate", "--params", str(folder / "params.yaml")]) == 2
    err = capsys.readouterr().err
    # rows 2 ("210.000"), 3 ("1.250.000") and 5 ("48.500") look grouped; 950 and the empty cell do not
    assert 'hubspot_deals.csv, row 2, column "Amount": "210.000" looks like 210,000 with German thousands ' \
           'separators, but this file is read with English numbers, where "." is the decimal mark (it would read ' \
           'as 210.00); 2 more cells in rows 3 to 5 look the same; set data.deals[0].number_format: de in' in err
    assert err.count("hubspot_deals.csv") == 1  # one message for the column, not one per cell
    # the fix the message names
    edit(folder / "params.yaml", "preset: hubspot_deals}", "preset: hubspot_deals, number_format: de}")
    assert cli.main(["validate", "--params", str(folder / "params.yaml")]) == 0
    ds = load(folder)
    assert ds.deals["amount"].tolist()[:2] == [210_000.0, 1_250_000.0]
    assert pd.isna(ds.deals["amount"].iat[2]) and ds.deals["amount"].tolist()[3:] == [48_500.0, 950.0]
    d = ds.deals
    marketing = d[d["channel"].isin(ds.params.marketing_channels)]
    pipeline = marketing.groupby(marketing["created_date"].dt.to_period("M"))["amount"].sum()
    # pipeline by create month: Sep 6001 210,000; Oct 6002 1,250,000 + 6003 (empty) + 6004 48,500 + 6005 950
    assert (cents(pipeline[SEP]), cents(pipeline[OCT])) == (21_000_000, 129_945_000)
    # won in Oct: 6001 210,000 + 6003 (empty) + 6005 950 = 210,950
    won = d[(d["status"] == "won") & (d["close_date"].dt.to_period("M") == OCT)]
    assert cents(won["amount"].sum()) == 21_095_000


def test_before_any_kernel_the_run_refuses_the_grouped_amounts(tmp_path, capsys):
    folder = copy(tmp_path, "hubspot_grouped_amounts")
    reports = tmp_path / "reports"
    assert cli.main(["run", "kpi_dashboard", "--period", "2026-10", "--params", str(folder / "params.yaml"),
                     "--reports", str(reports)]) == 2
    assert 'looks like 210,000 with German thousands separators' in capsys.readouterr().err
    assert not reports.exists() or not list(reports.rglob("*.ipynb"))


def test_a_column_with_real_decimals_reads_the_dot_as_decimal_mark(tmp_path):
    folder = copy(tmp_path, "hubspot_grouped_amounts")
    # 6005 now carries cents (950.50): the column writes decimals with ".", so "210.000" is 210.0
    edit(folder / "hubspot_deals.csv", ",950,", ",950.50,")
    edit(folder / "hubspot_deals.csv", ",1.250.000,", ",1250000,")  # not an English number at all
    assert problems(folder) == ""
    assert load(folder).deals["amount"].tolist()[:2] == [210.0, 1_250_000.0]


def test_when_number_format_would_break_another_column_the_fix_is_the_export(tmp_path):
    folder = copy(tmp_path, "hubspot_grouped_amounts")
    path = folder / "hubspot_deals.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # HubSpot's Deal probability is English (0.2); read as German it is not a number
    out = [lines[0] + ",Deal probability"] + [line + ",0.2" for line in lines[1:]]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    msg = problems(folder)
    assert "export the amount column without thousands separators (e.g. 210000); data.deals[0].number_format: de " \
           "would misread the file's other number columns" in msg
    edit(folder / "params.yaml", "preset: hubspot_deals}", "preset: hubspot_deals, number_format: de}")
    assert '"0.2" is not a number (expected German format like 1.234,56)' in problems(folder)  # as the message said
    edit(folder / "params.yaml", ", number_format: de}", "}")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",210.000,", ",210000,").replace(",1.250.000,", ",1250000,")
                    .replace(",48.500,", ",48500,"), encoding="utf-8")
    assert problems(folder) == ""
    assert load(folder).deals["amount"].tolist()[:2] == [210_000.0, 1_250_000.0]
