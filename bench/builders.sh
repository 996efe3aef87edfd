#!/usr/bin/env bash
# Figure 3: the rebuild after an edit of predict.py, timed against the no-op build (nothing changed: the engine is not
# called), on BuildKit beside docker's classic builder (the same daemon, DOCKER_BUILDKIT=0), and the image's layers
# counted before and after: only the code's layer may be new. The model holds a large weights file, so the rebuild also
# shows what each builder sends: BuildKit transfers only the changed files of the context, the classic builder all of it.
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
. "$repo/bench/common.sh"
docker buildx version >/dev/null 2>&1 || { echo "bench: docker has no buildx" >&2; exit 1; }

bench_pack
dd if=/dev/urandom of="$work/model.bin" bs=1M count="$size_mb" status=none
# One model folder per builder (its image and obj/ are its own), the same weights file in both.
bench_model "$work/buildkit" "$work/model.bin"
bench_model "$work/classic" "$work/model.bin"

buildkit="env -u DOCKER_BUILDKIT dotnet build $work/buildkit -nologo -nr:false -tl:off -v:q --no-restore"
classic="env DOCKER_BUILDKIT=0 dotnet build $work/classic -nologo -nr:false -tl:off -v:q --no-restore"
echo "bench: first builds (each image is built once here)"
$buildkit >/dev/null
$classic >/dev/null

# The image's layers (RootFS), one a line.
layers() { docker image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "$(bench_image "$work/$1")" | sed '/^$/d'; }
for builder in buildkit classic; do layers $builder >"$work/layers-before-$builder"; done

# An edit of predict.py before each timed rebuild: one more line, so the code's layer is new every time.
edit() { echo "echo '# edited' >> $work/$1/predict.py"; }
bench_rounds "$rounds" --warmup 1 --runs "$runs" \
  --prepare true -n noop-classic "$classic" \
  --prepare true -n noop-buildkit "$buildkit" \
  --prepare "$(edit classic)" -n edit-classic "$classic" \
  --prepare "$(edit buildkit)" -n edit-buildkit "$buildkit"

# Every rebuild changed predict.py alone: the image after the last one has one layer the first did not have, the code's,
# and the layers before it (the base, the runtime, the weights) are the same. Prints: new layers, unchanged layers before
# the first new one, layers in all.
new_layers() {
  layers "$1" >"$work/layers-after-$1"
  python3 - "$work/layers-before-$1" "$work/layers-after-$1" <<'PY'
import sys
before, after = (open(path).read().split() for path in sys.argv[1:3])
new = [layer for layer in after if layer not in before]
unchanged = next(i for i, layer in enumerate(after) if layer in new) if new else len(after)
print(len(new), unchanged, len(after))
PY
}
read -r new_buildkit unchanged_buildkit total_buildkit < <(new_layers buildkit)
read -r new_classic unchanged_classic total_classic < <(new_layers classic)
layers_met=$([ "$new_buildkit" = 1 ] && [ "$new_classic" = 1 ] && echo yes || echo no)
bench_ratio "$rounds" edit noop-buildkit edit-buildkit --target-text "only the code's layer new" --met "$layers_met" \
  --note "layers new after the edits: $new_buildkit of $total_buildkit with BuildKit (the $unchanged_buildkit before it unchanged), $new_classic of $total_classic with the classic builder ($unchanged_classic unchanged); $size_mb MB of weights" \
  --title "dotnet build after an edit of predict.py (BuildKit)" --baseline-title "no-op dotnet build"
bench_ratio "$rounds" edit-builders edit-classic edit-buildkit \
  --note "the classic builder sends the whole context ($size_mb MB of weights) each time, BuildKit the changed file" \
  --title "dotnet build after an edit of predict.py, BuildKit" --baseline-title "the same on the classic builder"
