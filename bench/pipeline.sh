#!/usr/bin/env bash
# Figure 2: the in-process pipeline (parse, validate, resolve, generate the Dockerfile) with BenchmarkDotNet, time and
# allocations per run: a real cog.yaml (tests/corpus/replicate__cog-sdxl) and a large one (500 python packages, 200
# system packages, 100 run commands), each as a ratio against the smallest cog.yaml in the same run; target: under 5 ms
# and 5 MB. Also, without a target, with the files a build's tasks hand on (model.json written and read back,
# Dockerfile.json), and the linear-size check: the time per package of 20000 packages against 200 (about 1 when the
# pipeline is linear).
#
#   bench/pipeline.sh [BenchmarkDotNet arguments, e.g. --filter '*PipelineBenchmarks*']
#
# Needs: the .NET SDK, python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/common.sh"

cut -d' ' -f1 /proc/loadavg >>"$work/load"
dotnet run -c Release --project "$repo/bench/pipeline" -- "$work/pipeline.tsv" --artifacts "$work/artifacts" "$@"
cut -d' ' -f1 /proc/loadavg >>"$work/load"

# The median in ms and the allocations in MB (1 MB = 1024 KB, as BenchmarkDotNet counts) of one case.
ms() { awk -F'\t' -v name="$1" '$1 == name { printf "%.6f", $2 / 1e6 }' "$work/pipeline.tsv"; }
mb() { awk -F'\t' -v name="$1" '$1 == name { printf "%.3f", $3 / 1048576 }' "$work/pipeline.tsv"; }
has() { grep -q "^$1	" "$work/pipeline.tsv"; }

# pipeline_figure FIGURE CASE BASELINE TITLE [TARGET]: a case against the smallest cog.yaml; with TARGET (the pipeline
# itself), met when under 5 ms and 5 MB.
pipeline_figure() {
  local figure=$1 case=$2 baseline=$3 title=$4 target=${5:-}
  has "$case" && has "$baseline" || return 0
  local check=()
  if [ -n "$target" ]; then
    check=(--target-text "< 5 ms, < 5 MB" --met "$(awk -v t="$(ms "$case")" -v m="$(mb "$case")" 'BEGIN { print (t < 5 && m < 5) ? "yes" : "no" }')")
  fi
  bench_record "$figure" --measured-median "$(ms "$case")" --baseline-median "$(ms "$baseline")" --unit ms "${check[@]}" \
    --title "$title" --baseline-title "the same for the smallest cog.yaml" \
    --note "allocated $(mb "$case") MB per run (the smallest cog.yaml: $(mb "$baseline") MB)"
}
pipeline_figure pipeline-realistic Realistic-False Minimal-False "in-process pipeline, a real cog.yaml (cog-sdxl)" target
pipeline_figure pipeline-large Large-False Minimal-False "in-process pipeline, 500 python packages, 200 system packages, 100 run commands" target
pipeline_figure pipeline-realistic-files Realistic-True Minimal-True "the same with the files a build hands on (model.json, Dockerfile.json), a real cog.yaml"
pipeline_figure pipeline-large-files Large-True Minimal-True "the same with the files a build hands on, the large cog.yaml"

# Linear: the time per package at 20000 packages against 200: about 1 for a linear pipeline (the GC of a larger heap adds
# some), about 100 for one quadratic in the packages.
for form in python_packages python_requirements; do
  small="Pipeline-$form-200" big="Pipeline-$form-20000"
  has "$small" && has "$big" || continue
  bench_record "linear-$form" --unit "ms per 1000 packages" \
    --measured-median "$(awk -v t="$(ms "$big")" 'BEGIN { printf "%.6f", t / 20 }')" \
    --baseline-median "$(awk -v t="$(ms "$small")" 'BEGIN { printf "%.6f", t / 0.2 }')" \
    --target 2 --target-text "≤ 2 (linear; quadratic would be 100)" \
    --title "in-process pipeline per package, 20000 $form" --baseline-title "the same for 200" \
    --note "$(printf %.1f "$(ms "$big")") ms for 20000, $(printf %.2f "$(ms "$small")") ms for 200; allocated $(mb "$big") MB and $(mb "$small") MB"
done
