# SPDX-License-Identifier: MIT
# The workers' image, for populate batch and populate k8s: Debian 12 slim,
# the runtime libraries, and make install; it runs `populate worker`,
# which takes the plan from POPULATE_PLAN and its shard from
# AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX.
#
#   make image                      (buildah, no daemon: IMAGE=name:tag)
#   docker build -t NAME:TAG .      (the same with Docker or Podman)

FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
	gcc make pkg-config libc6-dev libcurl4-openssl-dev libssl-dev \
	zlib1g-dev libbz2-dev libzstd-dev libjansson-dev libexpat1-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" && make install PREFIX=/usr/local DESTDIR=/out

FROM debian:12-slim
# what the programs link (libcurl4 ... libbz2-1.0), jq for populate, and
# the CA store for TLS
RUN apt-get update && apt-get install -y --no-install-recommends \
	libcurl4 libssl3 zlib1g libbz2-1.0 libzstd1 libjansson4 libexpat1 \
	jq ca-certificates \
	&& rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local/ /usr/local/
# nobody: a worker needs no privilege, and writes only to /tmp
USER 65534:65534
ENV TMPDIR=/tmp
CMD ["populate", "worker"]
