"""Findings on ordinary code: how many times the scanner speaks on a tree with no leaks.

Scans every text file under each given directory with sealer's engine, one file at a
time (as `sealer scan` does), and prints each finding as `path:line rule redacted`,
then the number of files and findings. The findings are for a person to review: on a
tree such as a virtualenv's site-packages most should be real literal credentials in
tests, examples and docs, and each new one is a false alarm until someone has read it.

    python bench/scan_ordinary.py [DIR ...]   (default: this interpreter's site-packages)
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sealer.scan import engine

_MAX_BYTES = 10 * 1024 * 1024  # `sealer scan`'s own limit for one file


def text_files(root: Path) -> list[Path]:
    """Regular files under root, in a stable order, that are not binary (no NUL byte in
    their first 8 KB, git's own test)."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.stat().st_size > _MAX_BYTES:
            continue
        with path.open("rb") as f:
            if b"\0" in f.read(8192):
                continue
        found.append(path)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    args = parser.parse_args()
    dirs = args.dirs or [Path(sysconfig.get_paths()["purelib"])]
    files = findings = 0
    for root in dirs:
        for path in text_files(root):
            files += 1
            data = path.read_bytes()
            for hit in engine.scan(data):
                findings += 1
                line = data.count(b"\n", 0, hit.start) + 1
                print(f"{path.relative_to(root)}:{line} {hit.rule.id} {hit.redacted()}")
    print(f"{files} text files, {findings} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
