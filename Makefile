# strata — everything a newcomer needs goes through Go modules; no other installs.
GO      ?= go
BIN     := bin/strata
# Packages with goroutines of their own: tested under the race detector too.
RACE_PKGS := ./engine/graph/... ./engine/execute/... ./engine/schedule/... ./engine/jinja/... ./engine/lineage/...

.PHONY: build run test lint bench soak clean

build:
	$(GO) build -o $(BIN) ./cmd/strata

# The main job: build and test the finhouse example warehouse on the embedded DuckDB.
run: build
	./$(BIN) build --project-dir .

test: lint
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -race -timeout 20m $(RACE_PKGS)

lint:
	@unformatted="$$(gofmt -l cmd engine)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Figures for the speed and memory targets in DESIGN.md (medians of several runs).
bench: build
	$(GO) run ./cmd/strata-bench -strata $(BIN)

# The scheduler under a bounded soak: several 1-second schedules against a
# PostgreSQL of its own that is restarted twice; prints RSS, file descriptors,
# goroutines, runs recorded and runs lost (must be 0). SOAK=90s by default.
SOAK ?= 90s
soak: build
	$(GO) run ./cmd/strata-soak -strata $(BIN) -duration $(SOAK)

clean:
	rm -rf bin target
