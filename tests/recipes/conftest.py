"""Fixtures for the recipe tests: a copy of a recipe with its files sealed by a fresh key."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy.conftest import seal_file
from tests.helpers import REPO, AgeKey

RECIPES = REPO / "recipes"
COMMON = RECIPES / "common"
PASSWORD = "correct horse battery staple"

Recipe = Callable[[str], Path]


@pytest.fixture
def recipe(tmp_path: Path) -> Recipe:
    """recipe(name) -> a private copy of recipes/<name> to run it in."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(RECIPES / name, target)
        return target

    return copy


def seal_as_recipe_says(path: Path, key: AgeKey, fmt_name: str | None = None) -> Path:
    """Seal a recipe's example plaintext in place for `key`."""
    return seal_file(path, path.read_text(), key.recipient, fmt_name)


def use_rules_for(directory: Path, key: AgeKey) -> None:
    """Put the test key into a recipe's .sealer.yaml, as its README tells a user to."""
    rules = directory / ".sealer.yaml"
    rules.write_text(rules.read_text().replace("age1REPLACE-WITH-YOUR-RECIPIENT", key.recipient))


def common_secrets(target: Path, key: AgeKey) -> Path:
    """recipes/common/secrets.yaml sealed for `key` at `target`."""
    return seal_file(target, (COMMON / "secrets.yaml").read_text(), key.recipient)
