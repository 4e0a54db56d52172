#!/usr/bin/env bash
# The signal benchmarks, each case in processes of its own: a case's figures depend on the
# memory the process already holds (a case run after BM_SignalThroughput/1 inherits pages that
# are already faulted in, and runs up to several times faster than it does alone), so neither
# running the cases one after another nor Google Benchmark's repetitions within one process
# measures what the case says. Prints every run's line, then each case's median signals/s.
#
#   scripts/bench-signals.sh BUILD_DIR [RUNS]   (RUNS defaults to 5)
set -euo pipefail
build=${1:?usage: bench-signals.sh BUILD_DIR [RUNS]}
runs=${2:-5}
bin=$build/benchmarks/signal_benchmark

for name in $("$bin" --benchmark_list_tests); do
  for ((i = 1; i <= runs; i++)); do
    "$bin" --benchmark_filter="^${name}\$" 2>/dev/null | grep '^BM_'
  done | tee /dev/stderr | awk -v name="$name" '
    {
      for (i = 1; i <= NF; i++) {
        if ($i !~ /^items_per_second=/) continue
        v = substr($i, 18); sub(/\/s$/, "", v)
        m = 1
        if (v ~ /k$/) m = 1e3; else if (v ~ /M$/) m = 1e6; else if (v ~ /G$/) m = 1e9
        sub(/[kMG]$/, "", v)
        rate[++n] = v * m
      }
    }
    END {
      if (n == 0) { print name ": no figure" > "/dev/stderr"; exit 1 }
      # Insertion sort: n is the number of runs.
      for (i = 2; i <= n; i++) {
        x = rate[i]
        for (j = i - 1; j >= 1 && rate[j] > x; j--) rate[j + 1] = rate[j]
        rate[j + 1] = x
      }
      median = n % 2 ? rate[(n + 1) / 2] : (rate[n / 2] + rate[n / 2 + 1]) / 2
      printf "%s: median %.0f signals/s over %d processes (min %.0f, max %.0f)\n",
             name, median, n, rate[1], rate[n]
    }'
done
