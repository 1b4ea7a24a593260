# One entry point for people and CI. `make test` installs what is missing
# (librdkafka-dev through apt) and runs the whole test suite.
SWIFT ?= swift
SWIFT_TEST_FLAGS ?=

.PHONY: test deps build bench-kafka bench-provider clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) test $(SWIFT_TEST_FLAGS)

bench-kafka: deps
	$(SWIFT) run -c release kafka-bench

bench-provider: deps
	$(SWIFT) run -c release provider-bench

clean:
	rm -rf .build
