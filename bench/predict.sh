#!/usr/bin/env bash
# Figure 4: `dotnet msbuild -t:CogPredict` on a built model against the same prediction made by hand (docker run -d -p,
# GET /health-check until READY, curl POST /predictions, docker rm -f) plus an empty `dotnet msbuild` target of a
# project: what CogPredict adds to the engine's work and to MSBuild's start (checking the inputs, the no-op build, reading
# the schema, the output written). Both run side by side in rounds of hyperfine, with the empty target and the no-op
# build alone beside them, to tell the prediction apart from what precedes it; target: ratio ≤ 1.10.
#
#   bench/predict.sh [runs per round (default 10)]
#   BENCH_ROUNDS=3 (default): rounds of hyperfine, each running the four.
#
# Needs: a running docker, curl, hyperfine (Debian: apt-get install hyperfine), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
rounds=${BENCH_ROUNDS:-3}
. "$repo/bench/common.sh"
command -v curl >/dev/null || { echo "bench: curl is needed" >&2; exit 1; }

bench_pack
bench_empty "$work/empty"
bench_model "$work/model"
image=$(bench_image "$work/model")
echo "bench: building $image"
dotnet build "$work/model" -nologo -nr:false -tl:off -v:q --no-restore >/dev/null

# The prediction by hand, as one would script it: the container on a fixed loopback port, polled every 0.1 s.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/by-hand.sh" <<SH
#!/bin/sh
set -e
docker run -d --rm --name $bench_id-by-hand --label cog.bench=$bench_id -p 127.0.0.1:$port:5000 $image >/dev/null
until curl -sf http://127.0.0.1:$port/health-check | grep -q READY; do sleep 0.1; done
curl -sf -H 'Content-Type: application/json' -d '{"input": {"text": "hi"}}' http://127.0.0.1:$port/predictions
docker rm -f $bench_id-by-hand >/dev/null
SH
chmod +x "$work/by-hand.sh"

predict="dotnet msbuild $work/model -t:CogPredict -p:CogInput=text=hi -nologo -nr:false -tl:off -v:q"
empty="dotnet msbuild $work/empty -t:Empty -nologo -nr:false -tl:off -v:q"
by_hand="$empty && $work/by-hand.sh"

# Both give the same answer before either is timed.
echo "bench: one prediction each way"
$predict >/dev/null
grep -qx hi "$work/model/bin/Debug/net10.0/cog-output/output.txt" || { echo "bench: CogPredict wrote no 'hi'" >&2; exit 1; }
sh -c "$by_hand" | grep -q '"output": *"hi"' || { echo "bench: the prediction by hand did not answer 'hi'" >&2; exit 1; }

# Beside them, what each starts with: the empty target alone, and the no-op build CogPredict runs first (CogBuild), so that
# the difference can be told apart: the prediction itself, and the build and MSBuild around it.
build="dotnet msbuild $work/model -t:CogBuild -nologo -nr:false -tl:off -v:q"
bench_rounds "$rounds" --warmup 2 --runs "$runs" -n by-hand "$by_hand" -n cog-predict "$predict" -n empty "$empty" -n cog-build "$build"
prediction=$(awk -v p="$(bench_median "$rounds" cog-predict)" -v b="$(bench_median "$rounds" cog-build)" 'BEGIN { printf "%.3f", p - b }')
by_hand_alone=$(awk -v h="$(bench_median "$rounds" by-hand)" -v e="$(bench_median "$rounds" empty)" 'BEGIN { printf "%.3f", h - e }')
bench_ratio "$rounds" predict by-hand cog-predict --target 1.10 \
  --title "dotnet msbuild -t:CogPredict" --baseline-title "the prediction by hand (docker run, curl) + an empty dotnet msbuild target" \
  --note "the prediction alone (medians: CogPredict less the no-op CogBuild it starts with, against by hand less the empty target): $prediction s against $by_hand_alone s"
bench_ratio "$rounds" predict-build empty cog-build \
  --title "dotnet msbuild -t:CogBuild, no-op (what CogPredict starts with)" --baseline-title "an empty dotnet msbuild target"
