#!/usr/bin/env python3
"""Regenerates src/Cog.Sdk.Core/Resolve/compatibility.json from the upstream sources' published data.

Run by a maintainer with network access (never during builds):

    python3 tools/update-compatibility/update.py            # fetch, merge, rewrite the table
    python3 tools/update-compatibility/update.py --offline  # only re-lay-out the existing table

Sources (docs/compatibility.md):
  * nvidia/cuda tags on Docker Hub: every <cuda>-cudnn[N]-devel-ubuntu<release> tag, CUDA 11.0 and newer.
    Tags without a cuDNN number (CUDA 12.4 on) are asked for their image's NV_CUDNN_VERSION.
  * PyTorch wheel indexes, https://download.pytorch.org/whl/<variant>/torch/: which CUDA builds of each
    release exist for Linux x86_64; the "previous versions" page pairs torch with torchvision/torchaudio.
  * TensorFlow's tested build configurations (https://www.tensorflow.org/install/source#gpu): CUDA and cuDNN.

Entries already in the table and absent upstream (old find-links builds) are kept; fetched entries replace
entries of the same version. The "python" section (the Python versions a model can use, their images and end of
life) is kept as maintained by hand: add a version when its python:X.Y-slim image exists. Python 3 standard library only.
"""
import json
import os
import re
import sys
import urllib.request

TABLE = os.path.join(os.path.dirname(__file__), "..", "..", "src", "Cog.Sdk.Core", "Resolve", "compatibility.json")
HUB_TAGS = "https://hub.docker.com/v2/repositories/nvidia/cuda/tags?page_size=100&name=devel-ubuntu"
WHEELS = "https://download.pytorch.org/whl/"
PREVIOUS_VERSIONS = "https://pytorch.org/get-started/previous-versions/"
TENSORFLOW_BUILDS = "https://www.tensorflow.org/install/source"
IMAGE_TAG = re.compile(r"^(\d+\.\d+\.\d+)-cudnn(\d*)-devel-ubuntu(\d+\.\d+)$")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=dict({"User-Agent": "cog-sdk-update-compatibility"}, **(headers or {})))
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode("utf-8")


def key(version):
    return tuple(int(p) for p in re.match(r"[\d.]+", version).group(0).rstrip(".").split("."))


def image_cudnn(tag):
    """cuDNN major of an image whose tag does not say it, read from the image config's environment."""
    token = json.loads(fetch("https://auth.docker.io/token?service=registry.docker.io&scope=repository:nvidia/cuda:pull"))["token"]
    auth = {"Authorization": "Bearer " + token}
    accept = "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.index.v1+json"
    index = json.loads(fetch("https://registry-1.docker.io/v2/nvidia/cuda/manifests/" + tag, dict(auth, Accept=accept)))
    digest = next(m["digest"] for m in index["manifests"] if m["platform"]["architecture"] == "amd64")
    accept = "application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json"
    manifest = json.loads(fetch("https://registry-1.docker.io/v2/nvidia/cuda/manifests/" + digest, dict(auth, Accept=accept)))
    config = json.loads(fetch("https://registry-1.docker.io/v2/nvidia/cuda/blobs/" + manifest["config"]["digest"], auth))
    env = dict(e.split("=", 1) for e in config["config"]["Env"])
    return str(key(env.get("NV_CUDNN_VERSION") or env["CUDNN_VERSION"])[0])


def fetch_images():
    groups, url = {}, HUB_TAGS
    while url:
        page = json.loads(fetch(url))
        for tag in (t["name"] for t in page["results"]):
            m = IMAGE_TAG.match(tag)
            if m and key(m.group(1)) >= (11, 0):
                cuda, cudnn, ubuntu = m.groups()
                template = tag.replace("ubuntu" + ubuntu, "ubuntu{ubuntu}")
                entry = groups.setdefault(template, {"cuda": cuda, "cudnn": cudnn or None, "ubuntu": [], "tag": template})
                entry["ubuntu"].append(ubuntu)
        url = page.get("next")
    for entry in groups.values():
        entry["cudnn"] = entry["cudnn"] or image_cudnn(entry["tag"].replace("{ubuntu}", entry["ubuntu"][0]))
    return list(groups.values())


def fetch_torch():
    # torch == X torchvision == Y torchaudio == Z, as printed on the previous-versions page.
    companions = {}
    for m in re.finditer(r"torch==([\d.]+)(?:\+\w+)?\s+torchvision==([\d.]+)(?:\+\w+)?(?:\s+torchaudio==([\d.]+))?", fetch(PREVIOUS_VERSIONS)):
        companions.setdefault(m.group(1), (m.group(2), m.group(3)))
    releases = {}
    variants = ["cpu"] + ["cu%d%d" % (major, minor) for major in (11, 12, 13) for minor in range(10)]
    for variant in variants:
        try:
            listing = fetch(WHEELS + variant + "/torch/")
        except OSError:
            continue  # no such variant
        cuda = None if variant == "cpu" else variant[2:-1] + "." + variant[-1]
        wheels = re.findall(r"torch-([\d.]+)\+" + variant + r"-cp(\d)(\d+)-cp\d+t?-(?:manylinux|linux)\S*?x86_64\.whl", listing)
        for version in set(w[0] for w in wheels):
            if version not in companions:
                print("skipped torch %s (%s): torchvision unknown" % (version, variant), file=sys.stderr)
                continue
            torchvision, torchaudio = companions[version]
            release = releases.setdefault(version, {"version": version, "torchvision": torchvision, "torchaudio": torchaudio, "pythons": [], "builds": []})
            release["builds"].append({"cuda": cuda or "cpu", "indexUrl": WHEELS + variant})
            pythons = set(release["pythons"]) | {major + "." + minor for v, major, minor in wheels if v == version}
            release["pythons"] = sorted(pythons, key=key)
    return list(releases.values())


def fetch_tensorflow():
    # Version | Python version ("3.9-3.12") | Compiler | Build tools | cuDNN | CUDA
    rows = re.findall(r"<td>tensorflow-([\d.]+)</td>\s*<td>(\d+)\.(\d+)-\d+\.(\d+)</td>(?:\s*<td>[^<]*</td>){2}\s*<td>([\d.]+)</td>\s*<td>([\d.]+)</td>", fetch(TENSORFLOW_BUILDS))
    return [{"version": v, "cuda": cuda, "cudnn": cudnn, "pythons": ["%s.%d" % (major, m) for m in range(int(low), int(high) + 1)]}
            for v, major, low, high, cudnn, cuda in rows if key(cuda) >= (11, 0)]


def merge(existing, fetched, identity):
    merged = {identity(e): e for e in existing}
    merged.update((identity(e), e) for e in fetched)
    return list(merged.values())


def entry(fields):
    return "{ " + ", ".join("%s: %s" % (json.dumps(k), json.dumps(v)) for k, v in fields.items() if v is not None) + " }"


def layout(table):
    """The committed layout: one image, TensorFlow release or torch build per line, ascending versions."""
    build_order = lambda b: (0,) if b["cuda"] == "cpu" else (1,) + key(b["cuda"])
    torch = []
    for r in sorted(table["torch"], key=lambda r: key(r["version"])):
        head = {k: r.get(k) for k in ("version", "torchvision", "torchaudio", "pythons")}
        builds = ",\n".join("        " + entry(b) for b in sorted(r["builds"], key=build_order))
        torch.append("    " + entry(head)[:-2] + ', "builds": [\n' + builds + " ] }")
    images = ["    " + entry(dict(i, ubuntu=sorted(i["ubuntu"], key=key))) for i in sorted(table["cudaImages"], key=lambda i: key(i["cuda"]))]
    tensorflow = ["    " + entry(t) for t in sorted(table["tensorflow"], key=lambda t: key(t["version"]))]
    python = ["    " + entry(p) for p in sorted(table["python"], key=lambda p: key(p["version"]))]
    head = ["{"] + ["  %s: %s," % (json.dumps(k), json.dumps(table[k])) for k in ("about", "replace", "defaultCuda")]
    sections = [('  "python": [', python, "  ],"), ('  "cudaImages": [', images, "  ],"), ('  "torch": [', torch, "  ],"),
                ('  "tensorflow": [', tensorflow, "  ]")]
    return "\n".join(head + [line for start, items, end in sections for line in (start, ",\n".join(items), end)] + ["}"]) + "\n"


def main():
    with open(TABLE, encoding="utf-8") as f:
        table = json.load(f)
    if "--offline" not in sys.argv:
        table["cudaImages"] = merge(table["cudaImages"], fetch_images(), lambda i: i["tag"])
        table["torch"] = merge(table["torch"], fetch_torch(), lambda r: r["version"])
        table["tensorflow"] = merge(table["tensorflow"], fetch_tensorflow(), lambda t: t["version"])
    with open(TABLE, "w", encoding="utf-8", newline="\n") as f:
        f.write(layout(table))


if __name__ == "__main__":
    main()
