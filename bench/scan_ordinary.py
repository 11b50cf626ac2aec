"""Findings on ordinary code: how many times the scanner speaks on a tree with no leaks.

Scans every file under each given directory the way `sealer scan` reads one
(`sources.read_file`: its size limit, git's binary test) with sealer's engine, one file
at a time, and prints each finding as `path:line rule redacted`, then the number of
text files and findings. The findings are for a person to review: on a tree such as a
virtualenv's site-packages most should be real literal credentials in tests, examples
and docs, and each new one is a false alarm until someone has read it.

    python bench/scan_ordinary.py [DIR ...]   (default: this interpreter's site-packages)
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sealer.scan import engine, sources


def files_under(root: Path) -> list[Path]:
    """Regular files under root (symlinks left out), in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    args = parser.parse_args()
    dirs = args.dirs or [Path(sysconfig.get_paths()["purelib"])]
    files = findings = 0
    for root in dirs:
        for path in files_under(root):
            item = sources.read_file(os.fspath(path), sources.DEFAULT_MAX_SIZE)
            if item is None or item.data is None:
                continue  # binary, too large or unreadable: `sealer scan` skips it too
            files += 1
            for hit in engine.scan(item.data):
                findings += 1
                line = item.data.count(b"\n", 0, hit.start) + 1
                print(f"{path.relative_to(root)}:{line} {hit.rule.id} {hit.redacted()}")
    print(f"{files} text files, {findings} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
