# nngc — two commands on a fresh Debian machine with the Swift toolchain:
#   make demo   installs what is missing, builds, and evaluates Graphs/chain.nng
#   make test   installs what is missing, builds, and runs the whole test suite

SWIFT ?= swift
NNGC = .build/debug/nngc

.PHONY: deps build demo test clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build --product nngc

demo: build
	$(NNGC) eval Graphs/chain.nng --set x=2 --set y=3
	$(NNGC) compile Graphs/chain.nng --emit ir
	$(NNGC) eval Graphs/xor.nng --feed Graphs/data/xor_inputs.json

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
