"""The table bench_queue.py prints (without --json)."""

from __future__ import annotations

from tests.bench.benchlib import WARM_UP_CALLS

GOAL_P99_MS = 20.0
# From 20 processes back to back, against pgbench's same statements in the same run.
GOAL_THROUGHPUT_RATIO = 0.5
GOAL_P99_RATIO = 2.0


def _row(label: str, v: object) -> str:
    assert isinstance(v, dict)
    return (
        f"{label:<46}{v['p50_ms']:>8.2f}{v['p95_ms']:>8.2f}{v['p99_ms']:>8.2f}"
        f"{v['max_ms']:>9.1f}{v['mean_ms']:>8.2f}{v['per_s']:>9.1f}"
    )


def table(report: dict[str, object]) -> str:
    m, cfg = report["machine"], report["config"]
    assert isinstance(m, dict) and isinstance(cfg, dict)
    n = cfg["counters"]
    lines = [
        f"HallDesk queue benchmark {m['date']}: {m['cpus']} x {m['cpu']}, {m['ram_gib']} GiB, "
        f"{m['os']}, Python {m['python']}; load average at start {m['load_1min']}, "
        f"at end {report.get('load_1min_end')}",
        f"{cfg['tickets']} waiting tickets; {n} counters, one thread and pooled connection "
        f"each; goal: p99 call-next < {GOAL_P99_MS:g} ms on PostgreSQL",
    ]
    head = f"{'(ms)':<46}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>9}{'mean':>8}{'per s':>9}"
    for db in ("postgresql", "sqlite"):
        r = report.get(db)
        if not isinstance(r, dict):
            continue
        server = f" {r['server']}" if "server" in r else ""
        server += f" ({r['cores']})" if "cores" in r else ""
        lines += ["", f"{db}{server}", head]
        rows = [
            ("issue_load", "issue ticket while loading, 1 thread"),
            ("call_next_1_thread", "call_next, 1 thread"),
            ("pgbench_closed", f"pgbench, same SQL, {n} clients back to back"),
            ("call_next_closed", f"call_next, {n} threads back to back"),
            ("call_next_processes", f"call_next, {n} processes back to back"),
            ("pgbench_paced", f"pgbench, same SQL, {cfg['rate']:g}/s"),
            ("call_next_paced", f"call_next, {cfg['rate']:g}/s over {n} threads"),
        ]
        lines += [_row(label, r[key]) for key, label in rows if key in r]
        lines += [f"  {key}: FAILED {r[key + '_error']}" for key, _ in rows if key + "_error" in r]
        for key, how in (("call_next_closed", "threads"), ("call_next_processes", "processes")):
            closed = r.get(key)
            if isinstance(closed, dict) and "client_cpu_cores" in closed:
                lines.append(
                    f"  back to back, {how}: HallDesk's own CPU "
                    f"{closed['client_cpu_ms_per_call']} ms a call, "
                    f"{closed['client_cpu_cores']} of the {m['cpus']} cores"
                )
        for key, label in rows:
            if r.get(key, {}).get("failed"):
                lines.append(
                    f"  {label}: {r[key]['failed']} calls failed (database unavailable: "
                    "busy timeout)"
                )
        server_cpu = [
            f"{label} {r[key]['server_cpu_ms_per_call']} ms"
            for key, label in (
                ("pgbench_closed", "pgbench"),
                ("call_next_closed", "threads"),
                ("call_next_processes", "processes"),
            )
            if isinstance(r.get(key), dict) and "server_cpu_ms_per_call" in r[key]
        ]
        if server_cpu:
            lines.append(
                "  PostgreSQL server's CPU per call, back to back: " + ", ".join(server_cpu)
            )
        for mode in ("closed", "paced", "processes"):
            ratio = r.get(f"ratio_{mode}")
            if isinstance(ratio, dict):
                lines.append(
                    f"HallDesk / pgbench, {mode}: calls/s x{ratio['per_s']}, "
                    f"p50 x{ratio['p50']}, p99 x{ratio['p99']}, mean x{ratio['mean']}"
                )
        for key, what in (
            ("pick_explain", "pick SELECT"),
            ("finish_explain", "finish statement"),
            ("call_explain", "call statement"),
        ):
            plan = r.get(key)
            if isinstance(plan, dict):
                lines.append(
                    f"{what} alone at {cfg['tickets']} waiting (EXPLAIN ANALYZE): "
                    f"{plan['ms']} ms; plan: {' > '.join(plan['plan'])}"
                )
        for key, value in r.items():
            if key.startswith("cycles_"):
                threads = key.split("_")[1]
                lines.append(f"issue→call→finish cycles per second, {threads} thread(s): {value}")
        if db == "postgresql" and isinstance(r.get("call_next_closed"), dict):
            for key in ("call_next_closed", "call_next_paced"):
                p99 = r[key]["p99_ms"]
                verdict = "met" if p99 < GOAL_P99_MS else "MISSED"
                lines.append(f"goal p99 < {GOAL_P99_MS:g} ms, {key}: {verdict} ({p99} ms)")
        procs = r.get("ratio_processes")
        if isinstance(procs, dict):
            base, mine = r["pgbench_closed"], r["call_next_processes"]
            assert isinstance(base, dict) and isinstance(mine, dict)
            lines.append(
                f"  after each client's first {WARM_UP_CALLS} calls (its warm-up): p99 "
                f"pgbench {base['steady_p99_ms']} ms, {n} processes {mine['steady_p99_ms']} ms"
            )
            ok = procs["per_s"] >= GOAL_THROUGHPUT_RATIO and procs["p99_steady"] <= GOAL_P99_RATIO
            lines.append(
                f"goal {n} processes back to back, calls/s >= {GOAL_THROUGHPUT_RATIO:g} x "
                f"pgbench's and p99 after the warm-up <= {GOAL_P99_RATIO:g} x: "
                f"{'met' if ok else 'MISSED'} (x{procs['per_s']}, x{procs['p99_steady']}; "
                f"p99 of all calls x{procs['p99']}), {_layout(r)}"
            )
        prof = r.get("profile")
        if isinstance(prof, dict):
            lines += [
                "",
                f"where call_next's time goes, 1 thread, {prof['calls']} calls: "
                f"{prof['ms_per_call']} ms a call = {prof['sql_ms_per_call']} ms in SQL "
                f"round trips + {prof['rest_ms_per_call']} ms outside them (Python, the "
                "pool's check-out and check-in)",
            ]
            for kind, v in prof["statements"].items():
                lines.append(f"  {v['ms_per_call']:>7.2f} ms  {v['per_call']:>4} x  {kind}")
            lines += ["", str(prof["cprofile_top"])]
    return "\n".join(lines)


def _layout(r: dict[str, object]) -> str:
    """Where the run's processes ran: the goal's figures depend on it (docs/PERFORMANCE.md)."""
    if "cores" in r:
        return "split CPUs: the server's and the clients' own, as in a hall"
    return (
        "shared CPUs, for information: the server and every client on the same CPUs, a "
        "harder test than a hall (the goal is judged with --split-cores)"
    )
