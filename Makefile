# Two entry points, each setting up its own virtual environment first:
#   make demo   builds the seed review's demo project and prints its PRISMA counts
#   make test   lints (ruff) and runs the test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test app bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the CPU build; a plain `torch` requirement would pull several GB of CUDA packages
	$(BIN)/pip install --quiet torch==2.13.0
	# the ray extra too, so the Ray Data embedding test (tests/test_ray_embed.py) runs in CI
	$(BIN)/pip install --quiet -e '.[test,ray]'
	touch $(STAMP)

demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/review demo --out demo-project --force

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

app: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/review app demo-project

clean:
	rm -rf $(VENV) demo-project
