"""Webhooks: the job's state POSTed to the request's `webhook` URL as it changes, as Cog sends them.

Events are `start`, `output`, `logs` and `completed` (`webhook_events_filter` picks some). `start`
and `logs` are sent only when COG_THROTTLE_RESPONSE_INTERVAL seconds (0.5) have passed since the
last webhook, `output` always, `completed` always and retried while the receiver fails. Sending
happens on the sender's own thread, so a slow receiver never holds up the prediction.
"""

import json
import logging
import os
import queue
import threading
import time
import typing
import urllib.error
import urllib.request

from cog.server.jobs import Job

log = logging.getLogger("cog")
EVENTS = ("start", "output", "logs", "completed")
# Job events and the webhook event each is sent as.
JOB_EVENTS = {"start": "start", "output": "output", "log": "logs", "completed": "completed"}
THROTTLE_VARIABLE = "COG_THROTTLE_RESPONSE_INTERVAL"
DEFAULT_THROTTLE_SECONDS = 0.5
TIMEOUT_SECONDS = 30
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRIES = 12
FIRST_RETRY_DELAY_SECONDS = 0.1


def throttle_interval() -> float:
    try:
        return max(0.0, float(os.environ.get(THROTTLE_VARIABLE, DEFAULT_THROTTLE_SECONDS)))
    except ValueError:
        return DEFAULT_THROTTLE_SECONDS


class WebhookSender:
    """A job listener that sends its webhooks; `headers` carries the request's trace headers."""

    def __init__(self, url: str, events: typing.Iterable[str], headers: typing.Dict[str, str], user_agent: str) -> None:
        self._url = url
        self._events = set(events)
        self._interval = throttle_interval()
        self._last_sent = None  # type: typing.Optional[float]
        self._headers = dict(headers, **{"Content-Type": "application/json", "User-Agent": user_agent})
        token = os.environ.get("WEBHOOK_AUTH_TOKEN")
        if token:
            self._headers["Authorization"] = "Bearer " + token
        self._queue = queue.Queue()  # type: queue.Queue
        threading.Thread(target=self._send_all, name="cog-webhook", daemon=True).start()

    def __call__(self, name: str, job: Job) -> None:
        event = JOB_EVENTS.get(name)
        if event is None:
            return
        terminal = event == "completed"
        if event in self._events and (terminal or self._due(event)):
            self._queue.put((job.response(), terminal))
        if terminal:
            self._queue.put(None)

    def _due(self, event: str) -> bool:
        now = time.monotonic()
        if event != "output" and self._last_sent is not None and now - self._last_sent < self._interval:
            return False
        self._last_sent = now
        return True

    def _send_all(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            payload, terminal = item
            self._send(json.dumps(payload, separators=(",", ":")).encode("utf-8"), retries=MAX_RETRIES if terminal else 0)

    def _send(self, body: bytes, retries: int) -> None:
        for attempt in range(retries + 1):
            request = urllib.request.Request(self._url, data=body, method="POST", headers=self._headers)
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
                    return
            except urllib.error.HTTPError as problem:
                if problem.code not in RETRY_STATUSES:
                    log.warning("webhook %s answered %d; not retrying", self._url, problem.code)
                    return
                reason = "answered {}".format(problem.code)
            except OSError as problem:  # refused, unreachable, timed out
                reason = str(problem)
            if attempt < retries:
                delay = FIRST_RETRY_DELAY_SECONDS * 2 ** min(attempt + 1, 10)
                log.warning("webhook %s %s; retrying in %.1fs", self._url, reason, delay)
                time.sleep(delay)
            else:
                log.warning("webhook %s %s; giving up", self._url, reason)
