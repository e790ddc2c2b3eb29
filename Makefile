# The two set-up commands of the README: `make demo` runs the main job, `make test` the tests.
SWIFT ?= swift
STORE ?= matchwork.sqlite
MATCHWORK = .build/release/matchwork
PREFIX ?= /usr/local

.PHONY: demo test deps build release install clean

deps:
	@bash scripts/install-system-deps.sh

release: deps
	$(SWIFT) build -c release --product matchwork

## Copies the release build to $(PREFIX)/bin (default /usr/local/bin; PREFIX=~/.local for a
## user install), so that the README's examples can call `matchwork` by name.
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(MATCHWORK) $(DESTDIR)$(PREFIX)/bin/matchwork
	install -d $(DESTDIR)$(PREFIX)/share/matchwork
	install -m 644 Sources/MatchworkServer/Resources/openapi.json $(DESTDIR)$(PREFIX)/share/matchwork/openapi.json
	@echo "Installed $(DESTDIR)$(PREFIX)/bin/matchwork and $(DESTDIR)$(PREFIX)/share/matchwork/openapi.json (the API document serve reads)"

## Generates the cleaning marketplace into the embedded store, prints its statistics, trains
## the default models (ALS, BPR, item-kNN, MF and the neural hybrid with its bid head) into the
## model registry (STORE.models/) and lists them, then the top jobs for one cleaner (with a
## suggested bid) and the top cleaners for one open job, with their reasons and each
## component's share (rule-based, similarity, collaborative, and the neural model's
## collaborative and content parts), and the jobs most like that job.
demo: release
	$(MATCHWORK) generate cleaning --store $(STORE)
	$(MATCHWORK) stats --store $(STORE)
	@echo
	$(MATCHWORK) train --store $(STORE) --model all
	@echo
	$(MATCHWORK) models --store $(STORE)
	@echo
	$(MATCHWORK) recommend --store $(STORE) --person cleaner-5 --count 3 --explain
	@echo
	$(MATCHWORK) recommend --store $(STORE) --opportunity job-4910 --count 3 --explain
	@echo
	$(MATCHWORK) similar --store $(STORE) --opportunity job-4910 --count 3

## Builds and runs every test, then schemathesis against the service's OpenAPI document
## (MATCHWORK_SCHEMATHESIS=0 skips it) and the README's HTTP walkthrough, verbatim, on a fresh
## demo store (MATCHWORK_WALKTHROUGH=0 skips it).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@if [ "$${MATCHWORK_SCHEMATHESIS:-1}" != 0 ]; then bash scripts/schemathesis.sh; fi
	@if [ "$${MATCHWORK_WALKTHROUGH:-1}" != 0 ]; then bash scripts/readme-walkthrough.sh; fi

clean:
	rm -rf .build $(STORE) $(STORE)-wal $(STORE)-shm $(STORE).models
