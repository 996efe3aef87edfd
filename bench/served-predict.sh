#!/usr/bin/env bash
# What CogServe saves: `dotnet msbuild -t:CogPredict` on a model whose setup() takes SETUP seconds (a weights load), once
# with nothing served (each prediction starts a container and runs setup()) and once with the model kept by CogServe
# (the prediction goes to the running container). Both run side by side in rounds of hyperfine, on two copies of the
# same project; the ratio served/unserved is the result.
#
#   bench/served-predict.sh [setup seconds (default 5)] [runs per round (default 5)]
#   BENCH_ROUNDS=3 (default): rounds of hyperfine, each running both predictions.
#
# Needs: a running docker or podman, hyperfine (Debian: apt-get install hyperfine), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
setup_seconds=${1:-5}
runs=${2:-5}
rounds=${BENCH_ROUNDS:-3}
. "$repo/bench/common.sh"
bench_pack

# Two copies of one model: "served" is kept by CogServe, "unserved" never is. Each has an image name of its own: two
# projects that share a name take it from each other, and each build then finds the other's image under it and rebuilds.
for copy in served unserved; do
  bench_project "$work/$copy"
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
  dotnet msbuild -restore "$work/$copy" -t:CogBuild -nologo -v:q >/dev/null
done

dotnet msbuild "$work/served" -t:CogServe -nologo -tl:off >"$work/serve.log" 2>&1 &
serve_pid=$!
# CogStop from "another shell" ends CogServe, which removes its container.
bench_on_exit "dotnet msbuild $work/served -t:CogStop -nologo -v:q; wait $serve_pid"
for _ in $(seq 1 600); do grep -q "Cog: serving" "$work/serve.log" && break; sleep 0.2; done
grep -q "Cog: serving" "$work/serve.log" || { cat "$work/serve.log" >&2; echo "bench: CogServe did not serve" >&2; exit 1; }

predict() { echo "dotnet msbuild $work/$1 -t:CogPredict -p:CogInput=text=hi -nologo -nr:false -tl:off -v:q"; }
bench_rounds "$rounds" --warmup 1 --runs "$runs" -n unserved "$(predict unserved)" -n served "$(predict served)"

setups=$(grep -c "cog: setup finished" "$work/serve.log" || true)
bench_ratio "$rounds" served unserved served \
  --title "dotnet msbuild -t:CogPredict on the model CogServe keeps" --baseline-title "the same with nothing served" \
  --note "setup() takes $setup_seconds s, which a served call skips: the served container ran it $setups time(s) for all its calls"
