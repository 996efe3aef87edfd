#!/usr/bin/env bash
# Measures what a no-op `dotnet build` of a Cog model costs next to an empty project's no-op build,
# run side by side with hyperfine, and prints the ratio. The model folder holds a 1 GB weights file:
# the stamp in obj/cog must make the second build skip the engine without reading it.
#
#   bench/noop-build.sh [weights-size-in-MB (default 1024)] [runs (default 10)]
#
# Needs: a running docker or podman, hyperfine (Debian: apt-get install hyperfine), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1024}
runs=${2:-10}
work=$(mktemp -d /tmp/cog-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }

version="0.1.0-bench.$(date +%s)"
dotnet build "$repo/src/Cog.Sdk" -c Release -nologo -v:q >/dev/null
dotnet pack "$repo/src/Cog.Sdk" -c Release --no-build -o "$work/feed" -p:Version="$version" -nologo -v:q >/dev/null

cat >"$work/NuGet.config" <<XML
<configuration><packageSources><clear /><add key="feed" value="$work/feed" /></packageSources></configuration>
XML
export NUGET_PACKAGES="$work/packages"

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

build() { dotnet build "$1" -nologo -nr:false -tl:off -v:q --no-restore; }
dotnet restore "$work/empty" -nologo -v:q >/dev/null
dotnet restore "$work/model" -nologo -v:q >/dev/null
echo "bench: first builds (the model's image is built once here)"
time build "$work/empty" >/dev/null
time build "$work/model" >/dev/null

hyperfine --warmup 2 --runs "$runs" --export-json "$work/result.json" \
  -n empty "dotnet build $work/empty -nologo -nr:false -tl:off -v:q --no-restore" \
  -n cog-model "dotnet build $work/model -nologo -nr:false -tl:off -v:q --no-restore"

python3 - "$work/result.json" "$size_mb" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
empty, model = results["empty"]["mean"], results["cog-model"]["mean"]
print(f"no-op build: empty project {empty:.3f} s, Cog model with {sys.argv[2]} MB of weights {model:.3f} s, ratio {model / empty:.3f}")
PY
image="cog-model"
docker image rm -f "$image" >/dev/null 2>&1 || true
