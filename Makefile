# The product's tasks. `make help` lists them.
SHELL := /bin/bash
SQLC := go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1
STATICCHECK := go run honnef.co/go/tools/cmd/staticcheck@v0.8.2
GO_TEST_FLAGS ?=

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: assets ## start everything locally with demo comuni (PostgreSQL and Redis included)
	go run ./cmd/carta dev

test: assets ## run every test against real PostgreSQL, Redis, SMTP and Chromium
	bash scripts/test.sh $(GO_TEST_FLAGS)

assets: node_modules/.stamp ## install Bootstrap Italia from npm and copy it where the binary embeds it
	sh scripts/assets.sh

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: assets ## build the static binary ./carta
	CGO_ENABLED=0 go build -trimpath -o carta ./cmd/carta

generate: ## regenerate the sqlc code from db/queries and db/schema
	$(SQLC) generate

verify: assets ## check generated code, go.mod tidiness, formatting, vet and static analysis
	$(SQLC) diff
	@go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	$(STATICCHECK) ./...

bench: assets ## run the benchmarks (figures in docs/BENCHMARKS.md)
	bash scripts/test.sh -run '^$$' -bench . -benchmem

clean: ## stop the private servers and remove the data folder
	-runuser -u postgres -- /usr/lib/postgresql/*/bin/pg_ctl -D .data/pg stop -m fast 2>/dev/null || /usr/lib/postgresql/*/bin/pg_ctl -D .data/pg stop -m fast
	-[ -f .data/redis/redis.pid ] && kill $$(cat .data/redis/redis.pid)
	rm -rf .data carta

.PHONY: help run test assets build generate verify bench clean
