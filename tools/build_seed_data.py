#!/usr/bin/env python3
"""Build normtrack's seed-data/*.csv from ../shared/reference-data/.

Run from the repository root:  python3 tools/build_seed_data.py [REFERENCE_DIR]

Nothing is invented here. Every output row comes from one or more reference rows, and
every date is one that a reference row states. Where sources overlap on one
(country, instrument) pair, the row with a registration date wins (NORMLEX page >
dated news > older tables > complete-list snapshots) and the others are kept in the
notes. `source_date` is the date the source speaks for (its snapshot date, or the date of
the event or news item it reports), with reduced precision (YYYY-MM) where the source
gives no day, and empty where the reference data does not state it.
"""
import csv
import os
import re
import sys

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

ratifications = []
for (iso3, code), rows in sorted(cands.items()):
    primary = next((r for r in rows if r["registered_on"]), rows[0])
    others = [r for r in rows if r is not primary]
    for o in others:
        assert o["status"] == primary["status"] or (o["status"], primary["status"]) == ("ratified", "denounced"), (iso3, code)
        if o["registered_on"] and primary["registered_on"] != o["registered_on"]:
            raise SystemExit(f"conflicting registration dates for {iso3} {code}")
    minimum_age = primary.get("minimum_age") or next((o.get("minimum_age") for o in others if o.get("minimum_age")), "")
    notes = primary["notes"]
    for o in others:
        date = f" (as of {o['source_date']})" if o["source_date"] else ""
        notes += f" | Also: {o['source']}{date}: {o['notes']}"
    bound = primary["status"] in ("ratified", "denounced")
    incomplete = bound and (not primary["registered_on"] or (code == "C138" and not minimum_age))
    ratifications.append({
        "source_incomplete": "true" if incomplete else "false",
        "country": iso3, "convention": code, "status": primary["status"], "stage": "",
        "registered_on": primary["registered_on"], "in_force_on": primary["in_force_on"],
        "denounced_on": primary.get("denounced_on", ""), "minimum_age": minimum_age,
        "notes": notes, "source": primary["source"], "source_date": primary["source_date"],
    })

os.makedirs(OUT, exist_ok=True)
write("countries.csv", ["iso3", "iso2", "un_m49", "name", "region", "region_basis", "source"], countries)
write("conventions.csv", list(conventions[0].keys()), conventions)
write("ratifications.csv", ["country", "convention", "status", "stage", "registered_on", "in_force_on",
                            "denounced_on", "minimum_age", "notes", "source", "source_date",
                            "source_incomplete"], ratifications)
by_status = {}
for r in ratifications:
    by_status[r["status"]] = by_status.get(r["status"], 0) + 1
print("ratifications by status:", by_status,
      "with registration date:", sum(1 for r in ratifications if r["registered_on"]))
