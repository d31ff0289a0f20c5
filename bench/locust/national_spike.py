"""The locustfile of bench/national.py's 10:00 spike (run by it: `locust --headless -f ...`).

Not a bench of its own (it sits below bench/ so `make bench` does not run it as a script).
The plan comes from the JSON file NATIONAL_SPIKE_PLAN names: a list of providers, each
with a signed-in session cookie and the open requests it answers. Each simulated user
takes one provider at a time and, for each of its requests, does what a provider's
browser does: the request list (GET /portal/), the request's page with its answer form
(GET /portal/requests/<pk>/, which sets the CSRF cookie and carries the token), then the
answer (POST to the same page with the token; 302 back to it on success). Answers are
paced so the users together send about NATIONAL_SPIKE_RATE answers a second. Each answer
the server took (302 to the request's page) is written to NATIONAL_SPIKE_DONE, one
request id and the time it was taken (Unix seconds) a line, for the count of what was lost
and the rate.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time

from locust import HttpUser, constant_pacing, events, task
from locust.exception import StopUser

PLAN: list[dict] = json.loads(open(os.environ["NATIONAL_SPIKE_PLAN"]).read())  # noqa: PTH123, SIM115
RATE = float(os.environ.get("NATIONAL_SPIKE_RATE", "50"))
USERS = int(os.environ.get("NATIONAL_SPIKE_USERS", "50"))
DONE: list[tuple[int, float]] = []
LOCK = threading.Lock()
NEXT = iter(PLAN)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACTION = re.compile(r'name="action"[^>]*value="([a-z_]+)"|value="([a-z_]+)"[^>]*name="action"')
REASON_SELECT = re.compile(r'<select[^>]*name="reason".*?</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')


def _next_provider() -> dict | None:
    with LOCK:
        return next(NEXT, None)


class Provider(HttpUser):
    wait_time = constant_pacing(USERS / RATE)

    def on_start(self) -> None:
        self.mine: list[int] = []

    @task
    def answer(self) -> None:
        if not self.mine:
            plan = _next_provider()
            if plan is None:
                raise StopUser
            self.client.cookies.clear()
            self.client.cookies.set("sessionid", plan["session"])
            self.mine = list(plan["requests"])
        pk = self.mine.pop()
        self.client.get("/portal/", name="GET /portal/ (request list)")
        page = f"/portal/requests/{pk}/"
        with self.client.get(page, name="GET /portal/requests/[id]/", catch_response=True) as got:
            token = TOKEN.search(got.text or "")
            actions = [a or b for a, b in ACTION.findall(got.text or "")]
            if got.status_code != 200 or token is None or not actions:
                got.failure(f"no answer form ({got.status_code}, actions {actions})")
                return
        form = {"csrfmiddlewaretoken": html.unescape(token.group(1))}
        if "interest" in actions:
            form["action"] = "interest"
        elif "decline" in actions:
            form["action"] = "decline"
            select = REASON_SELECT.search(got.text or "")
            reasons = [o for o in OPTION.findall(select.group(0)) if o] if select else []
            form["reason"] = html.unescape(reasons[0]) if reasons else "No capacity in the area"
        else:
            form["action"] = actions[0]
        with self.client.post(
            page,
            data=form,
            name="POST /portal/requests/[id]/ (answer)",
            headers={"Referer": self.host + page},
            allow_redirects=False,
            catch_response=True,
        ) as posted:
            if posted.status_code == 302 and posted.headers.get("Location", "").endswith(page):
                with LOCK:
                    DONE.append((pk, time.time()))
            else:
                posted.failure(f"answer not taken: {posted.status_code} {form['action']}")


@events.test_stop.add_listener
def _write_done(**_: object) -> None:
    with open(os.environ["NATIONAL_SPIKE_DONE"], "w") as out:  # noqa: PTH123
        out.write("".join(f"{pk} {at:.3f}\n" for pk, at in DONE))
