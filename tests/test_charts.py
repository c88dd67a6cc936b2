"""IBCS memo charts: PNG output, determinism, scenario colours and labels."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from cmo_workbook.render import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PERIODS = list(pd.period_range("2025-10", "2026-10", freq="M"))
AC = [812, 760, 540, 905, 930, 1010, 980, 1045, 990, 870, 1120, 1190, 1234]
PY = [700, 690, 520, 820, 860, 900, 870, 910, 905, 820, 950, 980, 1010]


def patches(fig: Figure, gid: str):
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def columns(lang="de", **kwargs) -> Figure:
    return charts.columns_ac_py(PERIODS, AC, PY, title="Leads 22 % über Vorjahr", subtitle="Leads, Anzahl",
                                lang=lang, **kwargs)


def variance(higher_is_better=True, **kwargs) -> Figure:
    return charts.bars_variance(["Messen", "Google Ads", "E-Mail"], [120, 210, 50], [150, 200, 50],
                                title="Messen unter Plan", subtitle="Leads je Kanal, Anzahl", lang="de",
                                higher_is_better=higher_is_better, **kwargs)


def goal() -> Figure:
    dates = pd.date_range("2026-01-31", "2026-10-31", freq="ME")
    forecast = pd.Series([600.0, 660.0], index=pd.date_range("2026-11-30", "2026-12-31", freq="ME"))
    return charts.line_goal(dates, np.cumsum([40, 45, 60, 52, 58, 61, 49, 44, 70, 66]), 700, "2026-12-31",
                            forecast, [585, 630], [620, 700], title="Ziel gefährdet", subtitle="Neukunden", lang="de")


def ranges() -> Figure:
    return charts.bars_ranges(["Messen", "LinkedIn", "Direkt"], [1.8, -0.3, np.nan], [0.9, -0.9, np.nan],
                              [2.7, 0.4, np.nan], reference=1.0, reference_label="Break-even",
                              title="ROMI", subtitle="ROMI je Kanal, Faktor", lang="en")


def dots() -> Figure:
    return charts.dot_position(["A", "B", "C"], [92, 104, None], title="Preismittelfeld",
                               subtitle="Preisindex, eigener Preis = 100", lang="de")


BUILDERS = {"columns": columns, "variance": variance, "goal": goal, "ranges": ranges, "dots": dots}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_png_is_small_and_identical_across_calls(name):
    first = charts.to_png(BUILDERS[name]())
    second = charts.to_png(BUILDERS[name]())
    assert first.startswith(PNG_SIGNATURE)
    assert 5_000 < len(first) < 40_000
    assert first == second
    assert b"Software" not in first and b"matplotlib" not in first.lower()


def test_default_size_is_email_sized():
    fig = columns()
    assert tuple(fig.get_size_inches()) == pytest.approx((6.4, 2.6))
    png = charts.to_png(fig)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (704, 286)  # 6.4 × 2.6 in at 110 dpi


def test_title_is_the_message_and_subtitle_the_measure():
    fig = columns()
    assert fig.get_suptitle() == "Leads 22 % über Vorjahr"
    assert [tx.get_text() for tx in fig.texts if tx.get_gid() == "subtitle"] == ["Leads, Anzahl"]


def test_column_scenario_colours_and_forecast_hatch():
    fig = columns(plan=[800] * 13, forecast_from="2026-09")
    ac, py, fc, pl = (patches(fig, g) for g in ("AC", "PY", "FC", "PL"))
    assert len(ac) == 11 and len(fc) == 2 and len(py) == 13 and len(pl) == 13
    assert all(p.get_facecolor() == to_rgba("#404040") for p in ac)
    assert all(p.get_facecolor() == to_rgba("#BFBFBF") for p in py)
    assert all(p.get_hatch() == "////" and p.get_facecolor() == to_rgba("white") for p in fc)
    assert all(p.get_facecolor() == to_rgba("white") and p.get_edgecolor() == to_rgba("#404040") for p in pl)
    # PY sits behind AC and offset to the left (IBCS overlapping columns)
    assert py[0].get_zorder() < ac[0].get_zorder()
    assert py[0].get_x() < ac[0].get_x()
    # forecast columns are the last two periods, with their values
    assert [p.get_height() for p in fc] == [1190, 1234]


def test_column_labels_use_locale_formatting():
    de = [tx.get_text() for tx in columns("de").axes[0].texts]
    en = [tx.get_text() for tx in columns("en").axes[0].texts]
    assert "1.234" in de and "1,234" in en
    ticks = [tx.get_text() for tx in columns("de").axes[0].get_xticklabels()]
    assert ticks[:4] == ["Okt\n2025", "Nov", "Dez", "Jan\n2026"]


def test_column_missing_values_leave_a_gap():
    fig = charts.columns_ac_py(PERIODS[:3], [10, None, 30], [5, 6, np.nan], title="t", subtitle="s", lang="en")
    # a missing month gets no column (not one of height 0: a drawn zero), and no label
    assert [p.get_height() for p in patches(fig, "AC")] == [10, 30]
    assert [p.get_x() + p.get_width() / 2 for p in patches(fig, "AC")] == pytest.approx([0.09, 2.09])
    assert [tx.get_text() for tx in fig.axes[0].texts] == ["10", "30"]


def test_length_mismatch_names_the_series():
    with pytest.raises(ValueError, match="previous_year has 2 values but there are 13"):
        charts.columns_ac_py(PERIODS, AC, [1, 2], title="t", subtitle="s", lang="de")


@pytest.mark.parametrize(("higher_is_better", "expected"), [(True, ["#E03C31", "#3C9A3C", "#8C8C8C"]),
                                                          (False, ["#3C9A3C", "#E03C31", "#8C8C8C"])])
def test_variance_colours_follow_higher_is_better(higher_is_better, expected):
    fig = variance(higher_is_better)
    bars = patches(fig, "variance")
    assert [p.get_width() for p in bars] == [-30, 10, 0]
    assert [p.get_facecolor() for p in bars] == [to_rgba(c) for c in expected]
    heads = [line for ax in fig.axes for line in ax.lines if line.get_gid() == "pin_head"]
    assert [to_rgba(h.get_color()) for h in heads] == [to_rgba(c) for c in expected]
    assert [h.get_xdata()[0] for h in heads] == pytest.approx([-0.2, 0.05, 0.0])


def test_variance_reference_notation_and_labels():
    fig = variance()
    assert len(patches(fig, "PL")) == 3 and not patches(fig, "PY")
    assert all(p.get_facecolor() == to_rgba("white") for p in patches(fig, "PL"))
    texts = [tx.get_text() for ax in fig.axes for tx in ax.texts]
    assert {"120", "−30", "+10", "−20\u00a0%", "+5\u00a0%"} <= set(texts)
    fig = variance(reference_kind="PY", relative=False)
    assert len(fig.axes) == 2
    assert all(p.get_facecolor() == to_rgba("#BFBFBF") for p in patches(fig, "PY"))
    assert [tx.get_text() for tx in fig.axes[0].get_yticklabels()] == ["Messen", "Google Ads", "E-Mail"]


def test_variance_rejects_unknown_reference_kind():
    with pytest.raises(ValueError, match="'BU'"):
        variance(reference_kind="BU")


def test_goal_chart_notation():
    fig = goal()
    ax = fig.axes[0]
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    assert lines["AC"].get_linestyle() == "-"
    assert lines["FC"].get_linestyle() == "--"
    assert lines["FC"].get_ydata()[0] == 545  # forecast continues from the last actual point
    assert lines["target"].get_markerfacecolor() == "white"
    assert lines["target"].get_ydata()[0] == 700
    assert any(c.get_gid() == "FC_range" for c in ax.collections)
    assert "Ziel 700" in [tx.get_text() for tx in ax.texts]


def test_goal_forecast_needs_dates():
    with pytest.raises(ValueError, match="forecast_dates"):
        charts.line_goal(["2026-01-31"], [1], 5, "2026-12-31", [3], title="t", subtitle="s", lang="de")


def test_ranges_chart_whiskers_and_reference():
    fig = ranges()
    ax = fig.axes[0]
    assert [p.get_width() for p in patches(fig, "AC")] == [1.8, -0.3, 0]
    assert [tx.get_text() for tx in ax.texts] == ["1.8", "−0.3", "–", "Break-even"]
    assert [line.get_xdata()[0] for line in ax.lines if line.get_gid() == "reference"] == [1.0]


def test_dot_position_chart():
    fig = dots()
    ax = fig.axes[0]
    (dots_line,) = [line for line in ax.lines if line.get_gid() == "AC"]
    assert list(dots_line.get_xdata()) == [92, 104]
    assert [tx.get_text() for tx in ax.texts] == ["92", "104", "–", "Eigener Preis = 100"]


def test_quarterly_periods_get_quarter_labels_and_negatives_label_below():
    quarters = list(pd.period_range("2025Q4", "2026Q3", freq="Q"))
    fig = charts.columns_ac_py(quarters, [-1, 2, -3, 4], None, title="t", subtitle="s", lang="de")
    ax = fig.axes[0]
    assert [tx.get_text() for tx in ax.get_xticklabels()] == ["Q4\n2025", "Q1\n2026", "Q2", "Q3"]
    below = {tx.get_text(): tx.get_va() for tx in ax.texts}
    assert below == {"−1": "top", "2": "bottom", "−3": "top", "4": "bottom"}
    assert ax.get_ylim()[0] < -3  # room for the label under the lowest column
    assert not patches(fig, "PY")


def test_all_zero_variance_does_not_break_the_axes():
    fig = charts.bars_variance(["a", "b"], [5, 3], [5, 3], title="t", subtitle="s", lang="en")
    assert fig.axes[1].get_xlim() == (-1.0, 1.0)
    assert charts.to_png(fig).startswith(PNG_SIGNATURE)


def test_accepts_pandas_index_and_series_inputs():
    index = pd.period_range("2026-01", "2026-03", freq="M")
    fig = charts.columns_ac_py(index, pd.Series([1.0, 2.0, 3.0]), pd.Series([1, pd.NA, 2], dtype="Int64"),
                               title="t", subtitle="s", lang="en", forecast_from=pd.Period("2026-03", "M"))
    assert [tx.get_text() for tx in fig.axes[0].get_xticklabels()] == ["Jan\n2026", "Feb", "Mar"]
    assert [p.get_height() for p in patches(fig, "FC")] == [3.0]
    assert [p.get_height() for p in patches(fig, "PY")] == [1.0, 2.0]  # the missing February has no column
