# cmo-workbook: `make demo` (sample memos) and `make test` are all a newcomer needs.
# Every target sets up .venv first (idempotent: reinstalls only when pyproject/constraints change).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := data/sample
# The bundled sample ends on 2026-10-31: its latest complete month and quarter.
DEMO_MONTH   ?= 2026-10
DEMO_QUARTER ?= 2026-Q3

.DEFAULT_GOAL := help
.PHONY: help setup data validate demo test nbval lab preview bench mutate archive hooks clean distclean \
        airflow-venv airflow-test airflow-constraints

# colour only on a terminal: `make help | less` or a CI log gets plain text
help: ## list the targets
	@if [ -t 1 ]; then on="\033[36m"; off="\033[0m"; else on=""; off=""; fi; \
	grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*?## "} {printf "  %s%-10s%s %s\n", on, $$1, off, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/cmo-workbook install-kernel
	@touch $@

setup: $(STAMP) ## create .venv, install pinned dependencies, register the Jupyter kernel

# Airflow in its own venv: its dependencies (SQLAlchemy, FastAPI, pydantic, ...) stay out of .venv. The install is
# literally the extra's: pip install -e '.[airflow]', pinned by constraints.txt plus constraints-airflow.txt.
# It takes 2-9 minutes (1.5 CPU minutes; measured on the shared 2-core machine), so the venv lives in the user's
# cache, keyed by a hash of the pins, and .venv-airflow links to it: a fresh clone (CI) reuses it and only
# re-runs the (then quick, ~25 s) pip install that points its editable cmo_workbook at this checkout.
AIRFLOW_VENV  := .venv-airflow
AIRFLOW_HASH  := $(shell $(PYTHON) -c 'import hashlib, json, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
                 h = hashlib.sha256(json.dumps([p["dependencies"], p["optional-dependencies"]["airflow"]]).encode()); \
                 [h.update(open(f, "rb").read()) for f in ("constraints.txt", "constraints-airflow.txt")]; print(h.hexdigest()[:16])')
AIRFLOW_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cmo-workbook
AIRFLOW_BASE  := $(AIRFLOW_CACHE)/venv-airflow-$(AIRFLOW_HASH)
AIRFLOW_STAMP := $(AIRFLOW_VENV).$(AIRFLOW_HASH).installed
AIRFLOW_PIP   := $(AIRFLOW_BASE)/bin/python -m pip install --quiet -c constraints.txt -c constraints-airflow.txt -e '.[airflow]'
$(AIRFLOW_STAMP):
	@if [ ! -f $(AIRFLOW_BASE)/.complete ]; then \
	  echo "creating $(AIRFLOW_BASE) (Apache Airflow, a few minutes; reused while the pins stay the same)"; \
	  rm -rf $(AIRFLOW_BASE) && mkdir -p $(AIRFLOW_CACHE) && $(PYTHON) -m venv $(AIRFLOW_BASE) && \
	  $(AIRFLOW_BASE)/bin/python -m pip install --quiet --upgrade "pip==26.3" && \
	  $(AIRFLOW_PIP) && touch $(AIRFLOW_BASE)/.complete; \
	else $(AIRFLOW_PIP); fi
	@if [ -d $(AIRFLOW_VENV) ] && [ ! -L $(AIRFLOW_VENV) ]; then rm -rf $(AIRFLOW_VENV); fi
	ln -sfn $(AIRFLOW_BASE) $(AIRFLOW_VENV)
	@rm -f $(AIRFLOW_VENV).*.installed
	@touch $@

airflow-venv: $(AIRFLOW_STAMP) ## create .venv-airflow with the [airflow] extra (Apache Airflow 3.3, pinned)

airflow-test: $(STAMP) $(AIRFLOW_STAMP) ## the Airflow DAG tests alone (load the DAGs, dag.test() on the sample company)
	$(BIN)/python -m pytest tests/test_airflow.py

airflow-constraints: ## re-resolve constraints-airflow.txt after changing the Airflow pin (needs PyPI)
	rm -rf .venv-airflow-resolve
	$(PYTHON) -m venv .venv-airflow-resolve
	.venv-airflow-resolve/bin/python -m pip install --quiet "pip==26.3"
	.venv-airflow-resolve/bin/python -m pip install --quiet -c constraints.txt -e '.[airflow]'
	{ sed -n '1,/^[^#]/p' constraints-airflow.txt | grep '^#'; \
	  .venv-airflow-resolve/bin/python -m pip freeze --exclude-editable | awk -F'==' \
	    'function key(s) { s = tolower(s); gsub(/[-_.]+/, "-", s); return s } \
	     NR == FNR { if ($$0 ~ /==/) base[key($$1)] = 1; next } /==/ && !(key($$1) in base)' constraints.txt - \
	    | sort -f; } > constraints-airflow.txt.new
	mv constraints-airflow.txt.new constraints-airflow.txt
	rm -rf .venv-airflow-resolve

data: $(STAMP) ## write the sample company's data to data/sample (deterministic)
	$(BIN)/cmo-workbook sample-data --out $(SAMPLE)

validate: data ## check params/example.yaml and every sample file
	$(BIN)/cmo-workbook validate --params params/example.yaml

demo: validate ## run every notebook on the sample data and print where the memos are
	$(BIN)/cmo-workbook run all --period $(DEMO_MONTH) --params params/example.yaml
	$(BIN)/cmo-workbook run all --period $(DEMO_QUARTER) --params params/example.yaml
	@echo ""
	@echo "Memos (open in a browser):"
	@ls -1 reports/$(DEMO_MONTH)/*.html reports/$(DEMO_QUARTER)/*.html 2>/dev/null | sed 's/^/  /'
	@echo "Ready-to-send emails: reports/*/*.eml   Executed notebooks: reports/*/*.ipynb"

# on every core: notebook tests mostly wait on their kernels; a file's tests stay in one worker (shared fixtures)
test: $(STAMP) ## run all tests (unit, readers, notebooks, SMTP end to end)
	$(BIN)/python -m pytest -n auto --dist loadfile

nbval: $(STAMP) ## run every notebook as a test with its default parameters (nbval; JupyterLab's view)
	@$(BIN)/python -c "import nbval" 2>/dev/null || $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@test -d $(SAMPLE) || $(MAKE) data
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax -q notebooks/

lab: $(STAMP) ## start JupyterLab on notebooks/ with the project's kernel
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[lab]'
	@test -d $(SAMPLE) || $(MAKE) data
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

preview: $(STAMP) ## screenshot every memo in reports/ to PNG (needs: apt-get install chromium fonts-liberation2)
	$(BIN)/cmo-workbook preview

archive: $(STAMP) ## write reports/index.html: every memo by period, sent status, 13-month KPI history
	$(BIN)/cmo-workbook archive --params params/example.yaml

bench: data ## run the benchmarks (speed and memory targets; numbers for the README)
	$(BIN)/python bench/run_all.py

mutate: $(STAMP) ## mutation score of the memo-figure modules (mutmut); MODULES="sla goals", MUTATE_SAMPLE=150 for an estimate
	@$(BIN)/python -c "import mutmut" 2>/dev/null || $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,mutate]'
	@test -d $(SAMPLE) || $(MAKE) data
	nice -n 10 $(BIN)/python tests/mutate.py $(MODULES) $(if $(MUTATE_SAMPLE),--sample $(MUTATE_SAMPLE),)

hooks: $(STAMP) ## git pre-commit hook that strips notebook outputs (nbstripout)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	git config core.hooksPath .githooks
	@echo "pre-commit hook active: notebooks are committed without outputs"

# clean removes what a run rebuilds; it keeps the sent-ledger (sent.json, sent/), pending alerts, the run log and
# the KPI history (history/), so memos are not sent again and the record of what went out survives
# quoted: the shell must expand each pattern inside a period folder, never in the project root (constraints*.txt)
CLEAN_OUTPUTS := '*.html' '*.eml' '*.txt' '*.ipynb' '*.png' '*.pdf' '*.pptx' '*.xlsx' kpis.csv kpis.csv.pending \
                 restatements.csv '.*.running.ipynb' '.*.tmp-*'

clean: ## remove memos and executed notebooks (keeps the ledger of sent e-mails and the KPI history) and generated sample data
	@# period folders of one company (reports/PERIOD/) and of a portfolio (reports/COMPANY/PERIOD/)
	@for d in reports/*/*/ reports/*/; do [ -d "$$d" ] && [ "$$d" != reports/alerts-pending/ ] || continue; \
	  case "$$d" in */sent/|*/alerts-pending/) continue;; esac; \
	  for pat in $(CLEAN_OUTPUTS); do rm -f "$$d"$$pat; done; \
	  rmdir "$$d" 2>/dev/null || true; done
	@rm -f reports/portfolio-*.html
	rm -rf $(SAMPLE) .pytest_cache build .mutmut

distclean: clean ## also remove the virtual environment
	rm -rf $(VENV)
