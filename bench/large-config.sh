#!/usr/bin/env bash
# Measures the in-process pipeline (parse, validate, resolve, generate the Dockerfile) on a cog.yaml of N
# python_packages and on a requirements file of N lines, and prints each size's time per package as a ratio
# against a 200-package baseline run beside it: about 1 means linear. A build adds its own fixed cost on top.
#
#   bench/large-config.sh [baseline (default 200)] [sizes... (default 2000 20000)]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dotnet run -c Release --project "$repo/bench/large-config" -- "${@:-200}" $( [ $# -le 1 ] && echo 2000 20000 )
