# make serve: build the site and serve the playground on http://localhost:8080
# make test:  everything, the browser included
# make build: write dist/ (the static site)
# make generate: regenerate the interpreter's symbol tables

GO       ?= go
ADDR     ?= localhost:8080
WASM     := build/kernel.wasm
WEB      := site/web
NODE_OK  := $(WEB)/node_modules/.package-lock.json
SOURCES  := $(shell find . -name '*.go' -not -path './$(WEB)/node_modules/*' -not -path './.cache/*') go.mod go.sum
FRONTEND := $(shell find $(WEB)/src -type f) $(WEB)/package.json

.PHONY: build serve test generate check deps chromium lint clean bench bench-orm

build: dist/build.json

serve: build
	$(GO) run ./cmd/build serve -addr $(ADDR)

deps: $(NODE_OK)

$(NODE_OK): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	@touch $@

# The kernel: the libraries, SQLite and the interpreter in one module.
$(WASM): $(SOURCES)
	@mkdir -p build
	GOOS=wasip1 GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -buildmode=c-shared -o $@ ./wasm

dist/build.json: $(WASM) $(NODE_OK) $(SOURCES) $(FRONTEND) $(wildcard lessons/*.md)
	$(GO) run ./cmd/build build -wasm $(WASM)

generate:
	$(GO) generate ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd tests/bench && $(GO) vet .
	cd $(WEB) && npx --no-install tsc --noEmit -p .

# Debian's chromium, for the browser tests.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

check: $(WASM)
	$(GO) run ./cmd/build check
	$(GO) run ./cmd/build check -wasm $(WASM)

# The black-box tests print what they measure (sizes, load and run times),
# so they run verbosely and uncached.
test: build chromium lint
	CRUCIBLE_POSTGRES_URL=$$(bash .ci/postgres) && CRUCIBLE_MYSQL_URL=$$(bash .ci/mysql) && \
		export CRUCIBLE_POSTGRES_URL CRUCIBLE_MYSQL_URL && \
		$(GO) test $$($(GO) list ./... | grep -v '/tests$$') && \
		$(GO) test -race -run 'Goroutines|Concurrent' ./orm ./migrate
	$(GO) test -count=1 -v ./tests
	$(GO) run ./cmd/build check -wasm $(WASM)

# Speed: the engine against raw database/sql, and migrations through 200
# revisions; compare runs with benchstat.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./orm/engine ./migrate ./migrate/autogen | tee bench.txt

# The ORM against GORM, bun and raw database/sql on one SQLite file (a
# module of its own, so the main module does not depend on them): prints
# the table of ratios.
bench-orm:
	cd tests/bench && $(GO) test -count=1 -run Ratios -v .

clean:
	rm -rf build dist .cache
