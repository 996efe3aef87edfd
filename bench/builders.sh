#!/usr/bin/env bash
# Measures, on BuildKit beside docker's classic builder (the same daemon, DOCKER_BUILDKIT=0), the two builds a model's
# author makes most: the no-op build (nothing changed: the engine is not called) and the rebuild after an edit of
# predict.py (one new layer). The model holds a 1 GB weights file, so the rebuild shows what each builder sends: BuildKit
# transfers only the changed files of the context, the classic builder the whole context every time.
#
#   bench/builders.sh [weights-size-in-MB (default 1024)] [runs per round (default 5)]
#   BENCH_ROUNDS=3 (default): rounds of hyperfine, each running all four builds.
#
# Needs: docker with buildx, hyperfine (Debian: apt-get install hyperfine), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1024}
runs=${2:-5}
rounds=${BENCH_ROUNDS:-3}
work=$(mktemp -d /tmp/cog-bench.XXXXXX)
trap 'rm -rf "$work"; docker image rm -f cog-buildkit cog-classic >/dev/null 2>&1 || true' EXIT
. "$repo/bench/common.sh"
docker buildx version >/dev/null 2>&1 || { echo "bench: docker has no buildx" >&2; exit 1; }

version=$(bench_pack)
dd if=/dev/urandom of="$work/model.bin" bs=1M count="$size_mb" status=none
# One model folder per builder (its image and obj/ are its own), the same weights file in both.
bench_model "$work/buildkit" "$version" "$work/model.bin"
bench_model "$work/classic" "$version" "$work/model.bin"

buildkit="env -u DOCKER_BUILDKIT dotnet build $work/buildkit -nologo -nr:false -tl:off -v:q --no-restore"
classic="env DOCKER_BUILDKIT=0 dotnet build $work/classic -nologo -nr:false -tl:off -v:q --no-restore"
echo "bench: first builds (each image is built once here)"
time $buildkit >/dev/null
time $classic >/dev/null

# An edit of predict.py before each timed rebuild: one more line, so the code's layer is new every time.
edit() { echo "echo '# edited' >> $work/$1/predict.py"; }
for round in $(seq 1 "$rounds"); do
  hyperfine --warmup 1 --runs "$runs" --export-json "$work/round-$round.json" \
    --prepare true -n noop-classic "$classic" \
    --prepare true -n noop-buildkit "$buildkit" \
    --prepare "$(edit classic)" -n edit-classic "$classic" \
    --prepare "$(edit buildkit)" -n edit-buildkit "$buildkit"
done

bench_report "$rounds" noop-classic noop-buildkit edit-classic edit-buildkit noop-buildkit edit-buildkit
