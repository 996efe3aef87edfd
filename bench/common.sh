# Shared by the benchmarks (bench/run runs them all): a temporary folder, removed on exit with every image and container
# the bench made; the SDK packed into a local feed; model folders; rounds of hyperfine; the ratio of medians.
# Sourced by a bench script after `set -euo pipefail` and $repo; needs hyperfine (Debian: apt-get install hyperfine),
# python3 and a running docker.
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }

# Everything a bench makes is in $work, and its images and containers carry the label cog.bench=$bench_id, so that
# cleaning up touches nothing of anyone else's on a shared engine.
work=$(mktemp -d /tmp/cog-bench.XXXXXX)
bench_id=$(basename "$work" | tr 'A-Z.' 'a-z-')

# bench_on_exit COMMAND: run COMMAND when the bench ends, however it ends (last registered, first run).
bench_on_exit() { echo "$1" >>"$work/on-exit"; }

bench_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -f "$work/on-exit" ]; then
    tac "$work/on-exit" >"$work/on-exit.reversed"
    while read -r command; do eval "$command" >/dev/null 2>&1 || true; done <"$work/on-exit.reversed"
  fi
  docker ps -aq --filter "label=cog.bench=$bench_id" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker image ls -aq --filter "label=cog.bench=$bench_id" | sort -u | xargs -r docker image rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bench_pack: the SDK of this checkout in a local feed, under a version no NuGet cache has seen; sets $version. Packed
# once per bench/run, which hands the feed to each bench (BENCH_FEED, BENCH_VERSION, and one package folder, BENCH_PACKAGES).
bench_pack() {
  if [ -z "${BENCH_FEED:-}" ]; then
    export BENCH_VERSION="0.1.0-bench.$(date +%s)" BENCH_FEED="$work/feed" BENCH_PACKAGES="$work/packages"
    dotnet build "$repo/src/Cog.Sdk" -c Release -nologo -v:q >/dev/null
    dotnet pack "$repo/src/Cog.Sdk" -c Release --no-build -o "$BENCH_FEED" -p:Version="$BENCH_VERSION" -nologo -v:q >/dev/null
  fi
  cat >"$work/NuGet.config" <<XML
<configuration><packageSources><clear /><add key="feed" value="$BENCH_FEED" /></packageSources></configuration>
XML
  export NUGET_PACKAGES="$BENCH_PACKAGES"
  version=$BENCH_VERSION
}

# bench_project DIR: the project file of a model in DIR, whose image is named $bench_id-<folder name> (bench_image) and
# labelled for the clean-up.
bench_project() {
  mkdir -p "$1"
  cat >"$1/$(basename "$1").csproj" <<XML
<Project Sdk="Cog.Sdk/$version">
  <PropertyGroup>
    <CogImageName>$(bench_image "$1")</CogImageName>
  </PropertyGroup>
  <ItemGroup>
    <CogImageLabel Include="cog.bench" Value="$bench_id" />
  </ItemGroup>
</Project>
XML
}

# bench_image DIR: the name of the image of the model in DIR.
bench_image() { echo "$bench_id-$(basename "$1")"; }

# bench_model DIR [WEIGHTS]: a CPU model (Python 3.11 and no packages: nothing to download); with WEIGHTS, that file is
# its weights (weights/model.bin, a hard link, not a copy). Restored.
bench_model() {
  local dir=$1 weights=${2:-}
  bench_project "$dir"
  cat >"$dir/cog.yaml" <<'YAML'
build:
  python_version: "3.11"
predict: "predict.py:Predictor"
YAML
  cat >"$dir/predict.py" <<'PY'
from cog import BasePredictor

class Predictor(BasePredictor):
    def predict(self, text: str) -> str:
        return text
PY
  if [ -n "$weights" ]; then
    mkdir -p "$dir/weights"
    ln "$weights" "$dir/weights/model.bin"
  fi
  dotnet restore "$dir" -nologo -v:q >/dev/null
}

# bench_empty DIR: the baseline project, one that compiles nothing, with an empty target (Empty). Restored.
bench_empty() {
  mkdir -p "$1"
  cat >"$1/Empty.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <DisableImplicitFrameworkReferences>true</DisableImplicitFrameworkReferences>
    <GenerateAssemblyInfo>false</GenerateAssemblyInfo>
    <OutputType>Library</OutputType>
  </PropertyGroup>
  <Target Name="Empty" />
</Project>
XML
  dotnet restore "$1" -nologo -v:q >/dev/null
}

# bench_rounds ROUNDS HYPERFINE-ARGUMENTS...: rounds of hyperfine, each running every command, so that a slow spell of a
# shared machine falls on all of them alike ($work/round-N.json); the load average is noted before and after each.
bench_rounds() {
  local rounds=$1 round
  shift
  for round in $(seq 1 "$rounds"); do
    cut -d' ' -f1 /proc/loadavg >>"$work/load"
    hyperfine --export-json "$work/round-$round.json" "$@"
    cut -d' ' -f1 /proc/loadavg >>"$work/load"
  done
}

# bench_ratio ROUNDS FIGURE BASELINE MEASURED [--title T] [--baseline-title T] [--target N] [--note T]: the medians of two
# hyperfine commands over all rounds and their ratio, printed, and recorded in $BENCH_RESULTS when set (bench/ratio.py).
bench_ratio() { python3 "$repo/bench/ratio.py" "$work" rounds "$@"; }

# bench_median ROUNDS COMMAND: the median of one hyperfine command over all rounds, in seconds.
bench_median() { python3 "$repo/bench/ratio.py" "$work" median "$@"; }

# bench_record FIGURE --baseline-median X --measured-median Y [--unit U] [options as above]: a figure measured otherwise
# (sizes, BenchmarkDotNet's times), printed and recorded the same way.
bench_record() { python3 "$repo/bench/ratio.py" "$work" record "$@"; }
