# The two set-up commands of the README: `make demo` runs the main job, `make test` the tests.
SWIFT ?= swift
STORE ?= matchwork.sqlite
MATCHWORK = .build/release/matchwork

.PHONY: demo test deps build release clean

deps:
	@bash scripts/install-system-deps.sh

release: deps
	$(SWIFT) build -c release --product matchwork

## Generates the cleaning marketplace into the embedded store and prints its statistics.
demo: release
	$(MATCHWORK) generate cleaning --store $(STORE)
	$(MATCHWORK) stats --store $(STORE)

## Builds and runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build $(STORE) $(STORE)-wal $(STORE)-shm
