"""The quarterly attribution review runs end to end on the sample data (de and en) and fits the memo limits."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cmo_workbook.render.export import MAX_HTML_BYTES

from conftest import ROOT, parse_eml

PERIOD = "2026-Q3"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_memo_surfaces_the_linkedin_problem(memo_run, sample_dir, lang):
    result = memo_run("attribution_review", PERIOD, lang)
    assert result.ok
    msg, html, plain, images = parse_eml(result.eml)
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES
    assert len(images) == 1
    headline = result.message.replace("\u00a0", " ")
    # the biggest euro amount leads (issue 11): trade fairs' 471 Tsd. € over 4 quarters at ROMI −31 %, with the
    # decision asked, ahead of the channel shift out of LinkedIn with the amount every memo names (8,7 Tsd. €; the
    # plan's 15,7 Tsd. € sum of cuts read as a second amount of it, #11); no test region is promised
    if lang == "de":
        assert "Größter Posten: Messen" in headline and "Freigabe von 471 Tsd. € ja / nein" in headline
        assert "Rendite der Erstaufträge −31 %" in headline and "daneben 8,7 Tsd. € Umschichtung aus LinkedIn" in headline
    else:
        assert "Biggest item: over 4 quarters Trade fairs" in headline and "approve €471k yes / no" in headline
        assert "return on first orders −31%" in headline and "besides, move €8.7k out of LinkedIn" in headline
    assert "15,7" not in headline and "15.7" not in headline
    assert "Testgebiet" not in headline and "test region" not in headline
    assert "Q3 2026" in headline
    # the budget table cuts LinkedIn by the full 20 % and decides fairs separately
    linkedin_row = next(line for line in plain.splitlines() if line.startswith("LinkedIn "))
    assert re.search("\u221220\u00a0?%$", linkedin_row.rstrip()), linkedin_row
    fairs = "Messen" if lang == "de" else "Trade fairs"
    assert next(line for line in plain.splitlines() if line.startswith(fairs)).rstrip().endswith(
        "separat" if lang == "de" else "separately")
    flat = " ".join(plain.split())  # text part is wrapped at 78 columns; numbers carry no-break spaces
    if lang == "de":
        # LinkedIn was tested in Q2 (params holdouts): the review cites that result, never proposes a new test (#11)
        assert "LinkedIn ist schon getestet. Damit ist kein zusätzlicher Beitrag" in flat
        assert "Ein Test von LinkedIn lohnt sich so nicht" not in flat and "Postleitzahl" not in flat
        assert "Sättigungskurve aus 7 Quartalen" in flat and "zum Durchschnitt wären es 88 Anfragen" in flat
        # the cycle counts new-business deals only since the attribution branch (837dbfd: repeat orders close
        # faster); derived here with plain pandas: Aalen–Johansen on the CRM as it stood at the quarter end
        median, q75 = _new_business_cycle_days(sample_dir)
        assert (median, q75) == (93, 151)
        assert f"im Median {median} Tage bis zum Auftrag, drei von vier höchstens {q75};" in flat
        assert "nur 62 Neukunden-Abschlüsse" in flat and "nicht belastbar" in flat
        assert "Zurechnung zeigt, wer an Aufträgen beteiligt war" in flat
        assert "BUSINESS CASE: 50.000 € FÜR LINKEDIN" in flat
    else:
        assert "LinkedIn has been tested already." in flat and "postcode" not in flat
        assert "A test of LinkedIn does not pay as designed" not in flat
        assert "not incrementality" in flat
        assert "Only 62 new-customer deals" in flat


def _new_business_cycle_days(sample_dir) -> tuple[int, int]:
    """Days from created to order of new-business deals as the CRM showed them at the end of Q3 2026: won and
    lost compete (cumulative incidence of won, Aalen–Johansen), undecided deals are censored at 2026-09-30;
    the days by which 50 % and 75 % of the eventually won deals had won."""
    import pandas as pd

    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    d = load_dataset(load_params(ROOT / "params" / "example.yaml"), ["deals"]).deals  # the loaded sample table
    d = d[d["deal_type"].astype("string").str.contains("New", na=True)].copy()
    for c in ("created_date", "close_date"):
        d[c] = pd.to_datetime(d[c])
    end, as_of = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-09-30")
    d = d[(d["created_date"] < end) & d["status"].isin(["open", "won", "lost"])]
    decided = d["status"].isin(["won", "lost"]) & (d["close_date"] < end)
    days = (d["close_date"].where(decided, as_of) - d["created_date"]).dt.days
    won, lost = decided & (d["status"] == "won"), decided & (d["status"] == "lost")
    alive, cif, curve = 1.0, 0.0, []
    for t in sorted(days[won | lost].unique()):
        n = int((days >= t).sum())
        w, lo = int(((days == t) & won).sum()), int(((days == t) & lost).sum())
        cif += alive * w / n
        alive *= 1 - (w + lo) / n
        curve.append((t, cif))
    first = lambda share: next(t for t, c in curve if c >= share * cif - 1e-12)  # noqa: E731
    return int(first(0.5)), int(first(0.75))


def test_memo_prints_on_two_a4_pages(chromium, memo_run, tmp_path):
    from cmo_workbook.delivery.preview import pdf_pages, print_pdf

    for lang in ("de", "en"):
        result = memo_run("attribution_review", PERIOD, lang)
        pages = pdf_pages(print_pdf(Path(result.memo), tmp_path / f"memo-{lang}.pdf"))
        assert 1 <= pages <= 2, f"{lang} memo prints on {pages} pages"


def test_two_runs_give_the_same_memo(tmp_path):
    from cmo_workbook.periods import Period
    from cmo_workbook.delivery.runner import Runner, RunOptions

    # two runs from the same state (empty reports folder and KPI history each): memo_run's shared folder holds
    # what other tests ran before (decision logs, shown values), which the memo rightly reads
    memos = []
    for run in ("first", "second"):
        opts = RunOptions(params_path=ROOT / "params" / "example.yaml", period=Period.parse(PERIOD), lang="de",
                          reports_dir=tmp_path / run, history_dir=tmp_path / run / "history")
        memos.append(Path(Runner(opts, say=lambda line: None).run("attribution_review").memo).read_bytes())
    assert memos[0] == memos[1]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_memo_names_the_models_of_its_spread_and_its_basis(memo_run, lang):
    result = memo_run("attribution_review", PERIOD, lang)
    _, html, plain, _ = parse_eml(result.eml)
    flat = " ".join(plain.split())
    if lang == "de":
        assert "Grundlage: das Modell „linear“ (jeder Kontakt zählt gleich), weil" in flat
        assert "„gleich je Kanal“" in flat and "früher als Shapley bezeichnet" in flat  # footnote
        assert "Markov 1. und 2. Ordnung" in flat and "Shapley nach Abschlussquote" in flat
    else:
        assert "Basis: the linear model (every touch counts the same) because" in flat
        assert "'even split per channel'" in flat and "formerly called Shapley" in flat
        assert "Markov of order 1 and 2" in flat and "Shapley by deal rate" in flat
