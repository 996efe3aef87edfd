#!/usr/bin/env bash
# Figure 1: what a no-op `dotnet build` of a Cog model costs next to an empty project's no-op build, for a model with no
# weights and for one with a large weights file, run side by side in rounds of hyperfine; target: each ratio ≤ 1.10.
# MSBuild must skip every step of the second build and ask the engine nothing but whether the image still exists; the
# engine commands the no-op builds run are counted (0 expected: that question goes over docker's socket).
#
#   bench/noop-build.sh [weights-size-in-MB (default 1024)] [runs per round (default 10)]
#   BENCH_ROUNDS=3 (default): rounds of hyperfine, each running the three builds.
#   The engine's builder is the one the environment gives (BuildKit; DOCKER_BUILDKIT=0 for the classic builder).
#
# Needs: a running docker, hyperfine (Debian: apt-get install hyperfine), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1024}
runs=${2:-10}
rounds=${BENCH_ROUNDS:-3}
. "$repo/bench/common.sh"

bench_pack
bench_empty "$work/empty"
bench_model "$work/model"
dd if=/dev/urandom of="$work/model.bin" bs=1M count="$size_mb" status=none
bench_model "$work/weights" "$work/model.bin"

# Every engine command a build runs is counted by a docker on PATH that logs its arguments, then runs the real one.
mkdir -p "$work/shim"
real_docker=$(command -v docker)
printf '#!/bin/sh\necho "$*" >> "%s/engine-calls.log"\nexec "%s" "$@"\n' "$work" "$real_docker" >"$work/shim/docker"
chmod +x "$work/shim/docker"
export PATH="$work/shim:$PATH"

build() { echo "dotnet build $work/$1 -nologo -nr:false -tl:off -v:q --no-restore"; }
echo "bench: first builds (each model's image is built here)"
for project in empty model weights; do $(build $project) >/dev/null; done
: >"$work/engine-calls.log"

bench_rounds "$rounds" --warmup 2 --runs "$runs" -n empty "$(build empty)" -n model "$(build model)" -n weights "$(build weights)"

calls=$(wc -l <"$work/engine-calls.log")
builds=$(grep -cE '^(buildx )?build( |$)' "$work/engine-calls.log" || true)
note="engine commands run by the no-op builds: $calls, of which builds: $builds"
no_builds=$([ "$builds" = 0 ] && echo yes || echo no)
bench_ratio "$rounds" noop empty model --target 1.10 --target-text "≤ 1.10, 0 engine builds" --met "$no_builds" --note "$note" \
  --title "no-op dotnet build of a model" --baseline-title "no-op dotnet build of an empty project"
bench_ratio "$rounds" noop-weights empty weights --target 1.10 --target-text "≤ 1.10, 0 engine builds" --met "$no_builds" --note "$note" \
  --title "no-op dotnet build of a model with $size_mb MB of weights" --baseline-title "no-op dotnet build of an empty project"
