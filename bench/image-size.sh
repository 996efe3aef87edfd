#!/usr/bin/env bash
# Figure 5: the size of a CPU model's image against the size of its base image: what Cog.Sdk adds (the runtime, the
# .pth file that puts it on Python's path, the model's code), layer by layer. No target: the figure says what it costs.
#
#   bench/image-size.sh
#
# Needs: a running docker, python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/common.sh"

bench_pack
bench_model "$work/model"
image=$(bench_image "$work/model")
dotnet build "$work/model" -nologo -nr:false -tl:off -v:q --no-restore >/dev/null
base=$(dotnet msbuild "$work/model" -t:CogValidate -getProperty:CogBaseImage -nologo)

size() { docker image inspect --format '{{.Size}}' "$1"; }
# The layers above the base's, newest last: "size instruction" (docker history lists the newest first).
added=$(python3 - "$image" "$base" <<'PY'
import subprocess, sys
def history(image):
    out = subprocess.run(["docker", "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", image],
                         capture_output=True, text=True, check=True).stdout
    return [line.split("\t", 1) for line in out.splitlines()]
image, base = history(sys.argv[1]), history(sys.argv[2])
mine = [(int(size), created) for size, created in reversed(image[:len(image) - len(base)]) if int(size) > 0]
def short(created):
    created = created.replace(" # buildkit", "").strip()
    return created if len(created) <= 40 else created[:37] + "..."
print("; ".join(f"{short(created)}: {size} B" for size, created in mine))
PY
)
awk_mb() { awk -v b="$1" 'BEGIN { printf "%.3f", b / 1e6 }'; }
bench_record size --measured-median "$(awk_mb "$(size "$image")")" --baseline-median "$(awk_mb "$(size "$base")")" --unit MB \
  --title "image of a CPU model (Python 3.11, no packages)" --baseline-title "its base image, $base" \
  --note "added: $(awk -v a="$(size "$image")" -v b="$(size "$base")" 'BEGIN { printf "%.0f kB", (a - b) / 1e3 }'), in layers: $added"
