"""Prometheus metrics, one registry per app so tests and workers never collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The metrics every part of Emporium reports; contexts add their own with counter()/gauge()."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_latency = Histogram(
            "emporium_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.dispatcher_lag = Gauge(
            "emporium_dispatcher_lag_events",
            "Events in the log that a subscriber has not handled yet",
            ["subscriber"],
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "emporium_dead_letters",
            "Events parked in the dead-letter table, not yet retried successfully",
            ["subscriber"],
            registry=self.registry,
        )
        self.events_handled = Counter(
            "emporium_events_handled_total",
            "Events handled by subscribers",
            ["subscriber", "outcome"],
            registry=self.registry,
        )
        self.jobs_run = Counter(
            "emporium_jobs_run_total",
            "Durable jobs run",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self._extra: dict[str, Counter | Gauge] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_latency.labels(method, route, str(status)).observe(seconds)

    def counter(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
        metric = self._extra.get(name)
        if metric is None:
            metric = Counter(name, doc, list(labels), registry=self.registry)
            self._extra[name] = metric
        assert isinstance(metric, Counter)
        return metric

    def gauge(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        metric = self._extra.get(name)
        if metric is None:
            metric = Gauge(name, doc, list(labels), registry=self.registry)
            self._extra[name] = metric
        assert isinstance(metric, Gauge)
        return metric

    def render(self) -> bytes:
        return generate_latest(self.registry)
