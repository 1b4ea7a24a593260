# One entry point for people and CI. `make demo` and `make test` install what is missing
# (librdkafka-dev, promtool from the prometheus package, through apt); `make demo` runs
# `otp-worker demo`, `make test` the whole suite.
SWIFT ?= swift
SWIFT_TEST_FLAGS ?=

.PHONY: demo test test-external kafka-brokers-given test-asan test-tsan deps build bench-kafka bench-provider bench-json bench-otp bench-otp-traces bench-otp-guard clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The whole flow on this machine: embedded Kafka, the provider sandbox and the worker.
demo: deps
	$(SWIFT) run otp-worker demo

test: deps
	$(SWIFT) test $(SWIFT_TEST_FLAGS)

# The Kafka integration suites against a real cluster instead of the embedded one, e.g.
# `KAFKA_BROKERS=localhost:29092 make test-external` with docker-compose.yml's Kafka up. Tests
# that need the embedded cluster's fault injection are skipped (CONTRIBUTING.md, "Against a
# real Kafka cluster").
test-external: kafka-brokers-given deps
	OTP_TEST_KAFKA_BROKERS='$(KAFKA_BROKERS)' $(SWIFT) test --filter 'KafkaTests|OTPWorkerTests' $(SWIFT_TEST_FLAGS)

kafka-brokers-given:
	@if [ -z '$(strip $(KAFKA_BROKERS))' ]; then \
		echo 'make test-external needs KAFKA_BROKERS, the cluster to test against, e.g.' >&2; \
		echo '  docker compose up -d kafka kafka-init && KAFKA_BROKERS=localhost:29092 make test-external' >&2; \
		exit 2; \
	fi

# The suite under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer, each in a build
# folder of its own so the ordinary build stays warm.
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp $(SWIFT) test --sanitize=address --scratch-path .build-asan $(SWIFT_TEST_FLAGS)

# Under ThreadSanitizer everything runs 5 to 20 times slower: the suites whose assertions are
# deadlines over real HTTP (the provider client's contract, the worker end to end) miss them,
# so they are skipped. Everything else runs, the Kafka layer included (CONTRIBUTING.md, "Sanitizers").
TSAN_SKIP = ClientBehaviourContractTests|ProviderCodeContractTests|HappyPathTests|MalformedInputTests|ProcessingRuleTests|ProviderFaultTests|LifecycleTests|ReplayTests|BrokerFaultTests|MultiProcessTests|TraceContextTests|TracingTests|RebalanceMetricsTests
test-tsan: deps
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --skip "$(TSAN_SKIP)" $(SWIFT_TEST_FLAGS)

bench-kafka: deps
	$(SWIFT) run -c release kafka-bench

bench-provider: deps
	$(SWIFT) run -c release provider-bench

bench-json: deps
	$(SWIFT) run -c release json-bench

# The worker end to end: otp-bench starts `otp-worker run` as a child process, so it is built
# first. BENCH_ARGS passes options, e.g. `make bench-otp BENCH_ARGS="--requests 2000"`.
BENCH_ARGS ?=
bench-otp: deps
	$(SWIFT) build -c release --product otp-worker
	$(SWIFT) run -c release otp-bench $(BENCH_ARGS)

# The cost of traces: scenarios (2) and (3) with traces off and on, alternating, three rounds.
bench-otp-traces: deps
	$(SWIFT) build -c release --product otp-worker
	$(SWIFT) run -c release otp-bench --scenarios t --repeat 3 $(BENCH_ARGS)

# The cost of the fraud guard: the same with the guard off and at its defaults, five rounds.
bench-otp-guard: deps
	$(SWIFT) build -c release --product otp-worker
	$(SWIFT) run -c release otp-bench --scenarios g --repeat 5 $(BENCH_ARGS)

clean:
	rm -rf .build .build-asan .build-tsan
