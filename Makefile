# The two commands of the README, and a few helpers.  CMake does the real work.
#   make run    install dependencies, build, hunt through the bundled sample
#   make test   install dependencies, build, run every test (also under ASan+UBSan)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan

PREFIX ?= /usr/local

.PHONY: all setup build run test test-fast test-asan fuzz format clean install

all: build

setup:
	@sh scripts/setup.sh

$(BUILD)/Makefile: setup CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# hunt exits 1 when it raised alerts, which the sample is meant to do.
run: setup
	@echo "wardwatch: building (first time: about a minute)..."
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target wardwatch -- --no-print-directory >/dev/null
	@./$(BUILD)/wardwatch hunt --format summary tests/data/sample; rc=$$?; [ $$rc -le 1 ]
	@echo
	@echo "wardwatch: now the demo hospital, live (Ctrl-C to stop):"
	@scripts/demo.sh ./$(BUILD)/wardwatch

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

test: test-fast test-asan

fuzz: setup
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWW_FUZZ=ON -DWW_SANITIZE=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@echo "fuzz targets are in build-fuzz/tests/ (run one with its corpus dir)"

# make install [PREFIX=/usr/local] [DESTDIR=/staging]: the binary, rules, data, man page.
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
