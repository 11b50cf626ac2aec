# Two entry points for a fresh Debian machine with Python 3.11:
#   make demo   - venv + sealer, then an end-to-end demo in a temp directory
#   make test   - system packages, venv with the test extra, lint, types, whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the tests drive for real (see DESIGN "Real parts").
# The deploy recipes also use kubectl (its built-in kustomize), which the machine image ships.
SYSTEM_PACKAGES := git age gnupg openssh-client softhsm2 git-crypt systemd direnv ansible

.PHONY: demo test check pytest sysdeps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.demo-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e . --config-settings editable_mode=compat
	touch $@

$(VENV)/.test-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[aws,pkcs11,test]' --config-settings editable_mode=compat
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	PATH="$(CURDIR)/$(BIN):$$PATH" demo/demo.sh

sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

check: $(VENV)/.test-installed
	$(BIN)/ruff check sealer tests bench
	$(BIN)/ruff format --check sealer tests bench
	$(BIN)/mypy

pytest: sysdeps $(VENV)/.test-installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -n auto $(PYTEST_ARGS)

test: sysdeps check pytest

bench: sysdeps $(VENV)/.test-installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
