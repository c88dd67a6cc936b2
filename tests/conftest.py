"""Shared fixtures: the sample data (generated once per session), a real SMTP server and a real PostgreSQL."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from postgres_server import postgres  # noqa: F401 (the session fixture: a real PostgreSQL server)

ROOT = Path(__file__).resolve().parents[1]

# One "today" for the whole session: memos say "Erstellt am <date>", and a suite that runs across midnight
# must not see two runs of the same input differ (CI once failed on exactly that).
os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(time.time())))


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """data/sample as `make data` writes it (generated if missing; deterministic)."""
    from cmo_workbook.sample import generate as sample_data

    import fcntl

    out = ROOT / "data" / "sample"
    marker = out / ".generated"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / ".sample.lock", "w") as lock:  # parallel test workers (pytest -n) generate it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        # a data/sample written before a new file joined the sample (the controlling sheets) is written again
        if not marker.exists() or any(not (out / f).exists() for f in sample_data.FILES):
            sample_data.generate(out)
            marker.write_text("ok")
    return out


@pytest.fixture(scope="session")
def strategy_q3_inputs(sample_dir):
    """The strategy memo's inputs for the sample's Q3 2026 (three months of VoC, the competitor analysis, the KPI
    quarter), as the notebook gathers them without the stakes; shared by the strategy tests."""
    from cmo_workbook import voc
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.memos import arguments, competitor_briefing as briefing, strategy_memo as strategy
    from cmo_workbook.metrics import store
    from cmo_workbook.periods import Period

    q3 = Period.parse("2026-Q3")
    params = load_params("params/example.yaml")
    ds = load_dataset(params, ["leads", "deals", "spend", "feedback", "competitor_observations", "competitor_prices",
                               "competitor_messaging"])
    taxonomy = params.path.parent / params.raw["voc"]["taxonomy"]
    vocs = [voc.analyse(ds.feedback, month=str(m), taxonomy=taxonomy, lang="de") for m in q3.month_periods()]
    comp = briefing.analyse(ds, params.raw["competitors"], q3, lang="de", vat=0.19, weak=arguments.weak(vocs))
    kpis = store.KpiStore(store.build(ds, q3), q3, store.catalogue(params.raw))
    return strategy.StrategyInputs(q3, "de", "EUR", vocs, comp, strategy.kpi_quarter(kpis))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Messages received by the aiosmtpd server, as raw bytes with envelope data."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self.fail_next = 0  # answer fail_reply to this many DATA commands
        self.fail_reply = "451 4.3.0 Temporary failure, try again"  # transient; a 5xx reply is permanent
        # per recipient address, the replies to its next RCPT commands (a 450 then nothing is greylisting: the
        # first attempt is refused, the retry accepted; a list of 550s refuses it for good); then 250
        self.rcpt_replies: dict[str, list[str]] = {}
        self.rcpt_seen: list[str] = []  # every RCPT address in order, refused or not

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_seen.append(address)
            replies = self.rcpt_replies.get(address)
            if replies:
                return replies.pop(0)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_reply
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "data": envelope.original_content or envelope.content})
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on 127.0.0.1 (aiosmtpd), with CMO_SMTP_* pointing at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CMO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CMO_SMTP_PORT", str(port))
    monkeypatch.setenv("CMO_SMTP_SECURITY", "none")
    monkeypatch.delenv("CMO_SMTP_USER", raising=False)
    monkeypatch.delenv("CMO_SMTP_PASSWORD", raising=False)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def memo_run(sample_dir, tmp_path_factory):
    """Run a notebook through the real runner (papermill, real kernel) on the sample data; cached per session.

    ``memo_run("kpi_dashboard", "2026-10", "de")`` returns the RunResult; the files are in
    ``result.memo`` (browser HTML), ``result.eml`` and ``result.notebook``.
    """
    from cmo_workbook.delivery.runner import Runner, RunOptions

    reports = tmp_path_factory.mktemp("reports")
    cache: dict = {}

    def run(name: str, period: str, lang: str = "de"):
        from cmo_workbook.periods import Period

        key = (name, period, lang)
        if key not in cache:
            opts = RunOptions(params_path=ROOT / "params" / "example.yaml", period=Period.parse(period), lang=lang,
                              reports_dir=reports / lang, history_dir=reports / "history")
            cache[key] = Runner(opts, say=lambda line: None).run(name)
        return cache[key]

    return run


def parse_eml(path: Path):
    """The .eml parsed back: (message, html, plain, images)."""
    import email
    import email.policy

    msg = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html_part = msg.get_body(preferencelist=("html",))
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    return msg, html_part.get_content(), plain, images


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary that `cmo-workbook preview` would use (same names: delivery/preview.py).

    Every test that prints or screenshots a memo takes this fixture: without Chromium (where it cannot be
    installed; .ci/run installs it when it can) such a test is skipped with the reason, never an error.
    """
    from cmo_workbook.delivery import preview
    from cmo_workbook.errors import SettingsError

    try:
        return preview.chromium()
    except SettingsError as exc:
        pytest.skip(f"print test skipped: {exc}")
