#!/usr/bin/env python3
"""Validate data/actors.tsv, the actor dictionary.

Usage:
    python3 scripts/check_actors.py [PATH]     (default: <repo>/data/actors.tsv)

Exits 0 when the file is valid, 1 otherwise, and prints every problem found.
Standard library only.

The file is tab-separated UTF-8 with one header line:

    id  kind  country  canonical  aliases  demonyms  capital

  id         unique; a state's id is its ISO 3166-1 alpha-2 code in lower case
             ("ua"); any other row has a snake_case id of 3+ characters.
  kind       state | military | armed_group | organisation | government_body
  country    ISO 3166-1 alpha-2 in upper case (XK for Kosovo, PS for
             Palestine), or empty for international organisations and
             transnational groups. A state's country is its own code.
  canonical  the common English name.
  aliases    `|`-joined other names, abbreviations and metonyms (may be empty).
  demonyms   `|`-joined adjectives / nouns for the people (states only).
  capital    the capital as English news writes it (states only).

Every surface form (canonical, aliases, demonyms, capital) must point to one
row only, compared exactly (case matters: "IS" is not "is", "WHO" is not
"who"). A form may repeat inside one row (Myanmar's demonym "Myanmar"). A form
shared by several rows on purpose must be listed in DELIBERATELY_SHARED below
with exactly the ids that share it; an extractor should treat it as ambiguous
and let context decide. Forms that differ only by case between rows are
reported as warnings.

The extractor (crates/sitrep-extract/src/lexicon.rs) looks forms up by a key:
each word lower-cased unless it is all capitals (2+ letters: "RSF", "IS"
keep their case), and a leading "the" dropped; the first row to claim a key
wins. Forms of different rows that meet on that key are errors too, because
the later row would silently never match.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

HEADER = ["id", "kind", "country", "canonical", "aliases", "demonyms", "capital"]
KINDS = {"state", "military", "armed_group", "organisation", "government_body"}

# form -> the ids that share it on purpose
DELIBERATELY_SHARED: dict[str, set[str]] = {
    # Syrian National Army (Turkish-backed, Syria) vs Somali National Army.
    "SNA": {"syrian_national_army", "somali_national_army"},
}

# Every UN member state plus the four non-members the dictionary must carry.
UN_MEMBERS = set("""
AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG
BF BI CV KH CM CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM DO EC
EG SV GQ ER EE SZ ET FJ FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN
ID IR IQ IE IL IT JM JP JO KZ KE KI KW KG LA LV LB LS LR LY LI LT LU MG MW MY
MV ML MT MH MR MU MX FM MC MN ME MA MZ MM NA NR NP NL NZ NI NE NG MK NO OM PK
PW PA PG PY PE PH PL PT QA KR MD RO RU RW KN LC VC WS SM ST SA SN RS SC SL SG
SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TH TL TG TO TT TN TR TM TV UG UA AE
GB TZ US UY UZ VU VE VN YE ZM ZW
""".split())
EXTRA_STATES = {"PS", "XK", "TW", "EH"}
REQUIRED_STATES = UN_MEMBERS | EXTRA_STATES

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CC_RE = re.compile(r"^[A-Z]{2}$")


def extractor_key(form: str) -> str:
    """Approximate the extractor's lookup key (see the module docstring)."""
    words = []
    for w in form.split():
        letters = [c for c in w if c.isalpha()]
        words.append(w if len(letters) >= 2 and all(c.isupper() for c in letters) else w.lower())
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def main() -> int:
    repo = Path(__file__).resolve().parent.parent
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "data" / "actors.tsv"
    errors: list[str] = []
    warnings: list[str] = []

    raw = path.read_bytes()
    if b"\r" in raw:
        errors.append("file contains CR characters; use \\n line ends")
    if not raw.endswith(b"\n"):
        errors.append("file does not end with a newline")
    lines = raw.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != HEADER:
        errors.append(f"header must be: {' '.join(HEADER)}")

    # known country codes: the gazetteer's list when present, else the states here
    known_cc = set(REQUIRED_STATES)
    ctsv = repo / "data" / "gazetteer" / "countries.tsv"
    if ctsv.is_file():
        for ln in ctsv.read_text(encoding="utf-8").splitlines()[1:]:
            known_cc.add(ln.split("\t", 1)[0])

    ids: dict[str, int] = {}
    forms: dict[str, set[str]] = defaultdict(set)  # form -> ids
    state_ccs: set[str] = set()
    kinds: dict[str, int] = defaultdict(int)

    for n, line in enumerate(lines[1:], start=2):
        f = line.split("\t")
        if len(f) != len(HEADER):
            errors.append(f"line {n}: {len(f)} fields, want {len(HEADER)}")
            continue
        rid, kind, cc, canonical, aliases, demonyms, capital = f
        where = f"line {n} ({rid})"
        for name, v in zip(HEADER, f):
            if v != v.strip():
                errors.append(f"{where}: {name} has leading/trailing spaces")
        if not ID_RE.match(rid):
            errors.append(f"{where}: bad id")
        if rid in ids:
            errors.append(f"{where}: duplicate id, first on line {ids[rid]}")
        ids[rid] = n
        if kind not in KINDS:
            errors.append(f"{where}: bad kind {kind!r}")
        kinds[kind] += 1
        if cc and (not CC_RE.match(cc) or cc not in known_cc):
            errors.append(f"{where}: unknown country code {cc!r}")
        if not canonical:
            errors.append(f"{where}: empty canonical")
        if "|" in canonical or "|" in capital:
            errors.append(f"{where}: '|' in canonical or capital")
        if kind == "state":
            if rid != cc.lower() or len(rid) != 2:
                errors.append(f"{where}: a state's id must be its lower-case country code")
            if cc in state_ccs:
                errors.append(f"{where}: second state row for {cc}")
            state_ccs.add(cc)
            if not capital:
                errors.append(f"{where}: state without capital")
        else:
            if len(rid) < 3:
                errors.append(f"{where}: non-state ids need 3+ characters")
            if demonyms or capital:
                errors.append(f"{where}: demonyms/capital are for states only")
        row_forms = [canonical, capital]
        for col, val in (("aliases", aliases), ("demonyms", demonyms)):
            if not val:
                continue
            items = val.split("|")
            if any(not i or i != i.strip() for i in items):
                errors.append(f"{where}: empty or padded item in {col}")
            if len(set(items)) != len(items):
                errors.append(f"{where}: repeated item in {col}")
            row_forms.extend(items)
        for form in set(x for x in row_forms if x):
            forms[form].add(rid)

    missing = REQUIRED_STATES - state_ccs
    if missing:
        errors.append(f"missing state rows: {' '.join(sorted(missing))}")
    extra = state_ccs - REQUIRED_STATES
    if extra:
        warnings.append(f"state rows beyond UN members + PS XK TW EH: {' '.join(sorted(extra))}")

    collisions = 0
    for form, owners in sorted(forms.items()):
        if len(owners) < 2:
            continue
        allowed = DELIBERATELY_SHARED.get(form)
        if allowed == owners:
            print(f"shared on purpose: {form!r} -> {', '.join(sorted(owners))}")
            continue
        collisions += 1
        errors.append(f"collision: {form!r} used by {', '.join(sorted(owners))}")
    for form, allowed in DELIBERATELY_SHARED.items():
        if forms.get(form, set()) != allowed:
            errors.append(f"DELIBERATELY_SHARED {form!r} lists {sorted(allowed)}, "
                          f"file has {sorted(forms.get(form, set()))}")

    keyed: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for form, owners in forms.items():
        keyed[extractor_key(form)].update((form, o) for o in owners)
    for key, pairs in sorted(keyed.items()):
        owners = {o for _, o in pairs}
        if len(owners) > 1 and len({s for s, _ in pairs}) > 1:
            collisions += 1
            errors.append(f"collision on extractor key {key!r}: "
                          + ", ".join(f"{s!r}->{o}" for s, o in sorted(pairs)))

    folded: dict[str, set[str]] = defaultdict(set)
    for form, owners in forms.items():
        folded[form.casefold()].update((form, o) for o in owners)
    for key, pairs in sorted(folded.items()):
        owners = {o for _, o in pairs}
        spellings = {s for s, _ in pairs}
        if len(owners) > 1 and len(spellings) > 1:
            warnings.append(f"case-only difference across rows: "
                            + ", ".join(f"{s!r}->{o}" for s, o in sorted(pairs)))

    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    total = len(lines) - 1
    print(f"{path}: {total} rows ("
          + ", ".join(f"{k} {kinds[k]}" for k in sorted(kinds)) + f"), "
          f"{len(forms)} distinct surface forms, {collisions} unresolved collisions, "
          f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
