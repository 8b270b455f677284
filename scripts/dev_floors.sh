#!/usr/bin/env bash
# Dev-set floors: the learned stages' scores on ../shared/data must not fall below what was
# measured when they landed (a few points of slack). Run by .ci/run after the tests, with the
# release binary built. Skips, saying so, when ../shared/data is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
bin=target/release/sitrep
if [ ! -d "$data" ]; then
  echo "dev floors: SKIPPED (../shared/data absent)"
  exit 0
fi
fail=0
# floor NAME VALUE MIN: fails when VALUE < MIN.
floor() {
  if python3 -c "import sys; sys.exit(0 if float('$2') >= float('$3') else 1)"; then
    echo "dev floor ok:   $1 = $2 (floor $3)"
  else
    echo "dev floor FAIL: $1 = $2 (floor $3)"
    fail=1
  fi
}
# eval_field FILE EXPR: one figure of `sitrep eval --json` on a dev file (EXPR indexes the JSON).
eval_field() {
  "$bin" eval --json --gold "$data/$1" | python3 -c "import json,sys; s=json.load(sys.stdin); print($2)"
}

# Stages append their floors below.

# Geoparsing (issue 16): toponyms resolved on GeoWebNews, end to end (measured 87.3 % within
# 161 km since country points moved towards GeoNames' (76.8 % before), and 88.6 % the same
# GeoNames id, of the recognised names that match gold; 89.4 % and 90.2 % with datelines,
# continents and places inside names read by the ranker), and place-name recall and precision
# (measured 80.2 and 91.8 with datelines, continents, places inside organisations' names and
# hyphenated words; 71.4 and 90.1 before; 85.1 and 90.4 with learned LOC/FAC from silver labels,
# organisations named where a place is, and a union's or continent's demonym as its place).
# With the readings of adjacent names in the ranker ("X, Y", "X (Y)"): 90.3 % and 91.5 %.
floor "gwn acc@161" "$(eval_field gwn.dev.jsonl "100*s['acc161']['hits']/max(1,s['acc161']['total'])")" 88
# Of ALL annotated names (a name missed or left without coordinates counts wrong): measured
# 72.8 % before, 73.9 % with "St." names looked up whole and a listed name the gazetteer lacks
# read by the place inside it where the learned gate (models/geo_gate.slm) keeps that reading.
floor "gwn all names within 161 km" "$(eval_field gwn.dev.jsonl "100*s['acc161']['hits']/max(1,s['toponyms']['gold'])")" 72
# (GeoNames id 92.2 % with places inside names and world regions.)
floor "gwn geonames id" "$(eval_field gwn.dev.jsonl "100*s['geonames_id']['hits']/max(1,s['geonames_id']['total'])")" 90
floor "gwn toponym recall" "$(eval_field gwn.dev.jsonl "100*s['toponyms']['matched']/max(1,s['toponyms']['gold'])")" 82
floor "gwn toponym precision" "$(eval_field gwn.dev.jsonl "100*s['toponyms']['matched']/max(1,s['toponyms']['predicted'])")" 89

# Named-entity recognition (issue 13): place-name recognition F1 on GeoWebNews (measured 79.0
# when the learned tagger landed, 79.2 with the Viterbi tagger, 85.6 with datelines, continents
# and places inside names, 87.7 with LOC/FAC learnt from silver labels; 47.4 before), and the committed
# tagger's exact-span F1 on ner/dev.jsonl (measured 79.2 greedy, 85.7 Viterbi with word classes
# and document evidence, 84.6 with LOC/FAC (read as GPE against GMB's labels) from silver labels,
# 85.3 with the teacher trusted for places only and no titled organisation learnt as a person;
# `sitrep train ner --eval-only` scores it in a few seconds).
floor "gwn toponym F1" "$(eval_field gwn.dev.jsonl "(lambda t: 200*t['matched']/max(1,t['predicted']+t['gold']))(s['toponyms'])")" 85
# Resolution alone, given GeoWebNews' gold spans (`sitrep geoparse --score`): measured 75.1 %
# (72.1 % before adjectives of continents and unions named for one resolved to the continent;
# 75.8 % with a demonym inside a hyphenated word and the other names' country votes; 79.3 % with a
# name that has no record read by the place inside it, and oceans and world regions as candidates).
floor "gwn geoparse acc@161 given spans" "$("$bin" geoparse --score "$data/gwn.dev.jsonl" 2>&1 >/dev/null | sed -n 's/.*acc@161 \([0-9.]*\)%.*/\1/p')" 77
# The ranker's 5-fold CV on ACLED's location names given in the notes (`sitrep train geo
# --dry-run`): measured 72.0 % within 161 km (65.3 % before "City - District" and "X (Y)" names).
floor "acled geo cv acc@161" "$("$bin" train geo --dry-run --data "$data" 2>/dev/null | awk '/^5-fold/ {d=1} d && !done && $1=="acled" && $2=="all" {sub("%","",$4); print $4; done=1}')" 70
floor "ner dev F1" "$("$bin" train ner --eval-only --data "$data" | awk '/^all \(micro\)/ {print $5}')" 84

# Speakers (issue 13): quote F1 and speaker accuracy on PolNeAR. `sitrep eval` scores the whole
# file, whose train compartment the model learnt from (measured 97.3 and 93.6 %); `sitrep train
# speakers --dry-run` scores the dev compartment with a model trained on train only (measured
# 95.0 and 86.7 %, cross-validated on train 86.4 %; 35.6 % before the learned ranker; 95.1 and
# 87.3 %, CV 86.8 %, with antecedent features backed off to the anaphor's class).
floor "polnear quote F1" "$(eval_field polnear.dev.jsonl "(lambda t: 200*t['matched']/max(1,t['predicted']+t['gold']))(s['quotes'])")" 94
floor "polnear speaker accuracy" "$(eval_field polnear.dev.jsonl "100*s['speaker']['hits']/max(1,s['speaker']['total'])")" 91
speakers_dev="$("$bin" train speakers --dry-run --data "$data" 2>/dev/null | awk '/^== PolNeAR dev/ {d=1} d')"
floor "polnear dev quote F1 (held out)" "$(echo "$speakers_dev" | awk '/^quotes/ {print $7; exit}')" 93
floor "polnear dev speaker accuracy (held out)" "$(echo "$speakers_dev" | awk '/speaker accuracy/ {sub("%", "", $3); print $3; exit}')" 85

# Reported speech (issue 13 item 3): indirect quotes against PolNeAR's attributions that hold no
# quotation, on the dev compartment (which the cue model and the speaker ranking did not learn
# from): content F1 measured 69.5 (P 72.2, R 66.9) and speaker accuracy 80.2 % (5-fold
# cross-validated on train, `sitrep train speakers`: 81.7 %); the cue model's cue-word F1,
# 5-fold cross-validated on train at the bias it chooses, 59.6. Speaker accuracy 81.7 % (CV 81.7 %)
# once a role between an affiliation and a name joins them ("X campaign spokesman Y").
floor "polnear dev indirect F1" "$(eval_field polnear.dev.jsonl "(lambda t: 200*t['matched']/max(1,t['predicted']+t['gold']))(s['indirect']['dev'])")" 67
floor "polnear dev indirect speaker accuracy" "$(eval_field polnear.dev.jsonl "100*s['indirect']['dev_speaker']['hits']/max(1,s['indirect']['dev_speaker']['total'])")" 79.5
floor "cues cv cue-word F1" "$("$bin" train cues --dry-run --data "$data" 2>/dev/null | awk '/best bias/ {for (i=1;i<=NF;i++) if ($i=="F1") {print $(i+1); exit}}')" 57

# Event typing (issue 15): the typer's cross-validated family macro recall on ACLED's notes (5
# folds grouped by country; measured 82.3 with names read by their kind, word classes, dropout
# and an average of 5 perceptrons (77.7 before them in the same tree), 78.4 with class
# balancing, 77.5 before, 65.6 for the trigger lexicon alone), and end to end on
# ACLED's notes (records with an event: 98.6 %; family macro 84.8 % and fatalities exact 75.6 %,
# on notes the model was trained on), PLOVER's sentences (CAMEO root 64 %) and our own example
# reports (events F1 80.0). Full class balancing of the typer's training: cv 82.7 -> 83.8.
# Every word also read by its meaning class (models/meanings.tsv): 83.4 -> 84.2 (type by family
# 79.8 -> 80.9).
floor "events cv family" "$("$bin" train events --dry-run --data "$data" | awk '/^cv family macro recall/ {sub(";", "", $5); print $5}')" 83
floor "acled detected" "$(eval_field acled-2022.dev.jsonl "100*s['records']['detected']['hits']/max(1,s['records']['detected']['total'])")" 96
floor "acled family macro" "$(eval_field acled-2022.dev.jsonl "100*s['records']['family_macro']")" 82
# Fatalities exact measured 86.6 % (75.8 % before) once figures read victims without numbers,
# long subjects, ranges and ACLED's shares ("2 fatalities spread across two events": 1).
floor "acled fatalities exact" "$(eval_field acled-2022.dev.jsonl "100*s['records']['fatalities_exact']['hits']/max(1,s['records']['fatalities_exact']['total'])")" 84
floor "plover cameo root" "$(eval_field plover-gsr.dev.jsonl "100*s['records']['cameo_root']['hits']/max(1,s['records']['cameo_root']['total'])")" 58
floor "reports events F1" "$("$bin" eval --json --gold examples/gold/reports.gold.jsonl | python3 -c "import json,sys; e=json.load(sys.stdin)['events']; print(200*e['matched']/max(1,e['predicted']+e['gold']))")" 75
# Events written that are real events of our news reports (issue 15, news side: background tolls,
# acts the typer reads as no event, acts months old, a claim's toll and "the strike" told again;
# measured 77.9 -> 81.5 with the typer of that commit).
floor "reports events precision" "$("$bin" eval --json --gold examples/gold/reports.gold.jsonl | python3 -c "import json,sys; e=json.load(sys.stdin)['events']; print(100*e['matched']/max(1,e['predicted']))")" 72

# Actor types (issue 15 item 5): ACLED's inter code of an initiator of a note's first event, 5
# folds grouped by country (measured 72.9 % with the type model alone, 79.0 % with the default-
# initiator model, whose folds are not held out: about 75 % honest; the name rule it replaced
# 66.7 %), and of matched events on ACLED's notes, which the models learnt from (measured 88.1 %).
floor "actors cv initiator kind" "$("$bin" train actors --dry-run --data "$data" | awk '/^5-fold/ {d=1} d && !done && /initiator kind/ {sub("%", "", $7); print $7; done=1}')" 76
floor "acled initiator kind" "$(eval_field acled-2022.dev.jsonl "100*s['initiator_kind']['hits']/max(1,s['initiator_kind']['total'])")" 86

# Event sites (issue 15/16): an event told without a place of its own takes the note's place a
# ranking model prefers to none (`sitrep train sites`); ACLED location within 25 km measured
# 75.5 % (71.5 % before; the site model's 5-fold CV grouped by country 51.5 % on notes whose
# first event has no place, 48.0 % for "the first place"; 56.1 % when the best place is always
# taken, never "no site", as the extractor now does; 76.1 % end to end with continents no sites).
floor "acled location 25 km" "$(eval_field acled-2022.dev.jsonl "100*s['records']['location_25km']['hits']/max(1,s['records']['location_25km']['total'])")" 74

exit $fail
