# nngc — two commands on a fresh Debian machine with the Swift toolchain:
#   make demo   installs what is missing, builds, evaluates Graphs/chain.nng with its gradients,
#               and trains Graphs/xor.nng
#   make test   installs what is missing (and the Python cross-check tools into .build/test-venv),
#               builds, runs the whole test suite, then every fuzz
#               target for FUZZ_CI_SECONDS (default 25) each (CI: .ci/run)
#   make bench  times nngc against PyTorch and JAX (Benchmarks/peers) and writes the table into
#               docs/benchmarks.md; creates .build/bench-venv (about 5 GB from PyPI) the first time
#   make gallery  builds the release nngc, re-runs every graph of Graphs/ at full size and rewrites
#               the results of Graphs/README.md (tables, numbers, transcripts) and its figures:
#               scripts/gallery.py measures into Graphs/gallery.json and renders README.md from
#               Graphs/README.template.md (edit the template, not README.md: a test compares them).
#               GALLERY_FLAGS='--only rbm,hooke' re-measures chosen sections; a full run takes
#               about half an hour on a loaded 2-core machine (the Ising finite-size scaling most)
#   make fuzz   builds the fuzz targets of Fuzz/ (libFuzzer + AddressSanitizer) and runs each for
#               FUZZ_SECONDS (default 60); fails on a crash or hang (leak checking is off: docs/fuzzing.md)

SWIFT ?= swift
NNGC = .build/debug/nngc
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 25

.PHONY: deps build demo test bench gallery fuzz clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build --product nngc

demo: build
	$(NNGC) eval Graphs/chain.nng --set x=2 --set y=3 --grad loss
	$(NNGC) compile Graphs/chain.nng --emit grad
	$(NNGC) train Graphs/xor.nng -o runs/xor --format json | tail -n 1

test: deps
	bash scripts/test-venv.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS)

# BENCH_FLAGS passes options to Benchmarks/peers/run.py, e.g. BENCH_FLAGS='--rounds 3 --only mlp'.
BENCH_VENV = .build/bench-venv
BENCH_FLAGS ?=

bench: deps
	$(SWIFT) build -c release --product nngc-bench
	bash scripts/bench-venv.sh $(BENCH_VENV)
	$(BENCH_VENV)/bin/python Benchmarks/peers/run.py --nngc-bench .build/release/nngc-bench --write docs/benchmarks.md $(BENCH_FLAGS)

GALLERY_FLAGS ?=

gallery: deps
	$(SWIFT) build -c release --product nngc
	python3 scripts/gallery.py run --nngc .build/release/nngc $(GALLERY_FLAGS)
	python3 scripts/gallery.py render

fuzz: deps
	$(SWIFT) build --package-path Fuzz --scratch-path .build/fuzz -c release \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build
