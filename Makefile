# weft: the two commands a new user needs are `make run` and `make test`
# (or, without make, `go run ./cmd/weft serve` and `go test ./...`).

GO ?= go
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
CONFORMANCE ?= ../shared/conformance/cases

.PHONY: run test test-security fuzz test-postgres lint build conformance bench

run:
	$(GO) run ./cmd/weft serve

test: test-security
	$(GO) test ./...

# The security suite: every TestSecurity... test of every package (the
# attacks and the checks that the server keeps serving), then each fuzz
# target for FUZZTIME. Fuzz targets run one at a time (go test -fuzz takes
# one target of one package).
FUZZTIME ?= 20s
FUZZ_TARGETS = ./nodes:FuzzWorkflowImport ./nodes/expr:FuzzResolve ./nodes/expr:FuzzRun ./persistence:FuzzWebhookPath

test-security:
	$(GO) test -count=1 -run 'Security' ./...
	$(MAKE) fuzz

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# The PostgreSQL tests run when WEFT_TEST_POSTGRES_URL points at a server.
test-postgres:
	WEFT_TEST_POSTGRES_URL=$${WEFT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable} $(GO) test ./...

lint:
	gofmt -l . | (! grep .)
	$(GO) vet ./...
	$(STATICCHECK) ./...

build:
	$(GO) build -o bin/weft ./cmd/weft

conformance:
	$(GO) run ./cmd/weft conformance $(CONFORMANCE)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./nodes/... ./temporal/...
