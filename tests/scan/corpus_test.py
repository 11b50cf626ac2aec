"""Precision and recall on the labelled corpus (tests/scan/corpus.py).

The figures reached are recorded in tests/scan/corpus_figures.json; the suite
fails if either drops below its recorded value. A rule change that improves
them should raise the record (the numbers are deterministic: fixed seeds).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sealer.scan import engine
from tests.scan import corpus

FIGURES = Path(__file__).with_name("corpus_figures.json")


def scan_lines(data: bytes) -> list[tuple[int, str]]:
    return [(data.count(b"\n", 0, h.start) + 1, h.rule.id) for h in engine.scan(data)]


def test_precision_and_recall_do_not_drop_below_the_record() -> None:
    recorded = json.loads(FIGURES.read_text())
    total = corpus.Score()
    for seed in recorded["seeds"]:
        score = corpus.evaluate(corpus.build(seed), scan_lines)
        total.tp += score.tp
        total.fp += score.fp
        total.fn += score.fn
        total.missed += score.missed
        total.false_alarms += score.false_alarms
    report = (
        f"precision {total.precision:.4f} recall {total.recall:.4f} "
        f"(tp {total.tp}, fp {total.fp}, fn {total.fn})\n"
        + "".join(f"missed {i.kind}: {i.text[:60]!r}\n" for i in total.missed[:10])
        + "".join(f"false alarm {r} on {i.kind} line\n" for i, r in total.false_alarms[:10])
    )
    print(report)
    assert total.tp + total.fn == recorded["positives"], report
    assert total.precision >= recorded["precision"], report
    assert total.recall >= recorded["recall"], report
    assert recorded["precision"] >= 0.95 and recorded["recall"] >= 0.95


def test_corpus_has_positives_of_every_rule_and_every_hard_negative_kind() -> None:
    files = corpus.build(1)
    kinds = {(i.positive, i.kind) for f in files for i in f.items}
    from sealer.scan.rules import BY_ID

    assert {k for p, k in kinds if p} == set(BY_ID)
    assert {k for p, k in kinds if not p} >= {
        "hash", "uuid", "image", "sealed", "placeholder", "code", "public-key", "filler",
    }  # fmt: skip


def test_labelled_negatives_outnumber_positives() -> None:
    items = [i for f in corpus.build(1) for i in f.items]
    positives = sum(i.positive for i in items)
    assert positives >= 350
    assert len(items) - positives >= 3 * positives


# made by real key generation and real sealing: fresh bytes every run, by design
_FRESH_KINDS = ("private-key", "private-key-der", "private-key-encoded-pem", "public-key", "sealed")
_DIGEST = f"""
import hashlib
from tests.scan import corpus
h = hashlib.sha256()
for f in corpus.build(1):
    for i in f.items:
        text = "" if i.kind in {_FRESH_KINDS!r} else i.text
        h.update(repr((f.name, i.positive, i.kind, text)).encode())
print(h.hexdigest())
"""


def test_the_corpus_is_the_same_in_every_interpreter() -> None:
    """The record is only comparable if every run scores the same data: two fresh
    interpreters (each with its own addresses and hash seed) build the same corpus,
    all but the keys and sealed files, which are generated anew each time."""
    root = Path(__file__).parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", _DIGEST], cwd=root, capture_output=True, check=True, text=True
        ).stdout
        for _ in range(2)
    }
    assert len(digests) == 1 and len(next(iter(digests)).strip()) == 64
