"""Sandbox latency, side by side in one run: executor round trip vs `docker exec` on the same container.

Prints a few human-readable lines, then one JSON object as the last line:
    exec_p50_ms / exec_p95_ms     `DockerSandbox.exec(['true'])` through the persistent executor
    exec_sh_p50_ms                 the same through `/bin/sh -c` (string command)
    aexec_p50_ms                   `await aexec(['true'])` from an event loop
    docker_exec_p50_ms             baseline: docker SDK `exec_run(['true'])` on the same container
    speedup_vs_docker_exec         docker_exec_p50_ms / exec_p50_ms
    acquire_p50_ms                 `SandboxPool.acquire()` with a warm sandbox idle
    cold_start_p50_ms              new `DockerSandbox()` until its executor answers (container create + start)
Targets: exec p50 <= 2 ms and >= 30x faster than docker exec; pool acquire p50 <= 10 ms.

Usage: python bench/sandbox_latency.py [--n 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable

import docker

from agentcore.sandbox import DockerSandbox, SandboxConfig, SandboxPool


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)


def _timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n', type=int, default=300, help='exec samples (docker exec gets n/5)')
    args = parser.parse_args()
    config = SandboxConfig()

    with DockerSandbox(config) as sb:
        _timed(lambda: sb.exec(['true']), 30)  # warm up
        assert sb.exec(['true']).exit_code == 0
        exec_s = _timed(lambda: sb.exec(['true']), args.n)
        exec_sh_s = _timed(lambda: sb.exec('true'), args.n)

        async def async_samples() -> list[float]:
            out = []
            for _ in range(args.n):
                t0 = time.perf_counter()
                await sb.aexec(['true'])
                out.append(time.perf_counter() - t0)
            return out

        aexec_s = asyncio.run(async_samples())
        container = docker.from_env().containers.get(sb.id)
        container.exec_run(['true'], user=config.user)
        docker_exec_s = _timed(lambda: container.exec_run(['true'], user=config.user), max(20, args.n // 5))

    cold_s = []
    for _ in range(10):
        t0 = time.perf_counter()
        fresh = DockerSandbox(config)
        cold_s.append(time.perf_counter() - t0)
        fresh.close()

    acquire_s = []
    with SandboxPool(config, size=2) as pool:
        pool.wait_ready(120)
        for _ in range(30):
            t0 = time.perf_counter()
            sb = pool.acquire()
            acquire_s.append(time.perf_counter() - t0)
            sb.exec(['true'])
            pool.release(sb)
            pool.wait_ready(120)

    result = {
        'exec_p50_ms': _ms(exec_s, 0.5), 'exec_p95_ms': _ms(exec_s, 0.95), 'exec_sh_p50_ms': _ms(exec_sh_s, 0.5),
        'aexec_p50_ms': _ms(aexec_s, 0.5), 'docker_exec_p50_ms': _ms(docker_exec_s, 0.5),
        'acquire_p50_ms': _ms(acquire_s, 0.5), 'cold_start_p50_ms': _ms(cold_s, 0.5),
    }  # fmt: skip
    result['speedup_vs_docker_exec'] = round(result['docker_exec_p50_ms'] / result['exec_p50_ms'], 1)
    result['targets_met'] = (
        result['exec_p50_ms'] <= 2 and result['speedup_vs_docker_exec'] >= 30 and result['acquire_p50_ms'] <= 10
    )
    print(f'exec        p50 {result["exec_p50_ms"]:8.3f} ms   p95 {result["exec_p95_ms"]:8.3f} ms  (n={args.n})')
    print(f'docker exec p50 {result["docker_exec_p50_ms"]:8.3f} ms   -> {result["speedup_vs_docker_exec"]}x')
    print(f'acquire     p50 {result["acquire_p50_ms"]:8.3f} ms   cold start p50 {result["cold_start_p50_ms"]:8.1f} ms')
    print(f'(mean exec {statistics.mean(exec_s) * 1000:.3f} ms)')
    print(json.dumps(result))


if __name__ == '__main__':
    main()
