# SPDX-License-Identifier: GPL-2.0-or-later
# What a user types. Each target first installs the Debian packages it needs.
BUILD      ?= build
BUILD_ASAN ?= build-asan

.PHONY: all deps test bench demo format clean install

all: deps
	@[ -d $(BUILD) ] || meson setup $(BUILD)
	ninja -C $(BUILD)

deps:
	@scripts/deps.sh build

# Every test suite, in a normal and an AddressSanitizer + UBSan build; ends with
# "N passed, N failed".
test:
	@scripts/deps.sh build test
	@scripts/test.sh

# uvsd balancing HTTP in a lab of network namespaces (as root); builds first.
demo:
	@scripts/demo.sh

bench:
	@scripts/deps.sh build bench
	@bench/run.sh

# uvsd, uvsadm, uvs-replay, their man pages and the systemd unit, under meson's prefix
# (/usr/local unless `meson configure $(BUILD) -Dprefix=/usr`); DESTDIR=DIR stages
# them below DIR (a relative DIR is taken from here).
install: all
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir "$(abspath $(DESTDIR))")

format:
	@scripts/deps.sh test
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-tsan build-fuzz build-arm64 build-arm64.log build-bench
