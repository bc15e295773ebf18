"""Prometheus text-format metrics, written by hand (no client library needed).

Request counts and latency histograms per route template; answers by mode; and, computed at scrape
time from the action ledger, actions by state and the adoption rate (accepted / decided).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**kv: str) -> str:
    return "{" + ",".join(f'{k}="{_esc(str(v))}"' for k, v in kv.items()) + "}"


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.latency: dict[tuple[str, str], list[float]] = {}  # bucket counts + [sum, count]
        self.answers: dict[str, int] = defaultdict(int)
        self.in_flight = 0

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            row = self.latency.setdefault((route, method), [0.0] * (len(BUCKETS) + 2))
            for i, edge in enumerate(BUCKETS):
                if seconds <= edge:
                    row[i] += 1
            row[-2] += seconds
            row[-1] += 1

    def answered(self, mode: str) -> None:
        with self._lock:
            self.answers[mode] += 1

    def render(self, action_states: Callable[[], dict[str, int]] | None = None) -> str:
        out: list[str] = []
        with self._lock:
            out += ["# HELP copilot_http_requests_total HTTP requests by route, method and status.",
                    "# TYPE copilot_http_requests_total counter"]
            for (route, method, status), n in sorted(self.requests.items()):
                out.append(f"copilot_http_requests_total{_labels(route=route, method=method, status=status)} {n}")
            out += ["# HELP copilot_http_request_duration_seconds Request latency by route.",
                    "# TYPE copilot_http_request_duration_seconds histogram"]
            for (route, method), row in sorted(self.latency.items()):
                for i, edge in enumerate(BUCKETS):
                    lab = _labels(route=route, method=method, le=repr(edge))
                    out.append(f"copilot_http_request_duration_seconds_bucket{lab} {int(row[i])}")
                lab = _labels(route=route, method=method, le="+Inf")
                out.append(f"copilot_http_request_duration_seconds_bucket{lab} {int(row[-1])}")
                base = _labels(route=route, method=method)
                out.append(f"copilot_http_request_duration_seconds_sum{base} {row[-2]:.6f}")
                out.append(f"copilot_http_request_duration_seconds_count{base} {int(row[-1])}")
            out += ["# HELP copilot_http_requests_in_flight Requests being served now.",
                    "# TYPE copilot_http_requests_in_flight gauge", f"copilot_http_requests_in_flight {self.in_flight}"]
            out += ["# HELP copilot_answers_total Answers given, by mode (llm or offline).",
                    "# TYPE copilot_answers_total counter"]
            for mode in sorted(set(self.answers) | {"llm", "offline"}):
                out.append(f"copilot_answers_total{_labels(mode=mode)} {self.answers.get(mode, 0)}")
        if action_states is not None:
            try:
                states = action_states()
            except Exception:  # noqa: BLE001 - metrics must never fail the scrape
                states = None
            if states is not None:
                out += ["# HELP copilot_actions Proposed actions by state.", "# TYPE copilot_actions gauge"]
                for state, n in sorted(states.items()):
                    if not state.startswith("decision:"):
                        out.append(f"copilot_actions{_labels(state=state)} {n}")
                accepted = states.get("decision:approved", 0) + states.get("decision:edited", 0)
                decided = accepted + states.get("decision:rejected", 0) + states.get("decision:expired", 0)
                out += ["# HELP copilot_actions_adoption_ratio Accepted (approved or edited) / decided actions.",
                        "# TYPE copilot_actions_adoption_ratio gauge",
                        f"copilot_actions_adoption_ratio {accepted / decided if decided else 0.0:.6f}",
                        "# HELP copilot_actions_decided_total Actions a person decided on.",
                        "# TYPE copilot_actions_decided_total gauge",
                        f"copilot_actions_decided_total {decided}"]
        return "\n".join(out) + "\n"

