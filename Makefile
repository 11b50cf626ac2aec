# Two entry points for a fresh Debian machine with Python 3.11:
#   make demo   - venv + sealer, then an end-to-end demo in a temp directory
#   make test   - system packages, venv with the test extra, lint, types, whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the tests drive for real (see DESIGN "Real parts"); gcc, make,
# zlib1g-dev and xz-utils (its .tar.xz) build git's own test suite (make gitsuite);
# procps gives the crash tests pgrep. kubectl comes from PyPI.
SYSTEM_PACKAGES := git age gnupg openssh-client softhsm2 git-crypt systemd direnv ansible \
                   gcc make zlib1g-dev procps xz-utils

.PHONY: demo test check pytest gitsuite sysdeps bench clean

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

# git's own filter tests (t0021, t2080, t2082) with sealer's protocol code in place
# of git's rot13 test filter; git's source comes from Debian's source package.
gitsuite: sysdeps $(VENV)/.test-installed
	PYTHON=$(CURDIR)/$(BIN)/python tests/gitfilter/run_git_suite.sh \
	  "$$(tests/gitfilter/fetch_git_source.sh $(CURDIR)/.cache/git-source)" $(CURDIR)/.cache/git-build

test: sysdeps check pytest gitsuite

bench: sysdeps $(VENV)/.test-installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .cache .mypy_cache .pytest_cache .ruff_cache
