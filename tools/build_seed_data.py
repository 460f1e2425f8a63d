#!/usr/bin/env python3
"""Build normtrack's seed-data/*.csv from ../shared/reference-data/.

Run from the repository root:  python3 tools/build_seed_data.py [REFERENCE_DIR]

Nothing is invented here. Every output row comes from one or more reference rows, and
every date is one that a reference row states. Where sources overlap on one
(country, instrument) pair, the row with a registration date wins (NORMLEX page >
dated news > older tables > complete-list snapshots > the lists of reference section 11),
reconciled by seed_reconcile.py: the status of the newest source wins, agreeing older rows
keep their dates, and what a newer source replaced is kept in the notes. `source_date` is the date the source speaks for (its snapshot date, or the date of
the event or news item it reports), with reduced precision (YYYY-MM) where the source
gives no day, and empty where the reference data does not state it.
"""
import csv
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed_reconcile import reconcile, source_date  # noqa: E402

REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "reference-data")
OUT = "seed-data"

REGIONS = {
    "Africa": "africa",
    "Americas": "americas",
    "Arab States": "arab_states",
    "Asia and the Pacific": "asia_and_the_pacific",
    "Europe and Central Asia": "europe_and_central_asia",
}
PRINCIPLES = {
    "Freedom of association and collective bargaining": "freedom_of_association",
    "Elimination of forced or compulsory labour": "forced_labour",
    "Effective abolition of child labour": "child_labour",
    "Elimination of discrimination in employment and occupation": "discrimination",
    "Safe and healthy working environment (fundamental since June 2022)": "occupational_safety_and_health",
}


def read(name):
    with open(os.path.join(REF, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") or "" for h in header])
    print(f"{OUT}/{name}: {len(rows)} rows")


def short_title(title):
    # "Forced Labour Convention, 1930 (No. 29)" -> "Forced Labour Convention"
    return re.sub(r",? (\d{4})( \(No\. \d+\))?$", "", title).strip()


# ---------------------------------------------------------------- countries
members = read("ilo_member_states.csv")
countries = []
for m in members:
    countries.append({
        "iso3": m["iso3"], "iso2": m["iso2"], "un_m49": m["un_m49"], "name": m["name"],
        "region": REGIONS[m["ilo_region"]], "region_basis": m["ilo_region_basis"],
        "source": "ISO codes: lukes/ISO-3166-Countries-with-Regional-Codes all/all.csv (data 2024-06-19); "
                  "ILO membership: 186 UN members (mledoze/countries, 2026-04) plus the Cook Islands, "
                  "187 as of February 2025 (Wikipedia 'Member states of the ILO')",
    })
# Names in French and Spanish: CLDR (reference README section 8), keyed by ISO alpha-3.
names = {r["iso3"]: r for r in read("country_names_fr_es.csv")}
for c in countries:
    n = names.get(c["iso3"], {})
    c["name_fr"], c["name_es"] = n.get("name_fr", ""), n.get("name_es", "")
    c["names_source"] = n.get("source", "")
countries.sort(key=lambda c: c["iso3"])
iso3s = {c["iso3"] for c in countries}
assert len(countries) == 187, len(countries)

# ---------------------------------------------------------------- conventions
instruments = read("ilo_instruments_fundamental_governance.csv")
conventions = []
for i in instruments:
    fundamental = i["class"] == "Fundamental"
    conventions.append({
        "code": i["code"],
        "instrument_type": i["instrument_type"].lower(),
        "title": i["title"],
        "short_title": short_title(i["title"]),
        "category": "fundamental" if fundamental else "governance",
        "principle": PRINCIPLES.get(i["category"], "") if fundamental else "",
        "parent": "C029" if i["code"] == "P029" else "",
        "adopted_year": i["adopted_year"],
        "adopted_on": i["adopted_date"],
        "in_force_on": i["first_entry_into_force_date"],
        "dates_source": i["dates_source"],
        "dates_confidence": i["dates_confidence"],
        "normlex_id": i["normlex_instrument_id"],
        "reference_ratifications": i["ratifications"],
        "reference_ratifications_as_of": i["ratifications_as_of"],
        "reference_ratifications_source": i["ratifications_source"],
    })
# The two technical conventions whose ratifications (with denunciations) the
# automatic-denunciation file documents.
denunciations = read("automatic_denunciation_examples_2011.csv")
for code in sorted({d["instrument"] for d in denunciations}):
    d = next(x for x in denunciations if x["instrument"] == code)
    year = re.search(r", (\d{4}) \(No", d["instrument_title"]).group(1)
    conventions.append({
        "code": code, "instrument_type": "convention", "title": d["instrument_title"],
        "short_title": short_title(d["instrument_title"]), "category": "technical", "principle": "",
        "parent": "", "adopted_year": year, "adopted_on": "", "in_force_on": "",
        "dates_source": d["source"], "dates_confidence": "year from title",
        "normlex_id": "", "reference_ratifications": "", "reference_ratifications_as_of": "",
        "reference_ratifications_source": "",
    })
# Titles in French and Spanish (reference README section 10), with their sources and
# confidence. The short title drops the number and the year, as the English one does.
def short_title_fr(title):
    # "Convention (n° 87) sur la liberté syndicale ..., 1948" -> "Convention sur la liberté syndicale ..."
    return re.sub(r",? \d{4}$", "", re.sub(r" \(n° \d+\)", "", title)).strip()


def short_title_es(title):
    # "Convenio sobre ..., 1948 (núm. 87)" -> "Convenio sobre ..."
    return re.sub(r",? \d{4}( \(núm\. \d+\))?$", "", title).strip()


titles = {r["code"]: r for r in read("instrument_titles_fr_es.csv")}
for c in conventions:
    t = titles.get(c["code"], {})
    c["title_fr"], c["title_es"] = t.get("title_fr", ""), t.get("title_es", "")
    c["short_title_fr"] = short_title_fr(c["title_fr"]) if c["title_fr"] else ""
    c["short_title_es"] = short_title_es(c["title_es"]) if c["title_es"] else ""
    c["titles_source"] = f"fr: {t['source_fr']} | es: {t['source_es']}" if t else ""
    c["titles_confidence"] = t.get("confidence", "")
conventions.sort(key=lambda c: c["code"])
codes = {c["code"] for c in conventions}
assert len(conventions) == 17

# ---------------------------------------------------------------- ratifications
# Candidate rows per (iso3, instrument), in order of precedence.
cands = {}


def add(iso3, code, row):
    assert iso3 in iso3s, iso3
    assert code in codes, code
    cands.setdefault((iso3, code), []).append(row)


# Dates the sources speak for, where the reference data states them (see module doc).
PARTIAL_SOURCE_DATES = {
    ("VNM", "C098"): "2019-07-26",  # ILO news 26 Jul 2019
    ("JPN", "C105"): "2022-07-19",  # ILO news 19 Jul 2022
    ("CHN", "C029"): "2022-08-12",  # ILO news on the deposit of 12 Aug 2022
    ("CHN", "C105"): "2022-08-12",
    ("KOR", "C029"): "2021-04-21",  # Korean ministries' statements of 2021-04-21
    ("KOR", "C087"): "2021-04-21",
    ("KOR", "C098"): "2021-04-21",
}
for r in read("ratifications_partial.csv"):
    stated_eif = r["entry_into_force_date"] if r["entry_into_force_basis"].startswith("stated") else ""
    add(r["iso3"], r["instrument"], {
        "status": "ratified", "registered_on": r["registration_date"], "in_force_on": stated_eif,
        "minimum_age": r["c138_min_age"], "source": r["source"],
        "source_date": PARTIAL_SOURCE_DATES.get((r["iso3"], r["instrument"]), ""),
        "notes": f"{r['snapshot_note']}; confidence: {r['confidence']}",
    })


def event_source_date(r):
    key, note, src = (r["iso3"], r["instrument"]), r["note"], r["source"]
    if key in {("KOR", "C029"), ("KOR", "C087"), ("KOR", "C098")}:
        return "2021-04-21"
    if r["iso3"] == "CAN" and "WCMS_558488" in src:
        return "2017-06-14"  # ILO news 14 June 2017
    if r["iso3"] == "MEX" and "WCMS_651082" in src:
        return "2018-11-26"  # ILO news 26 Nov 2018
    if key == ("TON", "C182"):
        return "2020-08-04"  # deposit ceremony and AP report
    if key == ("BEL", "C155"):
        return "2011-02-28"  # treaty page: international ratification 28/02/2011
    if key == ("JPN", "C187"):
        return "2007-07-24"  # MOFA announcement of the deposit
    if "As of March 2023" in note:
        return "2023-03"  # Wikipedia C187 table
    if "one of the 9 states bound when P029 entered into force on 2016-11-09" in note:
        return "2016-11-09"
    if key == ("ARG", "P029"):
        return "2016-11-09"
    if key == ("NOR", "P029"):
        return "2015-12-02"  # quoted news of 2 Dec 2015
    if "ILO Europe news 16 June 2017" in note:
        return "2017-06-16"
    if key in {("SUR", "P029"), ("DEU", "P029"), ("CRI", "P029")}:
        return r["registration_date"]  # the story quotes the day of ratification
    if key == ("SDN", "P029"):
        return "2021-03-30"  # Nigerian Tribune 2021-03-30 quoting the ILO
    if key == ("MMR", "C138"):
        return "2020-06-12"  # ILO Yangon press release of 12 June 2020
    if key == ("VNM", "C105"):
        return "2020-06-08"  # National Assembly approval reported that day
    return ""


for r in read("ratification_events.csv"):
    add(r["iso3"], r["instrument"], {
        "status": "ratified", "registered_on": r["registration_date"], "in_force_on": "",
        "minimum_age": r["c138_min_age"], "source": r["source"],
        "source_date": event_source_date(r), "notes": r["note"],
    })

for r in read("c138_min_age_wikipedia_c2008_partial.csv"):
    add(r["iso3"], r["instrument"], {
        "status": "ratified", "registered_on": r["registration_date"], "in_force_on": "",
        "minimum_age": r["c138_min_age_declared"], "source": r["source"], "source_date": "",
        "notes": f"{r['snapshot_note']}; confidence: {r['confidence']}",
    })

for r in denunciations:
    denounced = r["status_2011"] == "Denounced"
    by = r["denounced_by"]
    why = ""
    if denounced:
        why = (f"denounced ipso jure on ratification of {by}; " if by in ("C138",) else
               f"denounced on ratification of {by}; " if by.startswith("C058") else f"{by}; " if by else "")
    add(r["iso3"], r["instrument"], {
        "status": "denounced" if denounced else "ratified",
        "registered_on": r["registration_date"], "in_force_on": "",
        "denounced_on": r["denunciation_date"] if denounced else "",
        "source": r["source"], "source_date": "2011-05-06",
        "notes": f"{why}{r['snapshot_note']}",
    })

for r in read("ratification_status_by_convention.csv"):
    add(r["iso3"], r["instrument"], {
        "status": "ratified" if r["ratified"] == "yes" else "not_ratified",
        "registered_on": "", "in_force_on": "", "source": r["source"], "source_date": r["as_of"],
        "notes": r["note"],
    })

# The ratification lists of reference README section 11: complete (derived from named
# non-ratifiers) for C105 and C029, partial and dated for the others. Newer than most rows
# above, so they come last in precedence at equal days.
LISTS = os.path.join(REF, "ratification_lists")
for name in sorted(os.listdir(LISTS)):
    code = re.fullmatch(r"ratifications_([CP]\d{3})\.csv", name).group(1)
    for r in read(os.path.join("ratification_lists", name)):
        day, as_given = source_date(r["source_date"])
        add(r["country_iso3"], code, {
            "status": r["status"], "registered_on": r["registered_on"], "in_force_on": r["in_force_on"],
            "denounced_on": r["denounced_on"], "minimum_age": "", "source": r["source"],
            "source_date": day, "notes": f"Source date as given: {as_given}." if as_given else "",
        })

ratifications = []
for (iso3, code), rows in sorted(cands.items()):
    record, replaced = reconcile(iso3, code, rows)
    for r in replaced:
        print(f"{iso3} {code}: {record['status']} (as of {record['source_date'] or record['registered_on']}) "
              f"replaces {r['status']} (as of {r['source_date'] or 'an unknown day'})")
    ratifications.append(record)

os.makedirs(OUT, exist_ok=True)
write("countries.csv", ["iso3", "iso2", "un_m49", "name", "region", "region_basis", "source",
                        "name_fr", "name_es", "names_source"], countries)
write("conventions.csv", list(conventions[0].keys()), conventions)
write("ratifications.csv", ["country", "convention", "status", "stage", "registered_on", "in_force_on",
                            "denounced_on", "minimum_age", "notes", "source", "source_date",
                            "source_incomplete"], ratifications)
by_status = {}
for r in ratifications:
    by_status[r["status"]] = by_status.get(r["status"], 0) + 1
print("ratifications by status:", by_status,
      "with registration date:", sum(1 for r in ratifications if r["registered_on"]))
print("per instrument: code ratified/denounced/not_ratified of records (dated); source dates")
for c in sorted(codes):
    rows = [r for r in ratifications if r["convention"] == c]
    n = {s: sum(1 for r in rows if r["status"] == s) for s in ("ratified", "denounced", "not_ratified")}
    dates = sorted({r["source_date"] for r in rows if r["source_date"]})
    print(f"  {c}: {n['ratified']}/{n['denounced']}/{n['not_ratified']} of {len(rows)} "
          f"({sum(1 for r in rows if r['registered_on'])} dated); "
          f"{len(rows) - sum(1 for r in rows if r['source_date'])} undated; "
          f"{dates[0] if dates else '-'} .. {dates[-1] if dates else '-'}")

# ---------------------------------------------------------------- trade arrangements
# Normalised to normtrack's vocabularies; the source's own word is kept beside it
# (`kind_as_given`, `event_as_given`, and "As given: ..." in the instruments' notes).
KINDS = {
    "unilateral_preference_scheme": "unilateral_preference_scheme",
    "market_access_measure": "other",
}
EVENTS = {
    "entered": "entered", "listed": "listed", "listed_enhanced_preferences": "listed",
    "listed_standard_preferences": "listed", "listed_party": "listed",
    "applied_or_in_force": "applied", "in_force": "applied", "provisionally_applied": "applied",
    "in_force_ITA": "applied", "signed": "signed", "political_agreement": "political_agreement",
    "withdrawal_procedure_initiated": "withdrawal_initiated", "suspension_proclaimed": "withdrawal_initiated",
    "partial_withdrawal_applies": "partially_withdrawn", "withdrawn": "withdrawn",
    "reinstated": "reinstated", "exited": "exited",
}
PRECISION_LENGTH = {"day": 10, "month": 7, "year": 4}


def slug(arrangement_id):
    return arrangement_id.lower().replace("_", "-")


def arrangement_kind(given):
    base = given.split(" ")[0]
    if base in KINDS:
        return KINDS[base]
    if "agreement" in base:
        return "trade_agreement"
    raise SystemExit(f"unknown arrangement kind {given!r}")


arrangements = []
arrangement_ids = set()
for r in read("trade_arrangements.csv"):
    arrangement_ids.add(r["arrangement_id"])
    arrangements.append({
        "slug": slug(r["arrangement_id"]), "name": r["name"],
        "kind": arrangement_kind(r["kind"]), "kind_as_given": r["kind"],
        "granting_parties": r["granting_party_or_parties"], "partner_scope": r["partner_scope"],
        "legal_act": r["legal_instrument"], "labour_provisions": r["labour_provisions_location"],
        "commitment": r["commitment_summary"], "enforcement": r["enforcement_mechanism"],
        "status": r["status_as_of_source"], "signed_on": r["signed_date"],
        "applies_from": r["applies_from"], "expires_on": r["expires"],
        "notes": f"Reference id {r['arrangement_id']}." + (f" {r['notes']}" if r["notes"] else ""),
        "source": r["source"], "source_date": r["source_date"],
    })

events = []
for r in read("trade_arrangement_members.csv"):
    assert r["arrangement_id"] in arrangement_ids, r["arrangement_id"]
    precision = r["date_precision"]
    date = r["event_date"]
    notes = r["notes"]
    if precision:
        base, _, qualifier = precision.partition(" ")
        if len(date) != PRECISION_LENGTH[base]:
            raise SystemExit(f"{r['arrangement_id']} {r['iso3']}: {date!r} is not of precision {precision!r}")
        if qualifier:
            notes = f"Date: {qualifier.strip('()')}. {notes}".strip()
    elif date:
        raise SystemExit(f"{r['arrangement_id']} {r['iso3']}: a date without its precision")
    events.append({
        "arrangement": slug(r["arrangement_id"]), "country": r["iso3"], "country_name": r["country"],
        "event": EVENTS[r["event"]], "event_as_given": r["event"], "occurred_on": date,
        "legal_act": r["legal_act"], "notes": notes, "source": r["source"], "source_date": r["source_date"],
    })

tracked = {c["code"] for c in conventions}
instruments = []
positions = {}
for r in read("trade_arrangement_instruments.csv"):
    assert r["arrangement_id"] in arrangement_ids, r["arrangement_id"]
    positions[r["arrangement_id"]] = positions.get(r["arrangement_id"], 0) + 1
    given = r["commitment_type"]
    token = re.match(r"[A-Za-z_+]+", given).group(0).replace("GSP+", "gsp_plus").lower()
    code = r["instrument_code"]
    if code and code not in tracked:
        raise SystemExit(f"{r['arrangement_id']}: instrument {code} is not among the seeded conventions")
    notes = r["notes"]
    if given != token:
        notes = f"As given: {given}. {notes}".strip()
    instruments.append({
        "arrangement": slug(r["arrangement_id"]), "position": positions[r["arrangement_id"]],
        "list_ref": r["list_ref"], "country": r["country_scope_iso3"], "convention": code,
        "named_as": r["instrument_named_as"], "is_ilo": "true" if r["is_ilo"] == "yes" else "false",
        "commitment_type": token, "article": r["article_ref"], "notes": notes,
        "source": r["source"], "source_date": r["source_date"],
    })

# ---------------------------------------------------------------- supervisory comments
comments = []
for r in read("supervisory_comments.csv"):
    codes = [r["instrument"]]
    # A comment examining several instruments together names them in its notes.
    listed = re.search(r"covers several conventions \(([^)]*)\)", r["notes"])
    if listed:
        codes += [c.strip() for c in listed.group(1).split(",")]
    codes = sorted(set(codes))
    notes = r["notes"]
    if r["ratification_year_shown"]:
        notes = f"Ratification year shown: {r['ratification_year_shown']}. {notes}".strip()
    if r["normlex_country_id"]:
        notes = f"{notes} NORMLEX country id {r['normlex_country_id']}.".strip()
    comments.append({
        "normlex_id": r["normlex_comment_id"], "body": r["body"].lower(), "kind": r["comment_type"],
        "country": r["iso3"], "conventions": " ".join(codes), "year": r["adopted_or_discussed_year"],
        "ilc_session": r["ilc_session"], "published_year": r["published_year"],
        "footnote": r["footnote"] or "unknown", "reply_requested_for": "",
        "case_of_progress": r["case_of_progress"], "headings": r["topics_or_headings"],
        "observations_cited": r["links_to_other_supervision"], "label": r["label_verbatim"],
        "link": "", "notes": notes, "source": r["source"], "source_date": r["source_date"],
    })

write("trade_arrangements.csv", list(arrangements[0].keys()), arrangements)
write("trade_arrangement_events.csv", list(events[0].keys()), events)
write("trade_arrangement_instruments.csv", list(instruments[0].keys()), instruments)
write("supervisory_comments.csv", list(comments[0].keys()), comments)

# ---------------------------------------------------------------- responsible business conduct
# Kinds normalised (the source's word kept in kind_as_given). Sectors stay as the source words
# them: mapping them to ISIC Rev.4 sections would be our inference, so `sectors` is left empty.
# Countries: ISO codes of ILO member states; "EU" is not one and is said in the notes. Linked
# instruments: the codes the source names; "EU GSP+" named links the GSP+ arrangement.
RBC_KINDS = {
    "international_instrument": "international_instrument",
    "national_focal_point": "national_focal_point",
    "national_contact_point": "national_contact_point",
    "development_cooperation_project": "project_or_country_component",
    "project_country_component": "project_or_country_component",
    "mandatory_due_diligence_law": "due_diligence_or_market_access_law",
    "market_access_measure": "due_diligence_or_market_access_law",
}
member_codes = {c["iso3"] for c in countries}
initiatives = []
for r in read("rbc_initiatives.csv"):
    base = r["kind"].split(" ")[0]
    kind = RBC_KINDS.get(base, "other")
    codes = [c.strip() for c in r["country_iso3"].split(";") if c.strip()]
    notes = r["notes"]
    elsewhere = [c for c in codes if c not in member_codes]
    if elsewhere:
        notes = f"Applies in: {', '.join(elsewhere)}. {notes}".strip()
    instruments = sorted(set(re.findall(r"\b([CP]\d{3})\b", r["linked_instruments"])) & tracked)
    arrangements_linked = ["eu-gsp-plus-978-2012"] if "EU GSP+" in r["linked_instruments"] else []
    parent = ""
    if "_" in r["initiative_id"] and r["initiative_id"].rsplit("_", 1)[0] in {i["key"] for i in initiatives}:
        parent = r["initiative_id"].rsplit("_", 1)[0]
    initiatives.append({
        "key": r["initiative_id"], "parent": parent, "name": r["name"], "kind": kind, "kind_as_given": r["kind"],
        "countries": " ".join(c for c in codes if c in member_codes),
        "sectors_as_given": r["sector"], "partners": r["partners"], "funders": "",
        "conventions": " ".join(instruments), "arrangements": " ".join(arrangements_linked),
        "instruments_as_given": r["linked_instruments"], "starts": r["start_date"], "ends": r["end_date"],
        "status": "", "notes": notes, "source": r["source"], "source_date": r["source_date"],
    })
write("rbc_initiatives.csv", list(initiatives[0].keys()), initiatives)
