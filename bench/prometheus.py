"""Prometheus beside the engine: the same rules over the same series, evaluated by the machine's
own Prometheus (Debian's package), so that `make bench` can print the engine's time against
Prometheus' rule-group evaluation time, measured in one run.

The samples are backfilled with `promtool tsdb create-blocks-from openmetrics` into a fresh data
folder; Prometheus is started on 127.0.0.1 with no scrape targets and two alerting-rule groups
(grouped and ungrouped rules); its own `prometheus_rule_group_last_duration_seconds` gives each
group's evaluation time. Between measurements the process is paused (SIGSTOP), so that it never
evaluates while the engine is being timed.
"""

import json
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

GROUPS = ("grouped", "ungrouped")
_DURATION = re.compile(r'^prometheus_rule_group_last_duration_seconds\{rule_group="[^"]*;(\w+)"\} (\S+)$', re.M)
_EVALUATED = re.compile(
    r'^prometheus_rule_group_last_evaluation_timestamp_seconds\{rule_group="[^"]*;(\w+)"\} (\S+)$', re.M
)


def available() -> str | None:
    """Why Prometheus cannot be measured here, or None."""
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: apt-get install prometheus)"
    return None


def version() -> str:
    out = subprocess.run(["prometheus", "--version"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).splitlines()[:1]
    return first[0] if first else "unknown"


@dataclass
class Rule:
    """One rule as the engine has it: the average of `metric` over `window` minutes, above
    `threshold`; grouped by `by` labels, or over all its series when `by` is empty."""

    metric: str
    window: int
    threshold: float
    by: tuple[str, ...] = ()

    def expr(self) -> str:
        inner = f"avg_over_time({self.metric}[{self.window}m])"
        by = f" by ({', '.join(self.by)})" if self.by else ""
        return f"avg{by} ({inner}) > {self.threshold:g}"


@dataclass
class Prometheus:
    workdir: Path
    process: subprocess.Popen | None = None
    port: int = 0
    seen: dict[str, float] = field(default_factory=dict)

    def backfill(self, samples) -> None:
        """`samples`: (metric, labels, value, datetime) in any order; written as OpenMetrics, one
        family at a time, and turned into TSDB blocks."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        families: dict[str, list[str]] = {}
        for metric, labels, value, moment in samples:
            text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            families.setdefault(metric, []).append(f"{metric}{{{text}}} {value} {moment.timestamp():.0f}")
        source = self.workdir / "samples.om"
        with source.open("w") as out:
            for metric, lines in families.items():
                out.write(f"# TYPE {metric} gauge\n")
                out.write("\n".join(lines))
                out.write("\n")
            out.write("# EOF\n")
        (self.workdir / "tsdb").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(self.workdir / "tsdb")],
            check=True, capture_output=True,
        )
        source.unlink()

    def start(self, rules: dict[str, list[Rule]], interval_seconds: int = 5) -> None:
        lines = ["groups:"]
        for group, group_rules in rules.items():
            lines += [f"  - name: {group}", "    rules:"]
            for i, rule in enumerate(group_rules):
                lines += [f"      - alert: {group}_{i}", f"        expr: {rule.expr()}"]
        (self.workdir / "rules.yml").write_text("\n".join(lines) + "\n")
        (self.workdir / "prometheus.yml").write_text(
            f"global:\n  evaluation_interval: {interval_seconds}s\nrule_files:\n  - rules.yml\n"
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={self.workdir / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.workdir / 'tsdb'}", f"--web.listen-address=127.0.0.1:{self.port}",
             "--storage.tsdb.retention.time=3650d"],
            stdout=subprocess.DEVNULL, stderr=(self.workdir / "prometheus.log").open("w"),
        )

    def _metrics(self) -> tuple[dict[str, float], dict[str, float]]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as response:
            text = response.read().decode()
        durations = {group: float(v) for group, v in _DURATION.findall(text)}
        evaluated = {group: float(v) for group, v in _EVALUATED.findall(text)}
        return durations, evaluated

    def next_evaluations(self, timeout: float = 120) -> dict[str, float]:
        """Let Prometheus run until every group has been evaluated once more; pause it; return
        each group's evaluation time in seconds."""
        assert self.process is not None
        # An evaluation counts only if it started after this: one that was under way when the
        # process was paused, or was due while it was, would count the pause.
        resumed = time.time()
        self.process.send_signal(signal.SIGCONT)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {(self.workdir / 'prometheus.log').read_text()[-2000:]}")
            try:
                durations, evaluated = self._metrics()
            except OSError:
                durations, evaluated = {}, {}
            fresh = {g for g in GROUPS if evaluated.get(g, 0) >= max(resumed, self.seen.get(g, 0) + 1e-3)}
            if fresh == set(GROUPS):
                self.process.send_signal(signal.SIGSTOP)
                self.seen = {g: evaluated[g] for g in GROUPS}
                return {g: durations[g] for g in GROUPS}
            if time.monotonic() > deadline:
                raise RuntimeError("prometheus did not evaluate its rule groups in time")
            time.sleep(0.2)

    def series_count(self, expr: str) -> int:
        """How many series `expr` gives now (with the process running): proof that the rules
        see the backfilled samples, not an empty database that evaluates in no time."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        query = urllib.parse.urlencode({"query": expr})
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/query?{query}", timeout=5) as r:
                        return len(json.load(r)["data"]["result"])
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            self.process.send_signal(signal.SIGSTOP)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def minutes_around(now: datetime, before: int, after: int) -> list[datetime]:
    """One moment a minute, `before` minutes before `now` to `after` minutes after it: windows
    ending at any evaluation in the next `after` minutes hold as many samples as the engine's."""
    start = now.replace(second=5, microsecond=0)
    return [start + timedelta(minutes=m) for m in range(-before, after + 1)]
