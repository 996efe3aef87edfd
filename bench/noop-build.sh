#!/usr/bin/env bash
# Measures what a no-op `dotnet build` of a Cog model costs next to an empty project's no-op build,
# run side by side with hyperfine, and prints the ratio. The model folder holds a 1 GB weights file:
# the stamp in obj/cog must make the second build skip the engine without reading it.
#
#   bench/noop-build.sh [weights-size-in-MB (default 1024)] [runs per round (default 10)]
#   BENCH_ROUNDS=3 (default): rounds of hyperfine, each running both builds.
#
# Needs: a running docker or podman, hyperfine (Debian: apt-get install hyperfine), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1024}
runs=${2:-10}
work=$(mktemp -d /tmp/cog-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }

. "$repo/bench/pack-sdk.sh"

# The baseline: an empty project that compiles nothing.
mkdir -p "$work/empty"
cat >"$work/empty/Empty.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <DisableImplicitFrameworkReferences>true</DisableImplicitFrameworkReferences>
    <GenerateAssemblyInfo>false</GenerateAssemblyInfo>
    <OutputType>Library</OutputType>
  </PropertyGroup>
</Project>
XML

# The model: a CPU image with a large weights file in the build context.
mkdir -p "$work/model/weights"
echo "<Project Sdk=\"Cog.Sdk/$version\" />" >"$work/model/BenchModel.csproj"
cat >"$work/model/cog.yaml" <<'YAML'
build:
  python_version: "3.11"
predict: "predict.py:Predictor"
YAML
cat >"$work/model/predict.py" <<'PY'
from cog import BasePredictor

class Predictor(BasePredictor):
    def predict(self, text: str) -> str:
        return text
PY
dd if=/dev/urandom of="$work/model/weights/model.bin" bs=1M count="$size_mb" status=none

# Every engine command a build runs is counted by a docker on PATH that logs its arguments, then runs the real one.
mkdir -p "$work/shim"
real_docker=$(command -v docker)
printf '#!/bin/sh\necho "$*" >> "%s/engine-calls.log"\nexec "%s" "$@"\n' "$work" "$real_docker" >"$work/shim/docker"
chmod +x "$work/shim/docker"
export PATH="$work/shim:$PATH"

build() { dotnet build "$1" -nologo -nr:false -tl:off -v:q --no-restore; }
dotnet restore "$work/empty" -nologo -v:q >/dev/null
dotnet restore "$work/model" -nologo -v:q >/dev/null
echo "bench: first builds (the model's image is built once here)"
time build "$work/empty" >/dev/null
time build "$work/model" >/dev/null
: >"$work/engine-calls.log"

# Rounds of hyperfine, each running both builds, so that a slow spell of a shared machine falls on both alike;
# the ratio of the medians over all rounds is the result (means are printed beside it).
empty_cmd="dotnet build $work/empty -nologo -nr:false -tl:off -v:q --no-restore"
model_cmd="dotnet build $work/model -nologo -nr:false -tl:off -v:q --no-restore"
rounds=${BENCH_ROUNDS:-3}
for round in $(seq 1 "$rounds"); do
  hyperfine --warmup 2 --runs "$runs" --export-json "$work/round-$round.json" -n empty "$empty_cmd" -n cog-model "$model_cmd"
done

python3 - "$work" "$rounds" "$size_mb" <<'PY2'
import json, statistics, sys
work, rounds, size_mb = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times = {"empty": [], "cog-model": []}
for round in range(1, rounds + 1):
    for result in json.load(open(f"{work}/round-{round}.json"))["results"]:
        times[result["command"]] += result["times"]
empty, model = times["empty"], times["cog-model"]
print(f"no-op build, {len(empty)} runs each: empty project median {statistics.median(empty):.3f} s (mean {statistics.mean(empty):.3f}), "
      f"Cog model with {size_mb} MB of weights median {statistics.median(model):.3f} s (mean {statistics.mean(model):.3f})")
print(f"ratio of medians {statistics.median(model) / statistics.median(empty):.3f}, ratio of means {statistics.mean(model) / statistics.mean(empty):.3f}")
calls = [line.split() for line in open(f"{work}/engine-calls.log") if line.strip()]
builds = sum(1 for c in calls if c and (c[0] == "build" or c[:2] == ["buildx", "build"]))
print(f"engine commands run by {len(model) + rounds * 2} no-op builds: {len(calls)} ({builds} builds)")
PY2
image="cog-model"
docker image rm -f "$image" >/dev/null 2>&1 || true
