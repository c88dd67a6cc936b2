"""The sales-marketing sync memo on the sample data: headline, sections, privacy, size, jargon (de and en)."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.render import jargon
from cmo_workbook.render.export import MAX_HTML_BYTES, build_memo

from conftest import ROOT, parse_eml


@pytest.mark.parametrize("lang", ["de", "en"])
def test_sync_memo(memo_run, lang):
    res = memo_run("sales_marketing_sync", "2026-10", lang)
    msg, html, plain, images = parse_eml(res.eml)
    memo = build_memo(res.notebook, lang=lang)
    # the planted trade-fair burst is the headline: 42 of 49 late answers came from fairs (counted from
    # hubspot_contacts.csv MQLs of 2026-10 with the 24 business-hour rule tested in test_sla.py)
    headline = memo.headline.replace("\xa0", " ")
    if lang == "de":
        assert headline.startswith("Der Vertrieb beantwortete 77 % der an ihn übergebenen Anfragen (alle Quellen) binnen 24 Arbeitsstunden "
                                        "(Vormonat 92 %, Ziel 90 %) – 42 der 49 verspäteten Anfragen kamen von Messen")
        for section in ("ANTWORTZEIT", "QUALITÄT DER ANFRAGEN", "ZUORDNUNG DER PIPELINE", "GEMEINSAME FIRMEN",
                        "AGENDA"):
            assert section in plain
    else:
        assert "42 of the 49 late answers were Trade fairs inquiries" in headline
    kinds = [r["kind"] for r in memo.records]
    assert kinds[:3] == ["header", "headline", "kpis"] and kinds.count("recommendations") == 1
    assert len(next(r for r in memo.records if r["kind"] == "kpis")["tiles"]) == 4
    assert memo.html_bytes < MAX_HTML_BYTES
    # the sales owners appear by name in their table (a reader acts on names, not on "Vertrieb 2"; #11), the rest
    # as "weitere n Vertriebler"; the customers' contact persons never appear
    contacts = pd.read_csv(ROOT / "data" / "sample" / "crm" / "hubspot_contacts.csv",
                           usecols=["First Name", "Last Name", "Contact owner"])
    owners = set(contacts["Contact owner"].dropna())
    assert sum(owner in plain for owner in owners) == 3  # the table's three owners with the most late answers
    assert ("weitere 5 Vertriebler" if lang == "de" else "5 more sales reps") in plain
    for first, last in zip(contacts["First Name"], contacts["Last Name"]):
        name = f"{first} {last}"
        assert name in owners or (name not in html and name not in plain)
    assert jargon.check_memo(memo, strict=True) == []
