# STExplain build/test entry points. `make` alone lists the targets.

SWIFT ?= swift
SWIFT_TEST_FLAGS ?=
FUZZ_SECONDS ?= 30
# A video of your own for `make demo` to explain too (make demo DEMO_INPUT=clip.mp4).
DEMO_INPUT ?=

.DEFAULT_GOAL := help

.PHONY: help deps build test demo report-check slurm-check bench models fuzz clean

help:
	@echo "Targets:"
	@echo "  make deps   install missing Debian packages (scripts/install-deps.sh)"
	@echo "  make build  release build of the stexplain executable"
	@echo "  make test   debug build and the full test suite (SWIFT_TEST_FLAGS=... passed to swift test)"
	@echo "  make demo   release build, then explain the demo models on held-out samples (demo-out/index.html)"
	@echo "  make report-check  render every demo report in headless Chromium; check links and screenshots"
	@echo "  make slurm-check   one-node Slurm cluster here (root): scripts/slurm/ arrays, a failed shard resubmitted, merges"
	@echo "  make bench  release build, then stexplain bench engine"
	@echo "  make models retrain the demo models under models/ (minutes per model on 2 cores)"
	@echo "  make fuzz   libFuzzer on the ONNX, safetensors, npy and skeleton parsers, FUZZ_SECONDS (30) each"
	@echo "  make clean  remove .build, .build-* and Fuzz/.build"

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product stexplain

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)

# The demo explains and evaluates the trained demo models and writes demo-out/index.html.
demo: build
	"$$($(SWIFT) build -c release --show-bin-path)/stexplain" demo --out demo-out $(if $(DEMO_INPUT),--input "$(DEMO_INPUT)")

# Renders the demo's reports in headless Chromium (installed from Debian when missing).
report-check: build
	scripts/report-check.sh

# scripts/slurm/ on a real one-node Slurm cluster (slurm-wlm and munge installed from Debian when
# missing); uses the debug binary of make test, or STEXPLAIN_BIN=path.
slurm-check: deps
	scripts/slurm-check.sh

bench: build
	"$$($(SWIFT) build -c release --show-bin-path)/stexplain" bench engine

models: build
	scripts/train-demo-models.sh

# Instrumented debug builds of the Fuzz/ package; crashes fail the target (scripts/fuzz.sh).
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

clean:
	rm -rf .build .build-* Fuzz/.build report-check-out
