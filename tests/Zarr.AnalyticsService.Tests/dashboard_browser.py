#!/usr/bin/python3
"""Drives the service's dashboard in headless Chromium (Debian's chromium + chromium-driver + python3-selenium).

Usage: dashboard_browser.py BASE_URL ARTIFACT_DIR

With the browser up, it submits a statistics job over a few hundred chunks (short.zarr) and watches its page until it
ends: the overall progress read from the page each 50 ms, the stage table at the end. Then it submits a long job
(long.zarr), waits for its first chunks on the page, presses the page's cancel button and waits for the page to say
"cancelled". Screenshots of each state go to ARTIFACT_DIR. Prints one JSON object with what it saw; exits 1 (with the
reason on stderr) when the page does not show what it should.
"""
import json
import os
import re
import sys
import time
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError as e:
    print(f"python3-selenium is missing ({e}): apt-get install chromium chromium-driver python3-selenium", file=sys.stderr)
    sys.exit(2)

base, artifacts = sys.argv[1].rstrip("/"), sys.argv[2]
os.makedirs(artifacts, exist_ok=True)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def submit(request):
    req = urllib.request.Request(base + "/jobs", data=json.dumps(request).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.load(response)["id"]


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    fail(f"timed out after {seconds} s waiting for {what}; page: {driver.page_source[:3000]}")


def shot(name):
    path = os.path.join(artifacts, name)
    driver.save_screenshot(path)
    return path


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1500"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
seen = {"screenshots": []}
try:
    # 1. A job of a few hundred chunks: the list shows it, its page's progress rises to 100%.
    first = submit({"kind": "stats", "path": "short.zarr"})
    seen["first"] = first
    driver.get(base + "/dashboard/")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, f'tr[data-id="{first}"]'), 10, "the job in the list")
    # The list's rows are re-rendered on every event: read the row and its link in one step, then follow the link.
    row, href = driver.execute_script(f'const r = document.querySelector(\'tr[data-id="{first}"]\'); return [r.innerText, r.querySelector("a").href];')
    seen["list_row"] = row
    seen["screenshots"].append(shot("1-job-list.png"))
    driver.get(href)
    wait_for(lambda: driver.find_elements(By.ID, "overall"), 10, "the job page")
    fractions, midway = [], False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = driver.find_element(By.ID, "overall").text
        match = re.match(r"([0-9.]+)%", text)
        if match:
            value = float(match.group(1))
            if not fractions or fractions[-1] != value:
                fractions.append(value)
            if 0 < value < 100 and not midway:
                midway = True
                seen["screenshots"].append(shot("2-job-running.png"))
        if driver.find_element(By.TAG_NAME, "body").get_attribute("data-ended") == "true":
            # The page rendered the last event: what it shows now is final.
            value = float(re.match(r"([0-9.]+)%", driver.find_element(By.ID, "overall").text).group(1))
            if fractions[-1] != value:
                fractions.append(value)
            break
        time.sleep(0.05)
    else:
        fail(f"the job's page did not end within 60 s: {driver.find_element(By.ID, 'overall').text}")
    seen["fractions"] = fractions
    seen["state"] = driver.find_element(By.ID, "state").text
    seen["stages"] = [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td, th")] for row in driver.find_elements(By.CSS_SELECTOR, "#stages tbody tr")]
    seen["phase_label"] = driver.find_element(By.CSS_SELECTOR, "#phases label").text
    seen["cancel_hidden"] = not driver.find_element(By.ID, "cancel").is_displayed()
    seen["screenshots"].append(shot("3-job-done.png"))

    # 2. A long job, cancelled with the page's button.
    second = submit({"kind": "stats", "path": "long.zarr"})
    seen["second"] = second
    driver.get(f"{base}/dashboard/jobs/{second}")
    wait_for(lambda: re.match(r"[0-9.]+% \(([1-9][0-9]*) of", driver.find_element(By.ID, "overall").text), 30, "the long job's first chunks")
    seen["screenshots"].append(shot("4-long-job-running.png"))
    driver.find_element(By.CSS_SELECTOR, "#cancel button").click()
    wait_for(lambda: driver.find_element(By.ID, "state").text == "cancelled", 30, "the page to say cancelled")
    seen["second_state"] = driver.find_element(By.ID, "state").text
    seen["second_overall"] = driver.find_element(By.ID, "overall").text
    seen["screenshots"].append(shot("5-long-job-cancelled.png"))
finally:
    driver.quit()
print(json.dumps(seen))
