# weft: the two commands a new user needs are `make run` and `make test`
# (or, without make, `go run ./cmd/weft serve` and `go test ./...`).

GO ?= go
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
CONFORMANCE ?= ../shared/conformance/cases

.PHONY: run test test-postgres lint build conformance bench

run:
	$(GO) run ./cmd/weft serve

test:
	$(GO) test ./...

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
