"""Every module of the package loads on its own.

Annotations are evaluated when a module loads unless the module postpones them, so a type
imported only for type checking can make a module fail to load while mypy, which reads the
annotation, is content. Commands import most modules lazily, inside the function that needs
them, so such a failure would otherwise show only when that command runs.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sealer


def test_every_module_loads_in_a_fresh_interpreter() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(sealer.__path__, "sealer.")
        if not m.name.endswith(".__main__")
    ]
    assert len(names) > 100
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    for name in names:  # one interpreter per module: each must load without the others' help
        proc = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True)
        assert proc.returncode == 0, f"{name} does not load:\n{proc.stderr}"
