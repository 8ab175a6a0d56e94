# SPDX-License-Identifier: MIT
# Snowplow event manifest populator: four programs, one orchestrator.

VERSION = 1.1.0
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
# populate's shell functions and config checker: populate looks beside
# itself, then in ../share/manifest-populator, then in ../pipelines (the
# build tree's bin/ beside the sources)
SHAREDIR = $(PREFIX)/share/manifest-populator
PKG_CONFIG ?= pkg-config

CFLAGS ?= -O2 -g
# -Werror only where the compiler is ours (make check, CI): a newer
# compiler's new warning must not break a user's build
WERROR =
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	$(WERROR)
STD = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
DEPS = libcurl openssl zlib libzstd jansson expat
DEP_CFLAGS != $(PKG_CONFIG) --cflags $(DEPS) 2>/dev/null || true
# the layers: a core file sees only lib/core, so reaching for an aws
# header fails to build
INC_core = -iquote lib/core
INC_aws = -iquote lib/core -iquote lib/aws
ALL_CFLAGS = $(STD) $(CPPFLAGS) $(WARN) $(DEP_CFLAGS) $(CFLAGS)

# Debian's libbz2-dev has no .pc file
LIBS_bz2 != $(PKG_CONFIG) --libs bzip2 2>/dev/null || echo -lbz2
LIBS_core =
LIBS_json != $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson
LIBS_aws0 != $(PKG_CONFIG) --libs $(DEPS) 2>/dev/null || \
	echo -lcurl -lssl -lcrypto -lz -lzstd -ljansson -lexpat
LIBS_aws = $(LIBS_aws0) $(LIBS_bz2)

PROGS = eventcut sincefilter s3cat s3put dynaput
SCRIPTS = populate
SHARE = pipelines/populate-lib.sh pipelines/populate-config.jq \
	pipelines/populate-plan pipelines/populate-shard pipelines/populate-status \
	pipelines/populate-workers pipelines/populate-verify \
	pipelines/populate-worker pipelines/populate-engine.sh \
	pipelines/populate-emr pipelines/populate-batch pipelines/populate-k8s
BIN = $(PROGS:%=bin/%) $(SCRIPTS:%=bin/%)
MAN1 = $(PROGS:%=man/%.1) $(SCRIPTS:%=man/%.1)
MAN7 = $(wildcard man/*.7)

# lib/ in two layers, one folder each: core (no network) and aws
# (built on core)
CORE = $(basename $(notdir $(wildcard lib/core/*.c)))
AWS = $(basename $(notdir $(wildcard lib/aws/*.c)))
# one archive per layer: a program links only the modules it uses
CORE_OBJ = build/libcore.a
AWS_OBJ = build/libaws.a
HDR = $(wildcard lib/core/*.h lib/aws/*.h)

# which programs need which layer
eventcut_OBJ = $(CORE_OBJ)
eventcut_LIBS = $(LIBS_core)
sincefilter_OBJ = $(CORE_OBJ)
sincefilter_LIBS = $(LIBS_json)
s3cat_OBJ = $(AWS_OBJ) $(CORE_OBJ)
s3cat_LIBS = $(LIBS_aws) -pthread
s3put_OBJ = $(AWS_OBJ) $(CORE_OBJ)
s3put_LIBS = $(LIBS_aws) -pthread
dynaput_OBJ = $(AWS_OBJ) $(CORE_OBJ)
dynaput_LIBS = $(LIBS_aws) -pthread

.DELETE_ON_ERROR:
.PHONY: all check unit lint bats demo bench fuzz deps install uninstall clean \
	dist image

all: $(BIN) build/ddbsink

build/libcore.a: $(CORE:%=build/core/%.o)
build/libaws.a: $(AWS:%=build/aws/%.o)
build/libcore.a build/libaws.a:
	rm -f $@
	$(AR) rcs $@ $^

build/core/%.o: lib/core/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(INC_core) $(ALL_CFLAGS) -c -o $@ $<

build/aws/%.o: lib/aws/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(INC_aws) $(ALL_CFLAGS) -c -o $@ $<

build/cmd/%.o: cmd/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(INC_aws) $(ALL_CFLAGS) -c -o $@ $<

.SECONDEXPANSION:
$(PROGS:%=bin/%): bin/%: build/cmd/%.o $$(%_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $($*_LIBS)

# A DynamoDB-like sink for the benchmarks and the tests (bench/ddbsink.c):
# libc and lib/'s core only; not installed.
build/ddbsink: bench/ddbsink.c $(HDR) $(CORE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(INC_core) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/ddbsink.c \
		$(CORE_OBJ) -lm

bin/populate: pipelines/populate
	@mkdir -p $(@D)
	cp pipelines/populate $@
	chmod 0755 $@

# Installs what the build and the tests need, when it is missing.
deps:
	@tools/deps

check: WERROR = -Werror
check: deps all unit
	@tests/run

# The lib/ unit tests, under AddressSanitizer and UBSan.
ASAN = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
UNIT = $(basename $(notdir $(wildcard tests/unit/test_*.c)))
ASAN_OBJ = $(CORE:%=build/asan/core/%.o) $(AWS:%=build/asan/aws/%.o)

unit: $(UNIT:%=build/asan/%) build/credprobe build/s3probe

build/asan/core/%.o: lib/core/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(INC_core) $(ALL_CFLAGS) $(ASAN) -c -o $@ $<

build/asan/aws/%.o: lib/aws/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(INC_aws) $(ALL_CFLAGS) $(ASAN) -c -o $@ $<

build/asan/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) \
		$(ASAN_OBJ)
	$(CC) $(INC_aws) $(ALL_CFLAGS) $(ASAN) -iquote tests/unit -o $@ $< \
		$(ASAN_OBJ) $(LIBS_aws) -pthread

# tests/creds.bats drives lib/aws/aws_conf and lib/aws/aws_creds through
# this, also under ASan and UBSan; it is not installed.
build/credprobe: tests/credprobe.c $(ASAN_OBJ)
	$(CC) $(INC_aws) $(ALL_CFLAGS) $(ASAN) -o $@ $< $(ASAN_OBJ) \
		$(LIBS_aws)

# tests/s3get.bats drives lib/aws/s3_get and s3_pages through this
# against the fault proxy, also under ASan and UBSan; not installed.
build/s3probe: tests/s3probe.c $(ASAN_OBJ)
	$(CC) $(INC_aws) $(ALL_CFLAGS) $(ASAN) -o $@ $< $(ASAN_OBJ) \
		$(LIBS_aws)

demo: deps all
	@tools/demo

bench: deps all
	@bench/run

# Every tests/fuzz/fuzz_*.c, built with libFuzzer against lib/ (both
# layers) and run for FUZZ_SECONDS each.  Not part of check.
FUZZCC = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ = $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_OBJ = $(CORE:%=build/fuzz/core/%.o) $(AWS:%=build/fuzz/aws/%.o)

fuzz: $(FUZZ:%=build/fuzz/%)
	@tests/fuzz/run $(FUZZ:%=build/fuzz/%)

build/fuzz/core/%.o: lib/core/%.c $(HDR)
	@mkdir -p $(@D)
	$(FUZZCC) $(INC_core) $(ALL_CFLAGS) $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/aws/%.o: lib/aws/%.c $(HDR)
	@mkdir -p $(@D)
	$(FUZZCC) $(INC_aws) $(ALL_CFLAGS) $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZCC) $(INC_aws) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_OBJ) $(LIBS_aws)

# keep the objects make would otherwise delete as intermediates
.SECONDARY: $(ASAN_OBJ) $(FUZZ_OBJ)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)
	install -m 0644 $(SHARE) $(DESTDIR)$(SHAREDIR)
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	$(if $(MAN7),install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7)

# A tarball that runs on any x86_64 Linux with glibc: tools/dist.
DIST = build/manifest-populator-$(VERSION)-x86_64-linux.tar.gz
dist: all
	@tools/dist $(DIST)

# The workers' image (Dockerfile), built without a daemon by buildah
# (Debian's package), for populate batch and populate k8s.
IMAGE = manifest-populator:$(VERSION)
image:
	@command -v buildah >/dev/null 2>&1 || { echo "make image: needs buildah (apt-get install buildah), or run: docker build -t $(IMAGE) ." >&2; exit 2; }
	buildah build --layers -f Dockerfile -t $(IMAGE) .

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) \
		$(SCRIPTS:%=$(DESTDIR)$(BINDIR)/%) \
		$(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(MAN7:man/%=$(DESTDIR)$(MANDIR)/man7/%) \
		$(SHARE:pipelines/%=$(DESTDIR)$(SHAREDIR)/%)
	-rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null

clean:
	rm -rf bin build
