#!/usr/bin/env python3
"""Write crates/sitrep-text/data/html_entities.tsv: the HTML5 named character references.

The table is Python's standard library `html.entities.html5` (the WHATWG list). One line per
name, sorted by the name's bytes: the name as written after `&` (with its `;`, or without it for
the legacy names HTML5 also reads bare, such as `amp` and `eacute`), a tab, and the code points
it stands for in hex, space-separated. Run from the repository root:

    python3 scripts/gen_html_entities.py
"""

import html.entities
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/sitrep-text/data/html_entities.tsv"


def main() -> None:
    rows = sorted(html.entities.html5.items(), key=lambda kv: kv[0].encode())
    lines = [
        "# HTML5 named character references, from Python's html.entities.html5 "
        "(scripts/gen_html_entities.py). name<TAB>code points (hex)"
    ]
    for name, text in rows:
        assert name.isascii() and "\t" not in name
        lines.append(name + "\t" + " ".join(f"{ord(c):X}" for c in text))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} entities -> {OUT}")


if __name__ == "__main__":
    main()
