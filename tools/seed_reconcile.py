"""How build_seed_data.py turns the sources' rows for one (country, instrument) pair into
one ratification record. Kept apart so that tools/test_seed_reconcile.py can check the
rules on small fixtures.

The rules (docs/seed-data.md says the same):

- Each row speaks for a day: the latest of its source date, its registration date and its
  denunciation date. A source date of a month or a year sorts at its start ("2014 (summer)"
  sorts as 2014); a row with none of the three sorts before every dated row.
- The status of the row that speaks for the latest day wins. At equal days the row given
  first wins (the caller passes them from the most precise source to the broadest list).
- A dated record keeps its dates when a later source agrees: the registration and entry into
  force of any agreeing row are kept (the ratification of a now denounced record included),
  and the record names where they came from. Two different registration dates for one pair
  stop the build.
- What a newer source replaced is kept in `notes` ("Replaced: ..."), with its source and day.
- A status derived from a list of non-ratifiers (a source that says "status derived") says so
  in `notes`.
- The record carries the winning row's `source` and `source_date`.
"""
import re

BOUND = ("ratified", "denounced")


def day_key(text):
    """(year, month, day) of the leading YYYY[-MM[-DD]] of `text`; 0 for what it lacks."""
    m = re.match(r"\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text or "")
    if not m:
        return (0, 0, 0)
    return tuple(int(g) if g else 0 for g in m.groups())


def source_date(text):
    """A source's own wording of its date as (YYYY[-MM[-DD]], what it adds): "2014 (summer)"
    is ("2014", "2014 (summer)"); a text with no leading date is ("", the text)."""
    text = (text or "").strip()
    m = re.match(r"(\d{4}(?:-\d{2}(?:-\d{2})?)?)\b(.*)", text)
    if not m:
        return "", text
    return m.group(1), (text if m.group(2).strip() else "")


def speaks_for(row):
    """The latest day a row speaks for (see the module's rules)."""
    return max(day_key(row.get("source_date")), day_key(row.get("registered_on")),
               day_key(row.get("denounced_on")))


def is_derived(row):
    return "status derived" in (row.get("source") or "")


def _as_of(row):
    return f" (as of {row['source_date']})" if row.get("source_date") else ""


def reconcile(iso3, code, rows):
    """One record from the candidate rows of (iso3, code), in the order of precedence."""
    order = sorted(range(len(rows)), key=lambda i: (speaks_for(rows[i]), -i), reverse=True)
    winner = rows[order[0]]
    status = winner["status"]
    for i in order[1:]:
        other = rows[i]
        if speaks_for(other) == speaks_for(winner) and other["status"] != status \
                and {other["status"], status} != set(BOUND):
            raise SystemExit(f"{iso3} {code}: sources of the same day disagree "
                             f"({status} / {other['status']})")
    bound = status in BOUND
    agrees = [rows[i]["status"] == status or (bound and rows[i]["status"] in BOUND) for i in order[1:]]
    agreeing = [rows[i] for i, a in zip(order[1:], agrees) if a]
    replaced = [rows[i] for i, a in zip(order[1:], agrees) if not a]

    registered_on, dated_by = winner.get("registered_on", ""), None
    if bound:
        for r in agreeing:
            if not r.get("registered_on"):
                continue
            if registered_on and r["registered_on"] != registered_on:
                raise SystemExit(f"conflicting registration dates for {iso3} {code}")
            if not registered_on:
                registered_on, dated_by = r["registered_on"], r
    in_force_on = winner.get("in_force_on", "") if bound else ""
    if bound and not in_force_on:
        in_force_on = next((r["in_force_on"] for r in agreeing
                            if r.get("in_force_on") and r.get("registered_on") == registered_on), "")
    denounced_on = winner.get("denounced_on", "") if status == "denounced" else ""
    if status == "denounced" and not denounced_on:
        denounced_on = next((r["denounced_on"] for r in agreeing if r.get("denounced_on")), "")
    minimum_age = winner.get("minimum_age", "") if bound else ""
    if bound and not minimum_age:
        minimum_age = next((r["minimum_age"] for r in agreeing if r.get("minimum_age")), "")

    notes = [winner.get("notes", "")]
    if is_derived(winner):
        notes.append("Status derived: the source names the members that have not ratified, "
                     "and this one is not among them.")
    if dated_by is not None:
        notes.append(f"Dates from: {dated_by['source']}{_as_of(dated_by)}.")
    for r in replaced:
        notes.append(f"Replaced: {r['status']} per {r['source']}{_as_of(r)}: {r.get('notes', '')}".rstrip(": "))
    for r in agreeing:
        notes.append(f"Also: {r['source']}{_as_of(r)}: {r.get('notes', '')}".rstrip(": "))
    incomplete = bound and (not registered_on or (code == "C138" and not minimum_age))
    return {
        "country": iso3, "convention": code, "status": status, "stage": "",
        "registered_on": registered_on, "in_force_on": in_force_on, "denounced_on": denounced_on,
        "minimum_age": minimum_age, "notes": " | ".join(n for n in notes if n),
        "source": winner["source"], "source_date": winner.get("source_date", ""),
        "source_incomplete": "true" if incomplete else "false",
    }, replaced
