# The two commands: `make run` (the tracker with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
LOCAL_ENV ?= local.env

.PHONY: install run test lint format check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) $(LOCAL_ENV)

# Development settings that manage.py reads in any shell (config/settings.py):
# written once if missing, never overwritten, git-ignored, readable by the owner only.
$(LOCAL_ENV): | $(STAMP)
	@$(BIN)/python -c 'import os, secrets, sys; \
	fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600); \
	os.write(fd, ("# Local development settings; environment variables override them.\n" \
	f"DEBUG=1\nSECRET_KEY={secrets.token_urlsafe(50)}\n").encode())' $@
	@echo "Wrote $@ (DEBUG=1, a generated SECRET_KEY); set variables in the environment to override."

# Embedded default: SQLite and the filesystem broker under var/, DEBUG on (local.env).
# Links readers get (embeds, feeds, the demo's release citation) name the port it runs on.
run: export TRACKER_SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "Policy Debate Tracker: http://127.0.0.1:$(PORT)/  editorial panel: http://127.0.0.1:$(PORT)/admin/"
	@echo "(Ctrl-C stops web, worker and beat)"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile.dev --port $(PORT)

# Uses DATABASE_URL and REDIS_URL when set; otherwise SQLite and the filesystem broker.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
