# Developer shortcuts. The README's two commands are the supported entry points.
PY ?= .venv/bin/python
BABEL = $(PY) -m babel.messages.frontend
# the languages of translations/languages.toml
LANGS = $(shell python3 -c "import tomllib; print(*(l['code'] for l in tomllib.load(open('translations/languages.toml', 'rb'))['language']))")

VERSION = $(shell $(PY) -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])")
# The bundle tools: PyInstaller goes into the project venv unless told otherwise.
PYINSTALLER ?= $(PY) -m PyInstaller
BUNDLE_PIP ?= $(PY) -m pip install -q "pyinstaller>=6.3"
DIST ?= dist
BUILD ?= build/pyinstaller

.PHONY: catalogs compile test lint bench bundle reliability

catalogs:  ## extract messages and merge them into every language's catalog
	$(BABEL) extract -k N_ -k Nn_:1,2 -k gettext_in:2 -k ngettext:1,2 --no-location --sort-output \
	  --project "Welcome Desk" --copyright-holder "Welcome Desk contributors" \
	  -o translations/welcome_desk.pot desktop_app
	for l in $(LANGS); do \
	  if [ -f translations/$$l/LC_MESSAGES/welcome_desk.po ]; then \
	    $(BABEL) update --no-fuzzy-matching --ignore-obsolete --width 100 -D welcome_desk -i translations/welcome_desk.pot -d translations -l $$l; \
	  else \
	    $(BABEL) init -D welcome_desk -i translations/welcome_desk.pot -d translations -l $$l; \
	  fi; \
	done

compile:  ## build the .mo files and the first paint's CLDR items (not committed)
	$(BABEL) compile --statistics -D welcome_desk -d translations
	$(PY) -m desktop_app.i18n.cldr_cache

test:
	scripts/test

bench:
	$(PY) bench/search.py && $(PY) bench/startup.py

bundle: compile  ## Linux one-folder bundle in $(DIST)/welcome-desk and a .tar.gz next to it
	$(BUNDLE_PIP)
	$(PY) installer/make_icons.py
	$(PYINSTALLER) --noconfirm --clean --log-level WARN --distpath $(DIST) --workpath $(BUILD) \
	  installer/welcome-desk.spec
	cp installer/linux/welcome-desk.desktop installer/linux/install-desktop-entry.sh $(DIST)/welcome-desk/
	cp resources/icons/welcome-desk-256.png $(DIST)/welcome-desk/welcome-desk.png
	tar -C $(DIST) -czf $(DIST)/welcome-desk-$(VERSION)-linux-x86_64.tar.gz welcome-desk
	@du -sh $(DIST)/welcome-desk $(DIST)/welcome-desk-$(VERSION)-linux-x86_64.tar.gz

reliability:  ## the fault campaigns with the full counts (about 40 minutes; PostgreSQL too if WELCOME_DESK_TEST_PG_URL is set); SEED=n to replay
	RELIABILITY_SEED=$(SEED) $(PY) -m tests.reliability.run --full
