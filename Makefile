# samlinger: `make run` serves the demo on http://127.0.0.1:5000 (`make run PORT=5001` on another port), `make test`
# runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
CATALOGS := $(wildcard samlinger/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test install install-dev translations extract-messages lint bench clean vendor-css

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime translations
install-dev: $(VENV)/.dev translations

## Compiled catalogues are not in git: every install, test and run builds them (fuzzy entries are left out).
%.mo: %.po $(VENV)/.runtime
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)

## Collect the messages the code uses and merge them into the nb, nn, se and en catalogues (review.py puts back
## the review status header that pybabel drops).
extract-messages: $(VENV)/.runtime
	$(VENV)/bin/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -o samlinger/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i samlinger/translations/messages.pot -d samlinger/translations
	$(PY) samlinger/translations/review.py

# The demo runs in debug mode: the development SECRET_KEY is allowed and cookies work over plain http.
# Two offices: the first is Finnmark's (a Bokmål county), made from the variables below at the first `db upgrade`
# (set them yourself to run it as another), and seed-demo adds Statsforvaltaren i Rogaland (Nynorsk) at /rogaland/.
# / lists the offices; seed-demo prints each office's address and its demo organiser's and admin's sign-in.
PORT ?= 5000
run: export FLASK_DEBUG ?= 1
# Links in the demo's e-mails point at the port it is served on.
run: export SAMLINGER_BASE_URL ?= http://127.0.0.1:$(PORT)
run: export SAMLINGER_OFFICE_NAME ?= Statsforvalteren i Finnmark
# The first office's address segment: /finnmark/ once there are several offices.
run: export SAMLINGER_OFFICE_SLUG ?= finnmark
run: export SAMLINGER_OFFICE_NAME_NN ?= Statsforvaltaren i Finnmark
run: export SAMLINGER_OFFICE_NAME_EN ?= The County Governor of Finnmark
run: export SAMLINGER_OFFICE_NAME_SE ?= Stáhtahálddašeaddji Finnmárkkus
# The Finnmark demo offers Northern Sami on the participant's path (Karasjok, Kautokeino, Tana … are in the Sami area).
run: export SAMLINGER_LANGUAGES ?= nb,nn,se,en
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Serving http://127.0.0.1:$(PORT) (the offices: /finnmark/, /rogaland/) - mail is printed here and kept in the outbox unless MAIL_SERVER is set."
	$(FLASK) mail-worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check samlinger tests bench tools app.py
	$(VENV)/bin/lint-imports --no-cache

bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance test-artifacts

## Designsystemet's CSS and theme, vendored into samlinger/static/designsystemet/ with their versions and licences:
## npm installs the versions package.json names, tools/vendor_css.py writes the files. Commit the result.
vendor-css:
	npm install --no-audit --no-fund
	$(PYTHON) tools/vendor_css.py
