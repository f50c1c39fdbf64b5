#!/usr/bin/env bash
# Builds the mock Kafka broker into ops/kafka-mock/build/mock-broker. Needs Debian's librdkafka-dev.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/build"
cc -O2 -Wall -o "$here/build/mock-broker" "$here/mock-broker.c" -lrdkafka
echo "$here/build/mock-broker"
