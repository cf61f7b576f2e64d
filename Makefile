# strata — everything a newcomer needs goes through Go modules; no other installs.
GO      ?= go
BIN     := bin/strata
# The Snowflake driver's "minicore" (a native library it writes to disk and
# dlopens on every start, only to report its version at login) is left out:
# it cost each command ~2-4 ms of start-up and a file write. Every go command
# below, the tests' and the benchmark's included, builds with this tag.
export GOFLAGS := $(strip $(GOFLAGS) -tags=minicore_disabled)
# Packages with goroutines of their own: tested under the race detector too.
RACE_PKGS := ./engine/ ./engine/cli/ ./engine/compile/ ./engine/project/ ./engine/internal/rawconn/ ./engine/adapter/duckdb/ ./engine/graph/... ./engine/execute/... ./engine/schedule/... ./engine/jinja/... ./engine/lineage/...

.PHONY: build install run test lint bench soak clean

# The first build takes about 1-2 minutes on two cores: Go compiles the
# Snowflake SDK with its Arrow and AWS dependencies and links DuckDB's prebuilt
# library into one ~135 MB binary. Later builds reuse Go's cache and take seconds.
build:
	@if [ ! -x $(BIN) ]; then echo "building $(BIN): the first build compiles the Snowflake/Arrow/AWS dependencies and links DuckDB (about 1-2 minutes; later builds take seconds)"; fi
	@start=$$(date +%s); $(GO) build -o $(BIN) ./cmd/strata && echo "built $(BIN) in $$(( $$(date +%s) - start ))s"

# Puts strata on PATH: go install writes it to $$GOBIN, else $$(go env GOPATH)/bin
# (usually ~/go/bin); the line printed says which, and whether it is on PATH.
install:
	@dir="$$($(GO) env GOBIN)"; [ -n "$$dir" ] || dir="$$($(GO) env GOPATH)/bin"; \
	if [ ! -x "$$dir/strata" ]; then echo "installing strata into $$dir (the first build takes about 1-2 minutes)"; fi; \
	$(GO) install ./cmd/strata && echo "installed $$dir/strata" && \
	case ":$$PATH:" in *":$$dir:"*) ;; *) echo "$$dir is not on your PATH: add  export PATH=\"$$dir:\$$PATH\"  to your shell profile";; esac

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
