# The two commands a newcomer needs (see README.md). Each installs what it needs.
#   make serve   build the archive and serve it at http://127.0.0.1:8000/<base path>
#   make test    run the whole test suite (installs Chromium for the browser tests)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: serve build test bytecode browser checkers clean

serve: $(STAMP) bytecode
	$(BIN)/python build.py serve $(ARGS)

build: $(STAMP) bytecode
	$(BIN)/python build.py build $(ARGS)

# The suite runs on every core (pytest-xdist, at most 4 processes; a test that waits
# for a browser or a server then leaves the other core to the next test). ARGS=-n0
# runs it in one process.
test: $(STAMP) bytecode browser checkers
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist worksteal $(ARGS)

# The package's compiled bytecode, as pip writes it for an installed package: where the
# environment sets PYTHONDONTWRITEBYTECODE, every run would otherwise compile its modules
# again (0.17 s of each build here). Only files changed since are compiled. (build.py is
# run as a script, which Python always compiles from its source: it is left out.)
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q crossings

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Browser tests drive Debian's Chromium with Playwright (its own browser download
# does not work everywhere). Installed once, with sudo when not root.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The web's own checkers for the tests: the Nu Html Checker (runs on Java) and
# axe-core, pinned in tests/tools/package-lock.json; and shellcheck, which
# jactionlint (a test extra) runs on the workflows' scripts.
CHECKERS := tests/tools/node_modules/.installed
checkers: $(CHECKERS)
	@command -v java >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v shellcheck >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq shellcheck >/dev/null; }

$(CHECKERS): tests/tools/package-lock.json
	cd tests/tools && npm ci --silent --no-audit --no-fund
	touch $@

clean:
	rm -rf _site .cache .*.staging .*.old
