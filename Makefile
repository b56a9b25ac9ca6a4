# kcodemod: make demo (the main job on the sample tree), make test (everything).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
KC     := $(VENV)/bin/kcodemod
# the real 7.2 kernel tree (downloaded and cached by ../shared/kernel-tree.sh;
# override with `make test TREE=/path/to/linux`)
KTREE_SH = $(firstword $(wildcard ../shared/kernel-tree.sh /work/shared/kernel-tree.sh))
TREE    ?= $(if $(KTREE_SH),$(shell $(KTREE_SH) 7.2 | tail -n 1))

.PHONY: setup demo test unit e2e bench fuzz clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

demo: setup
	@sh samples/demo.sh $(KC)

# tests run on both cores (pytest-xdist); every test has its own tmp dirs.
# test and e2e send each test file to one worker (--dist loadfile), so the
# module-scoped fixtures -- the real-tree scan, the wheel and its venv -- are
# made once, not once per worker (--dist loadgroup would not do it: with
# pytest 9 xdist 3.8 ignores xdist_group marks)
XDIST ?= -n 2

# the whole suite, real-tree tests and the installed-wheel test included
test: setup
	KCODEMOD_KERNEL_TREE=$(TREE) KCODEMOD_REQUIRE_REAL_TREE=1 $(PY) -m pytest -q $(XDIST) --dist loadfile

# the fast loop: sample-tree tests only (no kernel tree, no wheel build)
unit: setup
	$(PY) -m pytest -q $(XDIST) -m "not realtree and not wheel"

e2e: setup
	KCODEMOD_KERNEL_TREE=$(TREE) KCODEMOD_REQUIRE_REAL_TREE=1 $(PY) -m pytest -q $(XDIST) --dist loadfile -m realtree

bench: setup
	$(PY) bench/bench.py $(TREE)

fuzz: setup
	$(PY) tests/fuzz.py --cases 10000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
