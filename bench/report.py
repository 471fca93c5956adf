"""The benchmark's results as Markdown (bench/results/summary.md), the source of the numbers in
docs/PERFORMANCE.md."""
from __future__ import annotations


def render(r: dict) -> str:
    """The results as Markdown tables (the source of the numbers in docs/PERFORMANCE.md)."""
    out = [f"# Benchmark results ({r['started']}, {r['runs']} runs each, medians)", ""]
    c = r.get("corpus")
    if c:
        out += [f"Corpus: {c['documents']} documents from {c['sources']} sources, {c['bytes'] / 2**20:.1f} MB, "
                f"formats {c['formats']}. Machine: {r['machine']}.", ""]
    out += ["| measurement | ours | floor | ratio | target |", "|---|---|---|---|---|"]
    j = r.get("jieba")
    if j:
        b = j["bare_jieba"]
        out.append(f"| ingest, 1 process, {j['documents']} text docs (CPU) | {j['ingest_1_worker']['cpu_s']:.1f} s | "
                   f"jieba.lcut {b['cpu_s']:.1f} s | {j['ratio_cpu']:.1f}× | ≤ 1.5× |")
        out.append(f"| same, wall | {j['ingest_1_worker']['wall_s']:.1f} s | {b['wall_s']:.1f} s | "
                   f"{j['ratio_wall']:.1f}× | |")
        if "ratio_cpu_without_start" in j:
            out.append(f"| same, without either process start (CPU) | "
                       f"{j['ingest_1_worker']['cpu_s'] - r['startup']['pipeline']['cpu_s']:.1f} s | "
                       f"{b['cut_s']:.1f} s | {j['ratio_cpu_without_start']:.1f}× | ≤ 1.5× |")
        out.append(f"| 2 workers vs 1, {j['documents']} text docs (wall) | {j['ingest_2_workers']['wall_s']:.1f} s | "
                   f"{j['ingest_1_worker']['wall_s']:.1f} s | {j['two_worker_speedup_wall']:.2f}× faster | ≥ 1.7× |")
    p = r.get("pdf")
    if p:
        out.append(f"| our PDF reader, {p['documents']} PDFs / {p['pages']} pages | {p['reader']['read_s']:.1f} s | "
                   f"extract_text {p['bare_pdfplumber']['extract_s']:.1f} s | {p['reader_vs_pdfplumber']:.2f}× | ≤ 1.3× |")
        out.append(f"| ingest of the PDFs (CPU) | {p['ingest']['cpu_s']:.1f} s | pdfplumber process "
                   f"{p['bare_pdfplumber']['cpu_s']:.1f} s | {p['ingest_vs_pdfplumber_cpu']:.2f}× | |")
        out.append(f"| ingest of the PDFs vs pdfplumber + jieba (CPU) | {p['ingest']['cpu_s']:.1f} s | "
                   f"{p['bare_pdfplumber']['cpu_s'] + p['bare_jieba']['cpu_s']:.1f} s | "
                   f"{p['ingest_vs_pdfplumber_plus_jieba_cpu']:.2f}× | |")
    for w in (r.get("workers") or {}).values():
        out.append(f"| 2 workers vs 1, {w['documents']} docs (wall) | {w['two_workers_wall_s']:.1f} s | "
                   f"{w['one_worker']['wall_s']:.1f} s | {w['speedup_wall']:.2f}× faster | ≥ 1.7× |")
    g = r.get("reingest")
    if g:
        out.append(f"| re-ingest unchanged, {g['documents']} docs (wall) | {g['again']['wall_s']:.1f} s | first run "
                   f"{g['first']['wall_s']:.1f} s | {100 * g['ratio_wall']:.1f} % | ≤ 5 % |")
        if "default_command" in g:
            out.append(f"| same, default command (Prefect on) | {g['default_command']['wall_s']:.1f} s | | | |")
    rr = r.get("rerun")
    if rr:
        out.append(f"| re-run, {rr['documents']} docs unchanged, default command (wall) | {rr['again']['wall_s']:.2f} s "
                   f"| first run (no Prefect) {rr['first_no_prefect']['wall_s']:.1f} s | | < 2 s |")
    f = r.get("prefect")
    if f:
        out.append(f"| Prefect flow vs direct, {f['documents']} docs, 2 workers (wall) | {f['flow']['run_s']:.1f} s | "
                   f"{f['direct']['run_s']:.1f} s | {100 * f['overhead_ratio']:+.1f} % | ≤ 10 % |")
        out.append(f"| Prefect's own time (outside the step functions) | {f['overhead_outside_steps_s']:.1f} s | | "
                   f"{100 * f['overhead_outside_steps_ratio']:+.1f} % | ≤ 10 % |")
        out.append(f"| Prefect cold start (once per process) | {f['cold_start_s']:.1f} s | | | reported apart |")
    m = r.get("memory")
    if m:
        a, b = (str(n) for n in r["plan"]["memory_sizes"])
        out.append(f"| peak memory, largest process, {a} → {b} docs | {m[a]['maxrss_mb']:.0f} → {m[b]['maxrss_mb']:.0f} MB"
                   f" | | {100 * m['growth_maxrss']:+.0f} % | within 20 % |")
        out.append(f"| peak memory, whole tree (2 workers) | {m[a]['peak_tree_mb']:.0f} → {m[b]['peak_tree_mb']:.0f} MB"
                   f" | | {100 * m['growth_tree']:+.0f} % | within 20 % |")
        if m[a].get("peak_main_mb"):
            out.append(f"| of which the writer process / the largest worker | {m[a]['peak_main_mb']:.0f} → "
                       f"{m[b]['peak_main_mb']:.0f} MB / {m[a]['peak_child_mb']:.0f} → {m[b]['peak_child_mb']:.0f} MB"
                       f" | | | |")
    lin = r.get("linear")
    if lin:
        for shape, v in lin.items():
            first, last = v["runs"][0], v["runs"][-1]
            out.append(f"| read + extract per character, {shape}, {first['chars']:,} → {last['chars']:,} chars (CPU) | "
                       f"{first['us_per_char']:.1f} → {last['us_per_char']:.1f} µs | | {v['growth']:.2f}× | flat "
                       f"(≤ 1.5×) |")
    q = r.get("queries")
    if q:
        n = q["scale"]["counts"]["obligations"]
        out += ["", f"Queries at {n:,} obligations ({q['scale']['counts']['documents']:,} documents), "
                f"median ms (first run in brackets):", "", "| query | rows | ms | |", "|---|---|---|---|"]
        for t in q["timings"]:
            if t.get("error"):
                out.append(f"| {t['name']} | | error | {t['error']} |")
            else:
                flag = "" if t["median_ms"] < 1000 else "**over 1 s**"
                out.append(f"| {t['name']} | {t['rows']} | {t['median_ms']:.0f} ({t['first_ms']:.0f}) | {flag} |")
    s = r.get("stages")
    if s:
        out += ["", f"Stages ({s['documents']} documents, {s['chars']:,} characters; CPU s, total "
                f"{s.get('total_cpu_s', float('nan')):.1f} s; start {s['startup_s']:.1f} s apart; bare jieba.lcut on the same "
                f"text {s['bare_jieba_s']:.1f} s):", "",
                "| stage | s | share |", "|---|---|---|"]
        out += [f"| {k} | {v['s']:.2f} | {100 * v['share']:.1f} % |" for k, v in s["stages"].items()]
        if s.get("top_functions"):
            out += ["", f"cProfile, own time, {s['top_functions_documents']} documents:", "",
                    "| s | calls | function |", "|---|---|---|"]
            out += [f"| {t['tottime_s']:.2f} | {t['calls']} | `{t['function']}` |" for t in s["top_functions"][:20]]
    rj = r.get("rjieba")
    if rj:
        out += ["", f"rjieba {rj['rjieba_version']}: {rj['same_documents']}/{rj['documents']} documents cut "
                f"identically, token agreement {100 * rj['token_agreement']:.2f} %; cut {rj['rjieba_cut_s']:.2f} s vs "
                f"jieba {rj['jieba_cut_s']:.2f} s ({rj['jieba_cut_s'] / max(rj['rjieba_cut_s'], 1e-9):.1f}× faster), "
                f"start {rj['rjieba_init_s']:.2f} s vs {rj['jieba_init_s']:.2f} s (CPU); user dictionary "
                f"{'supported' if rj.get('user_dictionary') else 'not supported'}."]
    if r.get("failed_steps"):
        out += ["", "Failed steps: " + "; ".join(f"{k}: {v}" for k, v in r["failed_steps"].items())]
    if "total_s" in r:
        out += ["", f"Bench time {r['total_s'] / 60:.1f} min; per step (s): "
                + ", ".join(f"{k} {v:.0f}" for k, v in r.get("step_seconds", {}).items())]
    return "\n".join(out) + "\n"
