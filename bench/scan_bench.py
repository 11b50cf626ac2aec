"""`sealer scan` against detect-secrets on the same generated 10 MB source tree.

Run from the repository root: `python bench/scan_bench.py [--size MB] [--keep DIR]`.
The tree (Python, JavaScript, Go, YAML, JSON, Markdown, .env, a lockfile, go.sum,
a minified bundle, CSS with a base64 image) is generated in a temp directory
with a fixed seed, with fake secrets planted in it. sealer runs as a user runs
it (a subprocess, start-up included, best of 3); detect-secrets 1.5 runs as a
library with its default plugins and filters (no network verification), one
file at a time in this process. Both are timed in the same run; the script
prints both times, the ratio, and how many planted secrets each found.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.scan.fakes import Fakes  # noqa: E402 - the repo root is added above

# fmt: off
WORDS = [
    "user", "account", "order", "item", "price", "total", "cache", "client", "request",
    "response", "handler", "config", "value", "index", "result", "error", "message", "status",
    "field", "record", "query", "session", "event", "stream", "buffer", "parser", "render",
    "update", "delete", "create", "fetch", "load", "save", "parse", "build", "token", "secret",
    "password", "key", "auth",
]
# fmt: on


def ident(r: random.Random) -> str:
    return "_".join(r.choice(WORDS) for _ in range(r.randint(1, 3)))


def camel(r: random.Random) -> str:
    parts = [r.choice(WORDS) for _ in range(r.randint(1, 3))]
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def py_line(r: random.Random, f: Fakes) -> str:
    k = r.random()
    if k < 0.05:
        return f'    {ident(r)}_checksum = "{f.hex(40)}"'
    if k < 0.08:
        return f'    {ident(r)} = "{f.uuid()}"'
    if k < 0.15:
        return f"def {ident(r)}({ident(r)}, {ident(r)}={r.randint(0, 99)}):"
    if k < 0.22:
        return f"    # {' '.join(r.choice(WORDS) for _ in range(r.randint(4, 12)))}"
    if k < 0.30:
        return f'    logger.info("{" ".join(r.choice(WORDS) for _ in range(5))} %s", {ident(r)})'
    if k < 0.36:
        return f"    {ident(r)} = self.{ident(r)}.get({ident(r)!r})"
    return f"    {ident(r)} = {ident(r)}({ident(r)}, {r.randint(0, 1000)})"


def js_line(r: random.Random, f: Fakes) -> str:
    k = r.random()
    if k < 0.05:
        return f'  const {camel(r)}Hash = "{f.hex(64)}";'
    if k < 0.15:
        return f"export function {camel(r)}({camel(r)}, {camel(r)}) {{"
    if k < 0.25:
        return f"  // {' '.join(r.choice(WORDS) for _ in range(r.randint(4, 12)))}"
    return f"  const {camel(r)} = await {camel(r)}.{camel(r)}({camel(r)});"


def go_line(r: random.Random, f: Fakes) -> str:
    k = r.random()
    if k < 0.1:
        return f"func {camel(r).capitalize()}({camel(r)} string) error {{"
    if k < 0.2:
        return "\tif err != nil {\n\t\treturn err\n\t}"
    return f"\t{camel(r)} := {camel(r)}.{camel(r).capitalize()}({camel(r)})"


def yaml_line(r: random.Random, f: Fakes) -> str:
    k = r.random()
    if k < 0.1:
        return f"  image: registry.internal/{ident(r)}@sha256:{f.hex(64)}"
    return f"{'  ' * r.randint(0, 3)}{ident(r)}: {r.choice([str(r.randint(0, 9999)), ident(r)])}"


def md_line(r: random.Random, f: Fakes) -> str:
    return " ".join(r.choice(WORDS) for _ in range(r.randint(6, 16))) + "."


def lockfile(r: random.Random, f: Fakes, n: int) -> str:
    out = ['{\n  "lockfileVersion": 3,\n  "packages": {']
    for i in range(n):
        name = f"{ident(r)}-{i}"
        out.append(
            f'    "node_modules/{name}": {{\n      "version": "1.{i % 20}.{i % 7}",\n'
            f'      "resolved": "https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",\n'
            f'      "integrity": "sha512-{f.b64(64)}"\n    }},'
        )
    out.append("  }\n}")
    return "\n".join(out)


PLANTS = [
    lambda f: f'GITHUB_TOKEN = "{f.github()}"',
    lambda f: f"aws_access_key_id = {f.aws_key_id()}",
    lambda f: f"aws_secret_access_key = {f.aws_secret()}",
    lambda f: f'  "stripe_key": "{f.stripe()}",',
    lambda f: f"SLACK_BOT_TOKEN={f.slack()}",
    lambda f: f'db_password = "{f.password()}"',
    lambda f: f'client_secret: "{f.random_token()}"',
    lambda f: f'jwt = "{f.jwt()}"',
    lambda f: f"DATABASE_URL=postgres://app:{f.uri_password()}@db:5432/app",
    lambda f: f'  api_key: "{f.google()}"',
]


def generate(root: Path, size: int, seed: int = 7) -> list[str]:
    """Write the tree; returns the planted secret lines' markers (path:line)."""
    r = random.Random(seed)
    f = Fakes(seed)
    kinds = [
        ("src/app/m{}.py", py_line, 60),
        ("web/src/c{}.js", js_line, 25),
        ("svc/p{}.go", go_line, 15),
        ("deploy/k{}.yaml", yaml_line, 10),
        ("docs/d{}.md", md_line, 10),
    ]
    total = 0
    planted: list[str] = []
    (root / "web").mkdir(parents=True)
    text = lockfile(r, f, 4000)
    (root / "web" / "package-lock.json").write_text(text)
    total += len(text)
    go_sum = "\n".join(
        f"github.com/{ident(r)}/{ident(r)} v1.{i}.0 h1:{f.b64(32)}" for i in range(3000)
    )
    (root / "go.sum").write_text(go_sum + "\n")
    total += len(go_sum)
    bundle = ";".join(
        f"var {r.choice(string.ascii_letters)}{i}=function(t){{return t.{camel(r)}}}"
        for i in range(8000)
    )
    (root / "web" / "bundle.min.js").write_text(bundle)
    total += len(bundle)
    css = f".logo{{background:url(data:image/png;base64,{f.b64(150_000)})}}\n"
    (root / "web" / "site.css").write_text(css)
    total += len(css)
    i = 0
    while total < size:
        pattern, make, _ = r.choices(kinds, weights=[k[2] for k in kinds])[0]
        path = root / pattern.format(i)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [make(r, f) for _ in range(r.randint(150, 600))]
        if i % 40 == 7:
            at = r.randrange(len(lines))
            lines.insert(at, PLANTS[(i // 40) % len(PLANTS)](f))
            planted.append(
                f"{path.relative_to(root)}:{sum(ln.count(chr(10)) + 1 for ln in lines[:at]) + 1}"
            )
        text = "\n".join(lines) + "\n"
        path.write_text(text)
        total += len(text)
        i += 1
    return planted


def tree_files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


def run_sealer(root: Path) -> tuple[float, set[str]]:
    best = float("inf")
    found: set[str] = set()
    for _ in range(3):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "sealer", "scan", "--json", "."],
            cwd=root,
            capture_output=True,
        )
        best = min(best, time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"sealer scan failed:\n{proc.stderr.decode()}")
        found = {f"{x['path']}:{x['line']}" for x in json.loads(proc.stdout)["findings"]}
    return best, found


def run_detect_secrets(root: Path) -> tuple[float, set[str]]:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    files = tree_files(root)
    start = time.perf_counter()
    with default_settings():
        collection = SecretsCollection(root=str(root))
        for name in files:
            collection.scan_file(name)
    elapsed = time.perf_counter() - start
    found = set()
    for filename, secret in collection:
        found.add(
            f"{os.path.relpath(os.path.join(str(root), filename), root)}:{secret.line_number}"
        )
    return elapsed, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=10.0, help="tree size in MB")
    parser.add_argument("--keep", metavar="DIR", help="generate the tree here and keep it")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="scan-bench-"))
    try:
        if root.exists() and any(root.iterdir()):
            raise SystemExit(f"{root} is not empty")
        planted = set(generate(root, int(args.size * 1_000_000)))
        files = tree_files(root)
        mb = sum(os.path.getsize(p) for p in files) / 1e6
        print(f"tree: {len(files)} files, {mb:.1f} MB, {len(planted)} planted secrets")
        t_sealer, f_sealer = run_sealer(root)
        hits = len(planted & f_sealer)
        print(f"sealer scan:     {t_sealer:7.2f} s  {mb / t_sealer:6.1f} MB/s  ", end="")
        print(f"{len(f_sealer)} findings, {hits}/{len(planted)} planted")
        t_ds, f_ds = run_detect_secrets(root)
        hits = len(planted & f_ds)
        print(f"detect-secrets:  {t_ds:7.2f} s  {mb / t_ds:6.1f} MB/s  ", end="")
        print(f"{len(f_ds)} findings, {hits}/{len(planted)} planted")
        print(f"ratio: sealer is {t_ds / t_sealer:.1f}x faster than detect-secrets")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
