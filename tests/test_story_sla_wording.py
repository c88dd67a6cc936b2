"""Issue #11: the update's asks name each service level by what it measures, with the sync memo's figures.

The sync states the first-response SLA ("binnen 24 Arbeitsstunden") and the feedback SLA (accept/reject with a
reason "binnen 5 Arbeitstagen"); a support ask saying only "binnen 5 Arbeitstagen nachfassen" reads as a
contradiction. Every duration in an ask must be one of the params' SLAs and say which one it is.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

PARAMS = Path(__file__).resolve().parents[1] / "params" / "example.yaml"


def test_support_asks_name_each_sla_by_what_it_is():
    raw = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    hours, days = raw["sla"]["response_hours"], raw["sla"]["feedback_days"]   # 24 and 5 in the example
    asks = [(s.get("support") or "", s.get("support_en") or "") for s in raw["stakeholders"]]
    checked = 0
    for de, en in asks:
        for n in re.findall(r"(\d+) Arbeitsstunden", de):
            assert int(n) == hours and "Erstkontakt" in de, de
            checked += 1
        for n in re.findall(r"(\d+) Arbeitstagen", de):
            assert int(n) == days and "Rückmeldung" in de and "ablehnen" in de, de
            checked += 1
        assert not re.search(r"binnen \d+ Arbeitstagen nachfassen", de), de   # the ambiguous old wording
        for n in re.findall(r"(\d+) business hours", en):
            assert int(n) == hours and "first contact" in en, en
        for n in re.findall(r"(\d+) working days", en):
            assert int(n) == days and "feedback" in en, en
    assert checked >= 2   # the sales ask carries both SLAs
