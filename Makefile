# Developer shortcuts. The README's two commands are the supported entry points.
PY ?= .venv/bin/python
BABEL = $(PY) -m babel.messages.frontend
LANGS = de bg ro en

.PHONY: catalogs compile test lint bench reliability

catalogs:  ## extract messages and merge them into every language's catalog
	$(BABEL) extract -k N_ -k gettext_in:2 -k ngettext:1,2 --no-location --sort-output \
	  --project "Welcome Desk" --copyright-holder "Welcome Desk contributors" \
	  -o translations/welcome_desk.pot desktop_app
	for l in $(LANGS); do \
	  if [ -f translations/$$l/LC_MESSAGES/welcome_desk.po ]; then \
	    $(BABEL) update --no-fuzzy-matching -D welcome_desk -i translations/welcome_desk.pot -d translations -l $$l; \
	  else \
	    $(BABEL) init -D welcome_desk -i translations/welcome_desk.pot -d translations -l $$l; \
	  fi; \
	done

compile:  ## build the .mo files (not committed)
	$(BABEL) compile --statistics -D welcome_desk -d translations

test:
	./scripts/test.sh

bench:
	$(PY) bench/search.py && $(PY) bench/startup.py

reliability:  ## the fault campaigns with the full counts (about 20 minutes); SEED=n to replay
	RELIABILITY_SEED=$(SEED) $(PY) -m tests.reliability.run --full
