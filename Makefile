# nngc — two commands on a fresh Debian machine with the Swift toolchain:
#   make demo   installs what is missing, builds, evaluates Graphs/chain.nng with its gradients,
#               and trains Graphs/xor.nng
#   make test   installs what is missing, builds, and runs the whole test suite

SWIFT ?= swift
NNGC = .build/debug/nngc

.PHONY: deps build demo test clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build --product nngc

demo: build
	$(NNGC) eval Graphs/chain.nng --set x=2 --set y=3 --grad loss
	$(NNGC) compile Graphs/chain.nng --emit grad
	$(NNGC) train Graphs/xor.nng -o runs/xor --format json | tail -n 1

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
