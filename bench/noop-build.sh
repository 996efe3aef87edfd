#!/usr/bin/env bash
# Measures what a no-op `dotnet build` of a Cog model costs next to an empty project's no-op build,
# run side by side with hyperfine, and prints the ratio. The model folder holds a 1 GB weights file:
# MSBuild must skip every step of the second build and ask the engine nothing but whether the image still exists;
# the engine commands the no-op builds run are counted (0 expected: that question goes over docker's socket).
#
#   bench/noop-build.sh [weights-size-in-MB (default 1024)] [runs per round (default 10)]
#   BENCH_ROUNDS=3 (default): rounds of hyperfine, each running both builds.
#   The engine's builder is the one the environment gives (BuildKit; DOCKER_BUILDKIT=0 for the classic builder).
#
# Needs: a running docker or podman, hyperfine (Debian: apt-get install hyperfine), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1024}
runs=${2:-10}
rounds=${BENCH_ROUNDS:-3}
work=$(mktemp -d /tmp/cog-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$repo/bench/common.sh"

version=$(bench_pack)

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
dotnet restore "$work/empty" -nologo -v:q >/dev/null

# The model: a CPU image with a large weights file in the build context.
dd if=/dev/urandom of="$work/model.bin" bs=1M count="$size_mb" status=none
bench_model "$work/model" "$version" "$work/model.bin"

# Every engine command a build runs is counted by a docker on PATH that logs its arguments, then runs the real one.
mkdir -p "$work/shim"
real_docker=$(command -v docker)
printf '#!/bin/sh\necho "$*" >> "%s/engine-calls.log"\nexec "%s" "$@"\n' "$work" "$real_docker" >"$work/shim/docker"
chmod +x "$work/shim/docker"
export PATH="$work/shim:$PATH"

build() { dotnet build "$1" -nologo -nr:false -tl:off -v:q --no-restore; }
echo "bench: first builds (the model's image is built once here)"
time build "$work/empty" >/dev/null
time build "$work/model" >/dev/null
: >"$work/engine-calls.log"

# Rounds of hyperfine, each running both builds, so that a slow spell of a shared machine falls on both alike;
# the ratio of the medians over all rounds is the result (means are printed beside it).
for round in $(seq 1 "$rounds"); do
  hyperfine --warmup 2 --runs "$runs" --export-json "$work/round-$round.json" \
    -n empty "dotnet build $work/empty -nologo -nr:false -tl:off -v:q --no-restore" \
    -n cog-model "dotnet build $work/model -nologo -nr:false -tl:off -v:q --no-restore"
done

bench_report "$rounds" empty cog-model
python3 - "$work" <<'PY'
import sys
calls = [line.split() for line in open(sys.argv[1] + "/engine-calls.log") if line.strip()]
builds = sum(1 for c in calls if c and (c[0] == "build" or c[:2] == ["buildx", "build"]))
print(f"engine commands run by the no-op builds: {len(calls)} ({builds} builds)")
PY
docker image rm -f cog-model >/dev/null 2>&1 || true
