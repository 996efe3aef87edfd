# Shared by the benchmarks: the SDK packed into a local feed, model folders, and the ratio of medians over rounds.
# Sourced, with $repo and $work set; needs hyperfine (Debian: apt-get install hyperfine) and python3.
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }

# Packs the SDK from this checkout into $work/feed under a version no NuGet cache has seen; prints the version.
bench_pack() {
  local version="0.1.0-bench.$(date +%s)"
  dotnet build "$repo/src/Cog.Sdk" -c Release -nologo -v:q >/dev/null
  dotnet pack "$repo/src/Cog.Sdk" -c Release --no-build -o "$work/feed" -p:Version="$version" -nologo -v:q >/dev/null
  cat >"$work/NuGet.config" <<XML
<configuration><packageSources><clear /><add key="feed" value="$work/feed" /></packageSources></configuration>
XML
  export NUGET_PACKAGES="$work/packages"
  echo "$version"
}

# bench_model DIR VERSION WEIGHTS: a CPU model whose build context holds the file WEIGHTS (linked, not copied) as its weights.
bench_model() {
  local dir=$1 version=$2 weights=$3
  mkdir -p "$dir/weights"
  echo "<Project Sdk=\"Cog.Sdk/$version\" />" >"$dir/$(basename "$dir").csproj"
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
  ln "$weights" "$dir/weights/model.bin"
  dotnet restore "$dir" -nologo -v:q >/dev/null
}

# bench_report ROUNDS BASELINE MEASURED [BASELINE MEASURED ...]: for each pair of hyperfine command names, the medians
# over all rounds ($work/round-N.json) and the ratio measured/baseline (means beside them).
bench_report() {
  python3 - "$work" "$@" <<'PY'
import json, statistics, sys
work, rounds, pairs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
times = {}
for round in range(1, rounds + 1):
    for result in json.load(open(f"{work}/round-{round}.json"))["results"]:
        times.setdefault(result["command"], []).extend(result["times"])
for baseline, measured in zip(pairs[::2], pairs[1::2]):
    b, m = times[baseline], times[measured]
    print(f"{measured} / {baseline}, {len(m)} runs each: median {statistics.median(m):.3f} s / {statistics.median(b):.3f} s, "
          f"ratio of medians {statistics.median(m) / statistics.median(b):.3f}, ratio of means {statistics.mean(m) / statistics.mean(b):.3f}")
PY
}
