"""The date a memo says it was made: fixed per run, reproducible with SOURCE_DATE_EPOCH."""
from __future__ import annotations

from datetime import date

import pytest

from cmo_workbook.periods import RUN_DATE_ENV, run_date


def test_source_date_epoch_gives_that_utc_day(monkeypatch):
    monkeypatch.delenv(RUN_DATE_ENV, raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633599")  # 2025-12-01 23:59:59 UTC
    assert run_date() == date(2025, 12, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")  # one second later: the next day
    assert run_date() == date(2025, 12, 2)


def test_the_runs_date_wins_over_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")
    monkeypatch.setenv(RUN_DATE_ENV, "2026-11-30")
    assert run_date() == date(2026, 11, 30)


def test_without_either_it_is_today(monkeypatch):
    monkeypatch.delenv(RUN_DATE_ENV, raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert run_date() == date.today()


@pytest.mark.parametrize("name,value,hint", [(RUN_DATE_ENV, "1.12.2026", "YYYY-MM-DD"),
                                             ("SOURCE_DATE_EPOCH", "gestern", "seconds since 1970")])
def test_a_bad_value_names_the_variable_and_the_fix(monkeypatch, name, value, hint):
    monkeypatch.delenv(RUN_DATE_ENV, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as exc:
        run_date()
    assert name in str(exc.value) and repr(value) in str(exc.value) and hint in str(exc.value)


def test_runner_fixes_the_date_once_and_hands_it_to_kernels_only_while_they_run(monkeypatch):
    import os

    from cmo_workbook.delivery.runner import Runner, RunOptions, _env

    monkeypatch.delenv(RUN_DATE_ENV, raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")
    r = Runner(RunOptions(params_path="params/example.yaml"), say=lambda line: None)
    assert r.run_date == date(2025, 12, 2)
    with _env(RUN_DATE_ENV, r.run_date.isoformat()):
        assert os.environ[RUN_DATE_ENV] == "2025-12-02"
    assert RUN_DATE_ENV not in os.environ
