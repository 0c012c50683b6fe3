#!/bin/sh
# The project's test command (README "Run the tests"; .ci/run calls it).
# On a fresh Debian 12 machine, as root: installs what it needs, builds,
# runs every test suite (unit, packet, namespace end-to-end), then each
# fuzzer for a bounded time.  Ends with meson's summary and a final line
# "N passed, N failed" over the steps.
#   scripts/test.sh [--quick] [meson test args...]
#     --quick   unit and packet suites only, 10 s of fuzzing
#     DMVPN_FUZZ_SECONDS  seconds per fuzzer (default 60)
set -u

cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then
	quick=1
	shift
fi

scripts/setup.sh || { echo "setup failed"; exit 1; }
if [ ! -f build/build.ninja ]; then
	meson setup build || exit 1
else
	meson setup --reconfigure build >/dev/null || exit 1
fi
ninja -C build || { echo "build failed"; exit 1; }

passed=0
failed=0
step() {
	name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
		echo "=== $name: PASS"
	else
		failed=$((failed + 1))
		echo "=== $name: FAIL"
	fi
}

if [ $quick = 1 ]; then
	step "unit and packet tests" meson test -C build --print-errorlogs --no-suite netns "$@"
	step "fuzzers (10 s each)" scripts/fuzz.sh 10
else
	step "unit and packet tests" meson test -C build --print-errorlogs --no-suite netns "$@"
	step "namespace end-to-end tests" meson test -C build --print-errorlogs --suite netns "$@"
	step "fuzzers (${DMVPN_FUZZ_SECONDS:-60} s each)" scripts/fuzz.sh "${DMVPN_FUZZ_SECONDS:-60}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
