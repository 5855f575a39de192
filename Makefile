# TrainPay build entry points; `make help` lists them.
#
# App metadata (name, ID, version, build, icon) is written once, in FyneApp.toml at the top:
# - `make package`: the fyne tool reads FyneApp.toml only from the main package's folder, so
#   scripts/package copies it into $(MAIN) for that one run (and removes it; .gitignore covers a
#   copy left by an interrupted run) and passes the icon by full path. The tool builds with it
#   compiled in (Release mode, its own cgo flags: a cold first run takes ~4 min, later ones ~15 s).
# - `make build` / `make run`: plain `go build`, sharing the build cache with vet and test. Fyne
#   fills app.Metadata() itself in non-release builds: it reads FyneApp.toml beside the
#   executable (our ./trainpay sits next to it) and loads the icon relative to the working
#   directory (the repo top for `make run`). So main.go needs no metadata code, only
#   app.NewWithID with the ID in FyneApp.toml. We do not use `fyne build`: its different cgo
#   flags would make a second cold GL build and split the cache from vet and test.
#
# Every go command uses the same -tags, so they share one build cache. sqlite_fts5 builds
# mattn/go-sqlite3 with SQLite's full-text search, which the search tables need: a build without
# it cannot open a database (storage.Open says so). The list is comma-separated, as go and the
# fyne tool both read it.
#
# Windows (README, "Windows"): `make package-windows` cross-builds dist/TrainPay.exe, its console
# companion dist/trainpay-cli.exe and a per-user NSIS installer with MinGW-w64; `make
# windows-smoke` installs that under Wine and Xvfb and takes a screenshot; `make test-windows`
# runs every package's tests under Wine. None of them is part of `make test`, which only vets the
# code for Windows and macOS too (GOOS=windows with cgo through MinGW-w64, GOOS=darwin without).

SHELL := /bin/bash
.DEFAULT_GOAL := build
.NOTPARALLEL:

# Go's standard install place, for shells whose PATH lacks it.
ifeq ($(shell command -v go),)
export PATH := /usr/local/go/bin:$(PATH)
endif

GO        ?= go
TAGS      ?= migrated_fynedo,sqlite_fts5
MAIN      ?= ./cmd/trainpay
BIN       ?= trainpay
ARGS      ?=
FUZZTIME  ?= 30s
BENCH     ?= .
BENCH_ROUNDS ?= 5
LOAD_TIME ?= 60s
FAULTS    ?= Fault|Durability
SCREENSHOT ?= ../shared/tools/screenshot
SHOT      ?= screenshot.png
SHOT_TITLE ?= TrainPay
FYNE_VERSION   ?= v1.7.4
PACKAGE_FLAGS  ?= --release

# What cgo needs to build Fyne's GL driver (and mattn/go-sqlite3) on Debian. Fyne 2.8's GLFW 3.4
# builds its X11 and Wayland back ends together: the last two packages are Wayland's and
# xkbcommon's headers and link libraries (GLFW ships its Wayland protocol code pre-generated).
DEBS      := gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev libxrandr-dev \
             libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
PACKAGE_DEBS := xz-utils
# The receipt and report tests read the PDFs back with pdftotext and pdffonts; the organisation
# database tests (internal/pgtest) initdb their own throwaway PostgreSQL cluster; the sandbox's
# invoice tests pay on its payer page in headless chromium, driven through chromedriver; the
# file dialog's tests serve a desktop portal on a D-Bus of their own (dbus-daemon).
TEST_DEBS := poppler-utils postgresql chromium chromium-driver dbus-daemon
SHOT_DEBS := xvfb xdotool imagemagick
# Cross-compiling for Windows (needed by `make test` too, for the Windows vet), packaging for it,
# running its builds.
WIN_CC    ?= x86_64-w64-mingw32-gcc
WIN_DEBS  := gcc-mingw-w64-x86-64
WIN_PACKAGE_DEBS := nsis imagemagick
WINE_DEBS := wine64
WIN_ENV   = GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=$(WIN_CC)
# The macOS vet runs without cgo (there is no macOS C toolchain here), so it leaves out what
# cannot be type-checked without cgo:
# - $(MAIN): Fyne's GL driver (go-gl) has no Go file without cgo (the package does not load);
# - ./ui ./ui/widgets ./ui/uikit ./ui/checkout: Fyne's internal/widget misses
#   isScrollerPageOnTap, which only its cgo drivers define (and checkout's tests open storage);
# - ./ui/uitest: it imports Fyne and storage;
# - ./storage: it matches sqlite3.Error codes, and mattn/go-sqlite3 defines them only with cgo;
# - ./app ./app/gateway/registry ./app/mail ./internal/demodata ./internal/loadtest
#   ./internal/testsite ./storage/postgres ./storage/transfer: they or their tests import storage.
# Every other package is vetted for macOS; a new package is vetted unless added here.
DARWIN_VET_SKIP := $(MAIN) ./ui ./ui/widgets ./ui/uikit ./ui/checkout ./ui/uitest \
                   ./storage ./app ./app/gateway/registry ./app/mail ./internal/demodata \
                   ./internal/loadtest ./internal/testsite ./storage/postgres ./storage/transfer
# The export benchmark's baseline is the sqlite3 shell.
BENCH_DEBS := sqlite3

# Evaluated only when used, so targets that need no Go work without it.
GOBIN_DIR = $(or $(shell $(GO) env GOBIN),$(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin)
FYNE      = $(GOBIN_DIR)/fyne

.PHONY: help deps build run lint vuln test package fyne-tool bench load fuzz faults screenshot screenshots clean \
	package-windows windows-smoke test-windows

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 17

deps: ## install the Debian packages cgo needs for Fyne, if any is missing
	@scripts/deps $(DEBS)

build: ## go build -o trainpay ./cmd/trainpay
	$(GO) build -tags $(TAGS) -o $(BIN) $(MAIN)

run: deps build ## build and run ./trainpay with ARGS
	./$(BIN) $(ARGS)

# The suite keeps what its payment tests wrote to disk (databases, WAL, logs, preferences) in a
# fresh folder; once every package has run, the last step scans it for test card numbers and
# security codes.
lint: ## staticcheck (every check, staticcheck.conf) and gofumpt, both pinned by go.mod's tool directive; any finding fails
	$(GO) tool staticcheck -tags $(TAGS) ./...
	@out=$$($(GO) tool gofumpt -l .); if [ -n "$$out" ]; then \
		echo "gofumpt would reformat these files (run: go tool gofumpt -w .):"; echo "$$out"; exit 1; fi

vuln: ## govulncheck, pinned by go.mod; needs its online database (vuln.go.dev), which some networks cannot reach
	$(GO) tool govulncheck -tags $(TAGS) ./...

test: deps ## lint, vet (also for Windows and macOS), link the app, run all tests with -race, then scan for card data at rest
	@scripts/deps $(TEST_DEBS) $(WIN_DEBS)
	$(MAKE) --no-print-directory lint
	$(GO) vet -tags $(TAGS) ./...
	$(WIN_ENV) $(GO) vet -tags $(TAGS) ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet -tags $(TAGS) \
		$$($(GO) list -tags $(TAGS) ./... | grep -vxF "$$($(GO) list -tags $(TAGS) $(DARWIN_VET_SKIP))")
	$(GO) build -tags $(TAGS) -o $(BIN) $(MAIN)
	@pci=$$(mktemp -d); trap 'rm -rf "$$pci"' EXIT; \
	echo "TRAINPAY_PCI_DIR=$$pci $(GO) test -race -timeout 40m -tags $(TAGS) ./..."; \
	TRAINPAY_PCI_DIR=$$pci $(GO) test -race -timeout 40m -tags $(TAGS) ./... && \
	TRAINPAY_PCI_DIR=$$pci TRAINPAY_PCI_SCAN=1 $(GO) test -count=1 -tags $(TAGS) -run '^TestNoCardDataAtRest$$' -v ./internal/pcitest

fyne-tool: ## install the pinned fyne tool into GOPATH/bin unless there
	@if ! "$(FYNE)" version 2>/dev/null | grep -q 'cli version: $(FYNE_VERSION)$$'; then \
		echo "installing fyne $(FYNE_VERSION) into $(GOBIN_DIR)"; \
		$(GO) install fyne.io/tools/cmd/fyne@$(FYNE_VERSION); \
	fi

package: ## TrainPay.tar.xz for Linux, metadata from FyneApp.toml, then check its .desktop
	@scripts/deps $(DEBS) $(PACKAGE_DEBS)
	@$(MAKE) --no-print-directory fyne-tool
	scripts/package "$(FYNE)" $(MAIN) $(TAGS) $(PACKAGE_FLAGS)

package-windows: ## dist/: TrainPay.exe, trainpay-cli.exe and TrainPay-<version>-Setup.exe for Windows
	@scripts/deps $(DEBS) $(WIN_DEBS) $(WIN_PACKAGE_DEBS)
	@$(MAKE) --no-print-directory fyne-tool
	CC=$(WIN_CC) scripts/package-windows "$(FYNE)" $(MAIN) $(TAGS)

windows-smoke: package-windows ## install dist's setup under Wine+Xvfb, start it, screenshot, CLI --help
	@scripts/deps $(WIN_DEBS) $(WINE_DEBS) $(SHOT_DEBS)
	CC=$(WIN_CC) scripts/windows-smoke

test-windows: ## build each package's tests for Windows and run them under Wine (slow)
	@scripts/deps $(DEBS) $(WIN_DEBS) $(WINE_DEBS) postgresql
	CC=$(WIN_CC) scripts/test-windows $(TAGS)

# On a Mac only (the recipe refuses elsewhere); docs/macos.md has the set-up and each command.
.PHONY: package-macos
package-macos: ## TrainPay.app on a Mac; signed with MACOS_SIGN_ID, notarised with MACOS_NOTARY_PROFILE
	@if [ "$$(uname -s)" != Darwin ]; then \
		echo "package-macos builds, signs and notarises TrainPay.app with Apple's tools: run it on a Mac (this host is $$(uname -s)); see docs/macos.md" >&2; \
		exit 1; \
	fi
	@$(MAKE) --no-print-directory fyne-tool
	MACOS_SIGN_ID="$(MACOS_SIGN_ID)" MACOS_NOTARY_PROFILE="$(MACOS_NOTARY_PROFILE)" \
		scripts/package-macos "$(FYNE)" $(MAIN) $(TAGS) $(PACKAGE_FLAGS)

# Each comparison measures baseline and ours in alternation, BENCH_ROUNDS rounds a side, and
# reports medians with their spread (internal/benchcmp); scripts/bench prints them as one table
# and keeps go test's output in bench-raw.txt. BENCH_BACKEND=sqlite|postgres|all (default all)
# chooses the database: `make bench BENCH=ScaleOrg BENCH_BACKEND=postgres` is the organisation's.
bench: ## benchmarks (BENCH pattern) against their baselines, interleaved; prints one table
	@scripts/deps $(BENCH_DEBS)
	@BENCHCMP_ROUNDS=$(BENCH_ROUNDS) GO=$(GO) scripts/bench '$(BENCH)' $(TAGS)

# Eight desktop processes buy (register, codes, pay by card in the sandbox) for LOAD_TIME on one
# SQLite file and on one PostgreSQL database (a throwaway cluster, internal/pgtest), then the journal
# is checked against the sandbox's ledger: 0 errors, 0 doubles, 0 lost. go test runs the same for 5 s.
load: ## 8 desktop processes buying for LOAD_TIME (60s) on SQLite and PostgreSQL: throughput, p99, 0 doubles/lost
	$(GO) test -tags $(TAGS) -count=1 -timeout 30m -v -run '^TestEightDesktopProcesses' ./internal/loadtest/ \
		-args -load.duration=$(LOAD_TIME)

fuzz: ## every Fuzz target, each for FUZZTIME (30s)
	scripts/fuzz $(FUZZTIME) $(TAGS)

faults: ## durability result and payment fault table (FAULTS pattern): 0 lost, 0 doubled
	scripts/faults '$(FAULTS)' $(TAGS)

# The shared tool waits for the window; without it, a plain Xvfb shot after a fixed wait.
screenshot: deps build ## run the app under Xvfb, save screenshot.png (SHOT)
	@scripts/deps $(SHOT_DEBS)
	@if [ -x "$(SCREENSHOT)" ]; then \
		"$(SCREENSHOT)" -o "$(SHOT)" -t "$(SHOT_TITLE)" -- ./$(BIN) $(ARGS); \
	else \
		echo "no screenshot tool at $(SCREENSHOT) (set SCREENSHOT=...); using xvfb-run"; \
		xvfb-run -a -s '-screen 0 1280x800x24' bash -c \
			'./$(BIN) $(ARGS) & pid=$$!; sleep 8; import -window root "$(SHOT)"; kill $$pid; wait $$pid 2>/dev/null; true' \
			&& echo "wrote $(SHOT)"; \
	fi

# `trainpay screens` shows one screen or dialog by name over a copy of a demo database, in a
# temporary folder (never the user's files); scripts/screenshots runs it for every name, in en and
# pl, at the minimum and the default window size, SHOTS_JOBS at once (each under its own Xvfb).
SHOTS_JOBS ?= $(shell nproc)
screenshots: deps build ## every screen and dialog, en and pl, minimum and default window size: screenshots/<lang>-<size>-<name>.png
	@scripts/deps $(SHOT_DEBS)
	scripts/screenshots ./$(BIN) "$(SCREENSHOT)" $(SHOTS_JOBS)

clean: ## remove built files (not the Go caches)
	rm -f $(BIN) *.tar.xz $(MAIN)/FyneApp.toml $(MAIN)/fyne_metadata_init.go $(MAIN)/$(BIN) $(SHOT) $(SHOT:.png=-after.png)
	rm -rf tmp-pkg dist screenshots $(MAIN)/*.exe.manifest
