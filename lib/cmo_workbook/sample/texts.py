"""Feedback text fragments: themes, templates with slots and style variations (all cp1252-safe)."""
from __future__ import annotations

import numpy as np

from .common import choice

#: Feedback themes of the sample company and the words that mark them (German and English).
#: ``spare_parts_portal`` is the new theme (from 2026-09) that a fixed taxonomy would not know.
FEEDBACK_THEMES: dict[str, tuple[str, ...]] = {
    "delivery_delay": ("Lieferverzögerung", "Liefertermin", "Lieferverzug", "delivery delay", "late delivery"),
    "invoice_errors": ("Rechnungsfehler", "falsche Rechnung", "Rechnung", "invoice wrong", "invoice"),
    "product_quality": ("Defekt", "Ausfall", "Qualitätsproblem", "undicht", "broken", "defective"),
    "spare_parts": ("Ersatzteil", "Ersatzteile verfügbar", "spare part", "spare parts availability"),
    "documentation": ("Dokumentation", "CAD-Daten", "Datenblatt", "Betriebsanleitung", "manual", "datasheet"),
    "price": ("zu teuer", "Preiserhöhung", "Rabatt", "Preis", "too expensive", "discount", "price increase"),
    "service_response": ("Reaktionszeit", "Rückruf", "Support erreichbar", "response time", "call back"),
    "online_configurator": ("Konfigurator", "Online-Bestellung", "configurator", "online ordering"),
    "energy_efficiency": ("Energieeffizienz", "Energieverbrauch", "Wirkungsgrad", "energy efficiency"),
    "praise_support": ("kompetente Beratung", "super Service", "sehr zufrieden", "great support", "excellent service"),
    "spare_parts_portal": ("Ersatzteilportal", "Portal-Login", "spare parts portal", "portal login"),
}

# Words whose presence marks a delivery-delay text; used by tests and never emitted by other themes.
DELIVERY_KEYWORDS = ("lieferverzögerung", "liefertermin", "lieferverzug", "delivery delay", "late delivery")
PORTAL_KEYWORDS = ("ersatzteilportal", "portal-login", "spare parts portal", "portal login")

T = dict[str, dict[str, tuple[str, ...]]]
TEMPLATES: T = {
    "delivery_delay": {
        "de": (
            "Der zugesagte Liefertermin für Auftrag {order} wurde schon {n} mal verschoben.",
            "Wann kommt endlich die Ware? Liefertermin war der {date}, bis heute nichts da.",
            "Lieferverzögerung von {weeks} Wochen beim {product}, unsere Montage steht still.",
            "Wir sind mit der Liefertreue nicht zufrieden, schon wieder Lieferverzögerung.",
            "Bitte verbindlichen Liefertermin für Bestellung {order} nennen, wir brauchen das für die Planung.",
            "Lieferverzug beim {product}: Kunde droht mit Vertragsstrafe.",
            "Erneute Lieferverzögerung, das ist für uns so nicht akzeptabel.",
            "Liefertermin {date} nicht gehalten, keine Info vorab bekommen.",
        ),
        "en": (
            "Delivery delay of {weeks} weeks on order {order}, our line is waiting.",
            "When will the {product} ship? The confirmed delivery date was {date}, another late delivery.",
            "Not happy with the late delivery again, please give us a reliable date.",
            "Can you confirm a new date? The delivery delay is hurting our project.",
        ),
    },
    "invoice_errors": {
        "de": (
            "Falsche Rechnung erhalten: Rechnung {order} über {amount} EUR, vereinbart war weniger.",
            "Rechnungsfehler: Rabatt von {pct} % wurde nicht berücksichtigt.",
            "Rechnung doppelt erhalten, bitte Gutschrift erstellen.",
            "Auf der Rechnung steht die falsche Lieferadresse und die Bestellnummer fehlt.",
            "Wir sind nicht zufrieden, die dritte fehlerhafte Rechnung in diesem Quartal.",
            "Warum wurde die Fracht zweimal berechnet? Rechnung {order} bitte korrigieren.",
        ),
        "en": (
            "Invoice wrong again: amount {amount} EUR does not match the order confirmation.",
            "Can you send a corrected invoice? The VAT ID is missing.",
            "We received the same invoice twice, please issue a credit note.",
        ),
    },
    "product_quality": {
        "de": (
            "{product} nach {n} Monaten defekt, Lager läuft heiß.",
            "Ausfall des {product} im Schichtbetrieb, Stillstand von {n} Stunden.",
            "Qualitätsproblem: Getriebe undicht, Öl tritt am Abtrieb aus.",
            "Geräusche am {product} seit Inbetriebnahme, bitte Techniker schicken.",
            "Laufruhe und Verarbeitung top, kein Problem seit {n} Monaten.",
            "Zwei von zehn Kupplungen mit Maßabweichung geliefert.",
        ),
        "en": (
            "The {product} is broken after {n} months, bearing failure.",
            "Gearbox defective on arrival, oil leaking.",
            "No issues with the {product} so far, runs smoothly.",
        ),
    },
    "spare_parts": {
        "de": (
            "Ist das Ersatzteil {part} für den {product} verfügbar? Wir haben Stillstand.",
            "Ersatzteile sind nicht ab Lager verfügbar, {weeks} Wochen Wartezeit für einen Dichtring.",
            "Wäre schön, wenn wichtige Ersatzteile für ältere Baureihen länger verfügbar wären.",
            "Bitte Ersatzteilliste für {product} zusenden.",
        ),
        "en": (
            "Is the spare part {part} in stock? We need it urgently.",
            "Spare parts availability for older series is poor.",
        ),
    },
    "documentation": {
        "de": (
            "Die CAD-Daten für den {product} fehlen auf der Webseite.",
            "Im Datenblatt zum {product} stimmt das Abtriebsmoment nicht.",
            "Wäre schön, wenn es die Betriebsanleitung auch auf Englisch und Polnisch gäbe.",
            "Wo finde ich die Dokumentation zur Schmierung? Handbuch ist veraltet.",
            "STEP-Datei und Datenblatt schnell bekommen, danke.",
        ),
        "en": (
            "Can you send the CAD data (STEP) for the {product}?",
            "The manual does not match the delivered version.",
            "It would be great if datasheets were available in English too.",
        ),
    },
    "price": {
        "de": (
            "Preiserhöhung von {pct} % ist für uns zu viel, wir prüfen Alternativen.",
            "{product} ist im Vergleich zum Wettbewerb zu teuer.",
            "Können Sie uns bei der Jahresmenge einen Rabatt von {pct} % geben?",
            "Preis ok, aber die Frachtkosten sind zu hoch.",
            "Wettbewerber bietet {pct} % günstiger an, bitte Angebot überarbeiten.",
        ),
        "en": (
            "The {product} is too expensive compared to other suppliers.",
            "Can you offer a discount for a yearly volume of {n}00 units?",
            "The price increase of {pct} % was not announced in time.",
        ),
    },
    "service_response": {
        "de": (
            "Reaktionszeit im Support viel zu lang, seit {n} Tagen keine Antwort.",
            "Rückruf wurde zugesagt, kam aber nicht.",
            "Support erreichbar nur vormittags? Wir arbeiten im Schichtbetrieb.",
            "Wir erwarten eine Antwort innerhalb von 24 Stunden, nicht nach einer Woche.",
            "Hotline war schnell erreichbar, kein Problem.",
        ),
        "en": (
            "Response time of the support team is too slow, waited {n} days.",
            "Please call back, nobody answered our ticket.",
            "We expect a reply within one business day.",
        ),
    },
    "online_configurator": {
        "de": (
            "Wäre schön, wenn der Konfigurator auch Motoranbauten anderer Hersteller kennt.",
            "Online-Bestellung klappt nicht, Warenkorb wird geleert.",
            "Im Konfigurator fehlen die Übersetzungen i=7 und i=10.",
            "Kann man im Konfigurator die CAD-Daten direkt herunterladen?",
        ),
        "en": (
            "It would be great if the configurator exported a complete BOM.",
            "Can you add online ordering for standard gearboxes?",
        ),
    },
    "energy_efficiency": {
        "de": (
            "Gibt es Angaben zum Wirkungsgrad und Energieverbrauch für unsere Nachweise?",
            "Wäre schön, wenn die Energieeffizienz im Datenblatt stünde.",
            "Unser Kunde verlangt Energieeffizienzklasse IE4, können Sie das liefern?",
        ),
        "en": (
            "Do you have energy efficiency data for the {product}?",
            "It would be great to have a lower energy consumption option for 24/7 operation.",
        ),
    },
    "praise_support": {
        "de": (
            "Sehr kompetente Beratung bei der Auslegung, vielen Dank an {rep}.",
            "Super Service, Techniker war am nächsten Tag vor Ort.",
            "Wir sind sehr zufrieden, schnelle Hilfe und freundliche Ansprechpartner.",
            "Kompetente Beratung, gute Produkte, kein Problem in {n} Jahren.",
            "Alles bestens, gerne wieder.",
        ),
        "en": (
            "Great support from the application engineers, thank you.",
            "Excellent service and very helpful team, no issues at all.",
            "Very happy with the {product}, great support during commissioning.",
        ),
    },
    "spare_parts_portal": {
        "de": (
            "Portal-Login für das neue Ersatzteilportal funktioniert nicht, Passwort wird nicht angenommen.",
            "Im Ersatzteilportal finde ich die Teile für den {product} nicht.",
            "Wie bekommen wir Zugang zum Ersatzteilportal für unsere Instandhaltung?",
            "Ersatzteilportal zeigt keine Preise an, Bestellung nicht möglich.",
            "Wäre schön, wenn das Ersatzteilportal auch die Seriennummer-Suche hätte.",
        ),
        "en": (
            "Cannot log in to the new spare parts portal, portal login keeps failing.",
            "The spare parts portal does not show the parts for our {product}.",
        ),
    },
}

OPENERS = {"de": ("", "", "Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo zusammen,"),
           "en": ("", "", "Hello,", "Hi team,", "Dear Sir or Madam,")}
CLOSERS = {"de": ("", "", "Danke.", "Gruß", "MfG", "Viele Grüße", "Bitte um Rückmeldung."),
           "en": ("", "", "Thanks.", "Regards", "Best regards", "Thank you.")}
CALL_PREFIX = {"de": ("Gesprächsnotiz:", "Kd. meldet:", "Call mit Einkauf:", "Besuchsbericht:", "Telefonat:"),
               "en": ("Call note:", "Customer mentioned:", "Visit report:")}
MIXED_TAILS = ("Bitte asap Feedback.", "Thanks in advance!", "Danke, best regards", "FYI: Ticket ist urgent.")
# Common words only: typos never touch the theme keywords.
TYPOS = {"nicht": "nich", "bitte": "bitet", "leider": "leidr", "wieder": "wider", "schon": "schohn",
         "Bestellung": "Bestelung", "the": "teh", "again": "agian", "please": "plese", "wurde": "wurd"}
PARTS = ("Wellendichtring 35x52", "Lagersatz KS-60", "Abtriebswelle KP-120", "Kupplungsstern 28", "Ölschauglas")
REPS_SHORT = ("Herrn Eberle", "Frau Brandt", "Herrn Vogt", "Frau Reuter", "Herrn Dörr")


def fill(rng: np.random.Generator, template: str, product: str) -> str:
    """Fill the slots of one template with plausible values."""
    return template.format(
        order=f"{int(rng.integers(4_500_000, 4_599_999))}",
        n=int(rng.integers(2, 9)),
        weeks=int(rng.integers(2, 9)),
        date=f"{int(rng.integers(1, 29)):02d}.{int(rng.integers(1, 13)):02d}.",
        amount=_de_amount(float(rng.uniform(400, 25_000))),
        pct=_de_pct(rng),
        product=product,
        part=choice(rng, PARTS),
        rep=choice(rng, REPS_SHORT),
    )


def _is_positive(sentence: str) -> bool:
    return any(w in sentence.lower() for w in ("kein problem", "no issues", "schnell", "top"))


def _de_amount(value: float) -> str:
    s = f"{value:,.2f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def _de_pct(rng: np.random.Generator) -> str:
    return f"{rng.choice((3, 4, 5, 6, 8, 10, 12))},{rng.choice((0, 5))}"


def compose(rng: np.random.Generator, theme: str, lang: str, source: str, product: str,
            second: str | None = None) -> str:
    """One feedback text: theme sentence(s) in a source-typical frame, varied style."""
    pool = TEMPLATES[theme][lang]
    first, extra = (pool[int(i)] for i in rng.choice(len(pool), size=2, replace=False))
    parts = [fill(rng, first, product)]
    # long texts add a second sentence of the theme, never a 'no problem' next to a complaint
    if rng.random() < 0.3 and not any(_is_positive(x) for x in (first, extra)):
        parts.append(fill(rng, extra, product))
    if second is not None:
        parts.append(fill(rng, choice(rng, TEMPLATES[second][lang]), product))
    if source == "Support-Ticket":
        parts = [choice(rng, OPENERS[lang])] + parts + [choice(rng, CLOSERS[lang])]
    elif source == "Vertriebsgespräch":
        parts = [choice(rng, CALL_PREFIX[lang])] + parts
    text = " ".join(p for p in parts if p)
    if lang == "de" and rng.random() < 0.04:
        text += " " + choice(rng, MIXED_TAILS)
    if rng.random() < 0.08:
        text = " ".join(TYPOS.get(w, w) for w in text.split(" "))
    if rng.random() < 0.1:
        text = text.lower()
    return text
