#!/usr/bin/env bash
# Measures what CogServe saves: `dotnet msbuild -t:CogPredict` on a model whose setup() takes SETUP seconds (a weights
# load), once with nothing served (each prediction starts a container and runs setup()) and once with the model kept by
# CogServe (the prediction goes to the running container). Both run side by side with hyperfine, in rounds, on two copies
# of the same project that share one image; the ratio served/unserved is the result, printed beside what it would be if
# the served call still carried setup().
#
#   bench/served-predict.sh [setup seconds (default 5)] [runs per round (default 5)]
#   BENCH_ROUNDS=3 (default): rounds of hyperfine, each running both predictions.
#
# Needs: a running docker or podman, hyperfine (Debian: apt-get install hyperfine), python3.
#
# Measured 2026-12-02 (a shared 2-core AMD EPYC VM, .NET SDK 10.0.401, Docker 26.1, other builds running beside it),
# setup() of 5 s, three rounds of five runs each: nothing served median 7.923 s, served median 1.403 s, ratio 0.177
# (a served call that still ran setup() would be at least 0.631); one setup() in the served container for all 15 + 3
# served calls. An earlier run of two rounds of four: 6.906 s against 0.877 s, ratio 0.127.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
setup_seconds=${1:-5}
runs=${2:-5}
work=$(mktemp -d /tmp/cog-bench-serve.XXXXXX)
image="cog-bench-served-$$"
serve_pid=""
cleanup() {
  # CogStop from "another shell" ends CogServe, which removes its container.
  if [ -n "$serve_pid" ]; then dotnet msbuild "$work/served" -t:CogStop -nologo -v:q >/dev/null 2>&1 || true; wait "$serve_pid" 2>/dev/null || true; fi
  docker image rm -f "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
. "$repo/bench/common.sh"

version=$(bench_pack)

# Two copies of one model: "served" is kept by CogServe, "unserved" never is. They build the same image.
for copy in served unserved; do
  mkdir -p "$work/$copy"
  echo "<Project Sdk=\"Cog.Sdk/$version\" />" >"$work/$copy/BenchModel.csproj"
  cat >"$work/$copy/cog.yaml" <<'YAML'
build:
  python_version: "3.11"
run: "predict.py:Runner"
YAML
  cat >"$work/$copy/predict.py" <<PY
import time
from cog import BaseRunner

class Runner(BaseRunner):
    def setup(self):
        time.sleep($setup_seconds)  # the weights' load

    def run(self, text: str) -> str:
        return text
PY
  dotnet msbuild -restore "$work/$copy" -t:CogBuild -p:CogImageName="$image" -nologo -v:q >/dev/null
done

dotnet msbuild "$work/served" -t:CogServe -p:CogImageName="$image" -nologo -tl:off >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 600); do grep -q "Cog: serving" "$work/serve.log" && break; sleep 0.2; done
grep -q "Cog: serving" "$work/serve.log" || { cat "$work/serve.log" >&2; echo "bench: CogServe did not serve" >&2; exit 1; }

predict() { echo "dotnet msbuild $work/$1 -t:CogPredict -p:CogImageName=$image -p:CogInput=text=hi -nologo -nr:false -tl:off -v:q"; }
rounds=${BENCH_ROUNDS:-3}
for round in $(seq 1 "$rounds"); do
  hyperfine --warmup 1 --runs "$runs" --export-json "$work/round-$round.json" -n unserved "$(predict unserved)" -n served "$(predict served)"
done

bench_report "$rounds" unserved served
echo "a served call that still ran setup() would take at least $setup_seconds s"
grep -c "cog: setup finished" "$work/serve.log" | sed 's/^/setups run by the served container: /'
