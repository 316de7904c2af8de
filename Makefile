# Kakehashi: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run PORT=5001 HOST=0.0.0.0`: where `make run` serves (gunicorn; see README, Deploying).
PORT ?= 5000
HOST ?= 127.0.0.1

.PHONY: run test install demo-large bench lint clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/crm init
	$(BIN)/crm demo --if-empty
	$(BIN)/crm serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The benchmark data set (about 50,000 companies) in its own SQLite file, with its own search
# index (instance/index-large; built by `crm demo --scale large`).
LARGE := DATABASE_URL=sqlite:///$(CURDIR)/instance/large.db CRM_INDEX_DIR=$(CURDIR)/instance/index-large
demo-large: install
	$(LARGE) $(BIN)/crm init
	$(LARGE) $(BIN)/crm demo --scale large --if-empty

bench: install
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# Interface text: extract, merge into the Japanese catalogue, compile. Edit the .po, then run again.
translations: install
	$(BIN)/pybabel extract -F crm/translations/babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o crm/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations -l ja --no-fuzzy-matching
	$(BIN)/pybabel compile -d crm/translations -l ja
