"""The figures bench/run measured (bench/ratio.py's JSON lines), as a table and a chart.

  report.py print RESULTS        the figures as text
  report.py write RESULTS DOCS   merged by figure into DOCS/performance.json (a figure not run keeps its last result),
                                 then the table into DOCS/performance.md between its two markers, and DOCS/performance.svg
Python's standard library only.
"""
import html
import json
import math
import sys

# The order of the rows: the figures first, then what explains them.
ORDER = ["noop", "noop-weights", "pipeline-realistic", "pipeline-large", "pipeline-realistic-files", "pipeline-large-files",
         "linear-python_packages", "linear-python_requirements", "edit", "edit-builders", "predict", "predict-build", "size", "served"]
BEGIN = "<!-- results: written by bench/run, edit the text around them -->"
END = "<!-- end of results -->"


def main():
    command, results = sys.argv[1], read(sys.argv[2])
    if command == "print":
        for row in results:
            print(f"{row['id']:<28} {ratio_text(row):>9}  target {row['target_text'] or '-':<22} {verdict(row):<7} "
                  f"{medians(row)}  load {row['load']}")
    elif command == "write":
        docs = sys.argv[3]
        try:
            known = {row["id"]: row for row in read_json(f"{docs}/performance.json")}
        except FileNotFoundError:
            known = {}
        known.update({row["id"]: row for row in results})
        rows = sorted(known.values(), key=lambda row: (ORDER.index(row["id"]) if row["id"] in ORDER else len(ORDER), row["id"]))
        with open(f"{docs}/performance.json", "w") as f:
            json.dump(rows, f, indent=1, ensure_ascii=False)
            f.write("\n")
        write_page(f"{docs}/performance.md", rows)
        with open(f"{docs}/performance.svg", "w") as f:
            f.write(chart(rows))
        print(f"bench/run: wrote {docs}/performance.md, performance.svg and performance.json")
    else:
        sys.exit(__doc__)


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_json(path):
    with open(path) as f:
        return json.load(f)


def ratio_text(row):
    ratio = row["ratio"]
    return f"{ratio:.4f}" if abs(ratio - 1) < 0.01 else f"{ratio:.3f}"


def verdict(row):
    return {True: "met", False: "not met", None: ""}[row["met"]]


def number(value, unit):
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.3g} {unit}"


def medians(row):
    runs = f", {row['runs']} runs each" if row.get("runs") else ""
    return f"{number(row['measured_median'], row['unit'])} / {number(row['baseline_median'], row['unit'])}{runs}"


def write_page(path, rows):
    with open(path) as f:
        page = f.read()
    if BEGIN not in page or END not in page:
        sys.exit(f"report.py: {path} has no '{BEGIN}' ... '{END}' to write the results between")
    lines = ["| Figure | against | Ratio | Target | | Medians (figure / baseline) | Load | Date |", "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| `{row['id']}`: {cell(row['title'])} | {cell(row['baseline'])} | **{ratio_text(row)}** | {cell(row['target_text']) or '-'} "
                     f"| {verdict(row)} | {medians(row)} | {row['load']} | {row['date']} |")
    lines.append("")
    lines += [f"* `{row['id']}`: {cell(row['note'])}" for row in rows if row["note"]]
    lines.append("")
    machines = sorted({row["machine"] for row in rows})
    lines.append("Measured on " + "; and on ".join(machines) + ". Load: the 1-minute load average around the rounds.")
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    with open(path, "w") as f:
        f.write(page[:start] + "\n" + "\n".join(lines) + "\n" + page[end:])


def cell(text):
    return (text or "").replace("|", "\\|")


def chart(rows):
    """Each figure's ratio as a bar from 1 on a log scale, green where it meets its target, red where not, grey where it
    has none; a ratio target is a black tick."""
    low, high = 1 / 8, 128
    left, width, top, row_height = 300, 520, 40, 24
    height = top + row_height * len(rows) + 40
    def x(value):
        value = min(max(value, low), high)
        return left + width * (math.log2(value) - math.log2(low)) / (math.log2(high) - math.log2(low))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{left}" y="18" font-size="14" font-weight="bold">Cog.Sdk benchmarks: each figure against its baseline (log scale)</text>']
    tick = low
    while tick <= high:
        label = f"1/{int(1 / tick)}" if tick < 1 else f"{int(tick)}"
        out.append(f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{height - 34}" stroke="{"#444" if tick == 1 else "#ddd"}"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{height - 20}" text-anchor="middle" fill="#444">{label}</text>')
        tick *= 2
    for i, row in enumerate(rows):
        y = top + i * row_height
        colour = {True: "#2e7d32", False: "#c62828", None: "#9e9e9e"}[row["met"]]
        start, end = sorted((x(1), x(row["ratio"])))
        out.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{html.escape(row["id"])}</text>')
        out.append(f'<rect x="{start:.1f}" y="{y + 4}" width="{max(end - start, 1.5):.1f}" height="{row_height - 8}" fill="{colour}"/>')
        if row["target"] is not None:
            out.append(f'<line x1="{x(row["target"]):.1f}" y1="{y + 1}" x2="{x(row["target"]):.1f}" y2="{y + row_height - 1}" stroke="black" stroke-width="2"/>')
        label_x = max(end, x(row["target"]) if row["target"] is not None else end)
        out.append(f'<text x="{label_x + 6:.1f}" y="{y + 15}">{ratio_text(row)}</text>')
    out.append(f'<text x="{left}" y="{height - 4}" fill="#444">green: target met, red: not met, grey: no target; black tick: the ratio target</text>')
    out.append("</svg>\n")
    return "\n".join(out)


if __name__ == "__main__":
    main()
