"""Precision and recall of sealer's scanner on the labelled benchmark, next to detect-secrets.

Builds the benchmark first when asked (bench/scan_labels.py), then scans every
labelled file with sealer's engine and with detect-secrets 1.5 (default
plugins and filters, no network verification) in the same run, and scores
per line:

- recall: a true label (CredData T, CredSweeper expected finding, gitleaks
  `tps` string) is found when a finding starts on one of its lines;
- precision: each line holding a finding counts once (for detect-secrets, every
  occurrence its `scan.scan_file` yields, not one line per distinct secret);
  it is a true positive on a T-labelled line, a false positive on an
  F-labelled line, and not counted on X-labelled lines or on lines whose only
  true label is an identifier (UUID, bucket name: out of scope). Findings on lines nobody
  labelled are reported separately ("unlabelled") and in the strict
  precision, which counts them as false positives.

    python bench/scan_accuracy.py [--build] [--labelled DIR] [--no-detect-secrets] [--misses N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scan_labels
from sealer.scan import engine

Scanner = Callable[[Path], set[int]]  # file -> lines holding a finding


def sealer_lines(path: Path) -> set[int]:
    data = path.read_bytes()
    return {data.count(b"\n", 0, h.start) + 1 for h in engine.scan(data)}


def detect_secrets_scanner() -> Scanner:
    """detect-secrets' own per-file scan, every occurrence (its SecretsCollection keeps
    one line per distinct secret and file, which would undercount it per line)."""
    from detect_secrets.core import scan
    from detect_secrets.settings import default_settings

    def lines(path: Path) -> set[int]:
        with default_settings():
            return {s.line_number for s in scan.scan_file(str(path))}

    return lines


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    unlabelled: int = 0
    found: Counter[str] = field(default_factory=Counter)  # true labels found, by kind
    total: Counter[str] = field(default_factory=Counter)  # true labels, by kind
    fp_kind: Counter[str] = field(default_factory=Counter)
    misses: list[dict[str, object]] = field(default_factory=list)
    false_alarms: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def strict_precision(self) -> float:
        n = self.tp + self.fp + self.unlabelled
        return self.tp / n if n else 1.0

    @property
    def recall(self) -> float:
        n = sum(self.total.values())
        return sum(self.found.values()) / n if n else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def kind_recall(self, kind: str) -> float:
        return self.found[kind] / self.total[kind] if self.total[kind] else 1.0


def score(labelled: Path, labels: list[dict[str, object]], scanner: Scanner) -> Score:
    by_file: dict[str, list[dict[str, object]]] = defaultdict(list)
    for label in labels:
        by_file[str(label["file"])].append(label)
    s = Score()
    for rel, file_labels in by_file.items():
        t0 = time.perf_counter()
        hits = scanner(labelled / "files" / rel)
        s.seconds += time.perf_counter() - t0
        truth_at: dict[int, set[str]] = defaultdict(set)
        for label in file_labels:
            lines = range(int(str(label["start"])), int(str(label["end"])) + 1)
            for line in lines:
                truth_at[line].add(f"{label['truth']}:{label['kind']}")
            if label["truth"] == "T" and label["kind"] != "out-of-scope":
                kind = str(label["kind"])
                s.total[kind] += 1
                if hits.intersection(lines):
                    s.found[kind] += 1
                else:
                    s.misses.append(label)
        for line in hits:
            marks = truth_at.get(line, set())
            if any(m.startswith("T:") and m != "T:out-of-scope" for m in marks):
                s.tp += 1
            elif any(m.startswith(("X:", "T:")) for m in marks):
                continue
            elif marks:
                s.fp += 1
                s.fp_kind[next(iter(sorted(marks)))[2:]] += 1
                s.false_alarms.append((rel, line))
            else:
                s.unlabelled += 1
    return s


def row(name: str, s: Score) -> str:
    kinds = " | ".join(f"{s.kind_recall(k):.2f}" for k in scan_labels.KINDS)
    return (
        f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
        f"{s.strict_precision:.3f} | {s.tp} | {s.fp} | {s.unlabelled} | {kinds} | {s.seconds:.1f} |"
    )


def _line(labelled: Path, rel: str, n: int) -> str:
    lines = (labelled / "files" / rel).read_bytes().split(b"\n")
    return lines[n - 1][:160].decode("utf-8", "replace") if n <= len(lines) else ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--labelled", type=Path, default=Path("/work/corpus/scan/labelled"))
    ap.add_argument("--build", action="store_true", help="rebuild the benchmark first")
    ap.add_argument("--no-detect-secrets", action="store_true")
    ap.add_argument(
        "--source", help="only labels from this source (creddata, credsweeper, gitleaks)"
    )
    ap.add_argument("--misses", type=int, default=0, help="print this many misses and false alarms")
    args = ap.parse_args(argv)
    if args.build:
        scan_labels.main(["--out", str(args.labelled)])
    labels = [json.loads(x) for x in (args.labelled / "labels.jsonl").read_text().splitlines()]
    if args.source:
        labels = [x for x in labels if x["source"] == args.source]
    totals = Counter(
        str(x["kind"]) for x in labels if x["truth"] == "T" and x["kind"] != "out-of-scope"
    )
    print(f"{len({x['file'] for x in labels})} files, true labels by kind: {dict(totals)}")
    print(
        "| tool | precision | recall | F1 | strict precision | TP lines | FP lines | unlabelled | "
        + " | ".join(f"recall {k}" for k in scan_labels.KINDS)
        + " | seconds |"
    )
    print("|---" * (9 + len(scan_labels.KINDS)) + "|")
    results = {"sealer": score(args.labelled, labels, sealer_lines)}
    print(row("sealer", results["sealer"]))
    if not args.no_detect_secrets:
        results["detect-secrets 1.5"] = score(args.labelled, labels, detect_secrets_scanner())
        print(row("detect-secrets 1.5", results["detect-secrets 1.5"]))
        ratio = results["detect-secrets 1.5"].seconds / max(results["sealer"].seconds, 1e-9)
        print(f"sealer is {ratio:.0f}x faster than detect-secrets on these files")
    s = results["sealer"]
    for label in s.misses[: args.misses]:
        text = _line(args.labelled, str(label["file"]), int(str(label["start"])))
        print(f"MISS {label['kind']} {label['category']} {label['file']}:{label['start']}: {text}")
    for rel, line in s.false_alarms[: args.misses]:
        print(f"FALSE {rel}:{line}: {_line(args.labelled, rel, line)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
