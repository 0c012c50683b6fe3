#!/bin/sh
# Build the libFuzzer harnesses with clang (build-fuzz/) and run each one
# (every test/fuzz/fuzz_<name> target of test/fuzz/meson.build) for SECONDS
# (default 60) over its seeds in test/fuzz/corpus/<name>/ when there are
# some.  New inputs go to build-fuzz/fuzz-corpus/<name>/ (the committed seeds
# stay as they are), crashes to build-fuzz/fuzz-artifacts/.  Exits non-zero
# if a harness crashes or fails a property.
#   scripts/fuzz.sh [SECONDS]
set -eu

secs=${1:-60}
cd "$(dirname "$0")/.."
bd=build-fuzz

if [ ! -f "$bd/build.ninja" ]; then
	CC=clang meson setup "$bd" -Dfuzz=true -Ddataplane=false
fi
# Regenerate first (a new harness in test/fuzz/meson.build), then list.
ninja -C "$bd" build.ninja >/dev/null 2>&1 || true
targets=$(ninja -C "$bd" -t targets all | sed -n 's|^\(test/fuzz/fuzz_[A-Za-z0-9_]*\): .*|\1|p')
[ -n "$targets" ] || { echo "fuzz: no harness in $bd" >&2; exit 1; }
# Other directories may not build with clang yet: then build just the harnesses.
if ! ninja -C "$bd" >"$bd/fuzz-build.log" 2>&1; then
	echo "fuzz: full clang build failed (see $bd/fuzz-build.log); building the harnesses only"
	# shellcheck disable=SC2086
	ninja -C "$bd" $targets
fi

rc=0
mkdir -p "$bd/fuzz-artifacts"
for t in $targets; do
	f=${t##*/}
	name=${f#fuzz_}
	work="$bd/fuzz-corpus/$name"
	mkdir -p "$work"
	set -- "$work"
	[ -d "test/fuzz/corpus/$name" ] && set -- "$@" "test/fuzz/corpus/$name"
	[ -f "test/fuzz/$name.dict" ] && set -- "-dict=test/fuzz/$name.dict" "$@"
	echo "fuzz: $f for ${secs}s"
	if ! "$bd/$t" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$bd/fuzz-artifacts/$f-" "$@"; then
		echo "fuzz: $f FAILED, inputs in $bd/fuzz-artifacts/" >&2
		rc=1
	fi
done
exit $rc
