#!/usr/bin/env python3
"""Drives the web build in a real browser: Debian's headless Chromium through chromedriver,
spoken to in W3C WebDriver over HTTP (the standard library only, nothing to install).

The page must load without a console error; a click on ▶ (at its place on the canvas: egui
draws the whole window there) must train until the epoch counter advances and the loss falls;
while it trains, a drag of the β slider must reach the trainer (the next batches report the
new β) and ⏸ / ▶ must pause and resume it; trained, File → Export weights… must download a
safetensors file that the native `surrogate-lab eval --weights` accepts at the page's test
accuracy, File → Save PNG… a PNG of the page, and File → Copy link a link that opens the same
settings; a link with an experiment inside a lesson in its fragment must open it. The page reports
its state in the tab's title (`ExplorerApp::status_line`), which is what is read back. A
screenshot taken mid-training goes to the path given. Prints the measured timings; exits 1 with
one line on the first failure.

With --measure SECONDS instead of a screenshot path, it trains Randman on each CPU backend for
that long and prints the page's samples/s (BENCHMARKS.md, "In the page").

usage: web_test.py URL SCREENSHOT|--measure SECONDS [--driver URL] [--eval BINARY]
"""

import base64
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

WIDTH, HEIGHT = 1440, 900
# Places on the canvas, in CSS pixels at 1440 × 900 (egui draws the whole window there).
# ▶ Start and ⏸ Pause, the first two buttons of the run bar (below the menu bar).
START = (22, 38)
PAUSE = (104, 37)
# The β slider's track in the Surrogate panel: its knob at β = 10, and a place right of it.
BETA_KNOB = (133, 108)
BETA_RIGHT = (160, 108)
# The File menu and three of its items (the menu opens below it).
FILE = (21, 12)
EXPORT_WEIGHTS = (66, 85)
SAVE_PNG = (93, 177)
COPY_LINK = (43, 263)


class Failure(Exception):
    pass


class Driver:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.session = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")
            raise Failure(f"webdriver {method} {path}: {e.code} {detail[:300]}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def start(self, profile):
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
                "--force-device-scale-factor=1"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        }}}
        self.session = self.call("POST", "/session", caps)["sessionId"]
        # Every console error and uncaught exception of every page, kept where we can read it.
        hook = """
          window.__errors = [];
          const keep = (kind, args) => window.__errors.push(kind + ": " +
              Array.from(args).map((a) => (a && a.stack) || String(a)).join(" "));
          const error = console.error.bind(console);
          console.error = (...a) => { keep("console.error", a); error(...a); };
          window.addEventListener("error", (e) => keep("error", [e.message]));
          window.addEventListener("unhandledrejection", (e) => keep("rejection", [e.reason]));
          // What the page copies (Copy link), kept where we can read it; the copy still happens.
          if (navigator.clipboard) {
            const write = navigator.clipboard.writeText.bind(navigator.clipboard);
            navigator.clipboard.writeText = (text) => {
              window.__copied = text;
              return write(text).catch(() => {});
            };
          }
        """
        self.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": hook})
        # The page's size, whatever the headless window's decorations take.
        self.cdp("Emulation.setDeviceMetricsOverride",
                 {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})

    def downloads_to(self, folder):
        self.cdp("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})

    def answer_prompt(self, text, timeout=30):
        """Waits for the page's prompt (a file name), types `text` and accepts it."""
        end = time.time() + timeout
        while True:
            try:
                self.s("GET", "/alert/text")
                break
            except Failure:
                if time.time() > end:
                    raise Failure(f"no file-name prompt within {timeout} s") from None
                time.sleep(0.2)
        self.s("POST", "/alert/text", {"text": text})
        self.s("POST", "/alert/accept", {})

    def drag(self, start, end):
        self.call_actions([{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "duration": 0, "x": start[0], "y": start[1],
                 "origin": "viewport"},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerMove", "duration": 300, "x": end[0], "y": end[1],
                 "origin": "viewport"},
                {"type": "pointerUp", "button": 0},
            ]}])

    def cdp(self, cmd, params):
        return self.s("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params})

    def quit(self):
        if self.session:
            try:
                self.s("DELETE", "")
            except Exception:
                pass

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def js(self, script):
        return self.s("POST", "/execute/sync", {"script": script, "args": []})

    def title(self):
        return self.js("return document.title") or ""

    def errors(self):
        return self.js("return window.__errors || []") or []

    def click(self, x, y):
        self.call_actions([{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "duration": 0, "x": x, "y": y, "origin": "viewport"},
                {"type": "pointerDown", "button": 0},
                {"type": "pause", "duration": 150},
                {"type": "pointerUp", "button": 0},
            ]}])

    def call_actions(self, actions):
        """Performs pointer actions; a prompt the click opens interrupts them, which is fine."""
        try:
            self.s("POST", "/actions", {"actions": actions})
        except Failure as e:
            if "alert" not in str(e):
                raise

    def screenshot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)


def wait_title(d, pattern, timeout, what):
    """Waits until the title matches `pattern`; fails on a console error on the way."""
    end = time.time() + timeout
    title = ""
    while time.time() < end:
        title = d.title()
        errors = d.errors()
        if errors:
            raise Failure(f"console error while waiting for {what}: {errors[0][:400]}")
        m = re.search(pattern, title)
        if m:
            return m
        time.sleep(0.25)
    raise Failure(f"no {what} after {timeout} s (title: {title!r})")


def field(title, pattern, cast=float):
    m = re.search(pattern, title)
    return cast(m.group(1)) if m else None


def link_fragment(toml, lesson):
    """As `share::link_fragment` writes it: raw deflate, URL-safe base64 without padding."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = z.compress(toml.encode()) + z.flush()
    exp = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"lesson={lesson}&exp={exp}"


def main():
    args = sys.argv[1:]
    driver_url = "http://127.0.0.1:9515"
    if "--driver" in args:
        i = args.index("--driver")
        driver_url = args[i + 1]
        del args[i:i + 2]
    evaluator = None
    if "--eval" in args:
        i = args.index("--eval")
        evaluator = args[i + 1]
        del args[i:i + 2]
    measure = None
    if "--measure" in args:
        i = args.index("--measure")
        measure = float(args[i + 1])
        del args[i:i + 2]
        args.append("")
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    url, shot = args
    d = Driver(driver_url)
    with tempfile.TemporaryDirectory(prefix="surrogate-lab-chromium-") as profile:
        try:
            d.start(profile)
            if measure is None:
                run(d, url, shot, evaluator, profile)
            else:
                for backend in ["flex", "ndarray"]:
                    speed(d, url, backend, measure)
        except Failure as e:
            print(f"web test FAILED: {e}", file=sys.stderr)
            try:
                d.screenshot((shot or "web") + ".failed.png")
                print(f"(the page as it was: {shot or 'web'}.failed.png)", file=sys.stderr)
            except Exception:
                pass
            return 1
        finally:
            d.quit()
    return 0


def speed(d, url, backend, seconds):
    """Trains the default experiment on `backend` for `seconds`; prints the page's speed."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = z.compress(f'backend = "{backend}"\n'.encode()) + z.flush()
    d.go(url.split("#")[0] + "#exp=" + base64.urlsafe_b64encode(raw).decode().rstrip("="))
    d.js("document.title = 'reloading'; location.reload()")
    wait_title(d, r"· ready ·", 180, f"network built on {backend}")
    d.click(*START)
    wait_title(d, r"batch \d+/", 120, "first batch")
    time.sleep(seconds)
    title = d.title()
    print(f"{backend}: {field(title, r'([0-9]+) samples/s'):.0f} samples/s in the page ({title})")


def times(d):
    """The page's milestones, ms since navigation (`web::report`)."""
    return d.js("return window.surrogateLabTimes || {}") or {}


def run(d, url, shot, evaluator, scratch):
    downloads = os.path.join(scratch, "downloads")
    os.makedirs(downloads)
    d.downloads_to(downloads)
    d.go(url)
    wait_title(d, r"· ready ·", 180, "network built (title '… · ready · …')")
    ready_ms = times(d).get("ready", 0)
    print(f"page: loaded and network built {ready_ms / 1000:.2f} s after navigation")

    clicked_ms = d.js("return performance.now()")
    d.click(*START)
    m = wait_title(d, r"batch \d+/\d+ · loss ([0-9.]+)", 120, "first batch after the click on ▶")
    first_ms = times(d).get("firstBatch", 0)
    first_loss = float(m.group(1))
    print(f"page: first batch done {(first_ms - clicked_ms) / 1000:.2f} s after the click on ▶, "
          f"{first_ms / 1000:.2f} s after navigation; loss {first_loss:.4f}")
    wall0 = (time.time(), field(m.string, r"(\d+) samples trained", int) or 0)

    shot_taken = False
    end = time.time() + 600
    while True:
        title = d.title()
        if d.errors():
            raise Failure(f"console error while training: {d.errors()[0][:400]}")
        done = field(title, r"epochs done (\d+)", int) or 0
        loss = field(title, r"· loss ([0-9.]+)")
        batch = field(title, r"batch (\d+)/", int) or 0
        if not shot_taken and "training" in title and (done >= 1 or batch >= 3):
            d.screenshot(shot)
            shot_taken = True
            print(f"page: screenshot mid-training: {shot}")
        if done >= 1 and loss is not None and loss < 0.9 * first_loss and shot_taken:
            break
        if time.time() > end:
            raise Failure(f"loss did not fall below 0.9 × {first_loss:.4f} within an epoch "
                          f"and 600 s (title: {title!r})")
        time.sleep(0.5)
    print(f"page: epoch {done} done, loss {first_loss:.4f} → {loss:.4f}")


    # The default experiment to its end (Randman, 20 epochs): the paper's accuracy.
    m = wait_title(d, r"· finished ·.*test acc ([0-9.]+)", 900, "the run finished")
    acc = float(m.group(1))
    title = m.string
    samples = field(title, r"(\d+) samples trained", int) or 0
    wall = (samples - wall0[1]) / max(time.time() - wall0[0], 1e-9)
    speed = field(title, r"([0-9]+) samples/s")
    print(f"page: finished, test accuracy {acc:.3f}; {speed:.0f} samples/s of batch time, "
          f"{wall:.0f} samples/s of wall time with the page drawing")
    print(f"title: {title}")
    if acc < 0.85:
        raise Failure(f"Randman reached {acc:.3f} test accuracy, under 0.85")

    # ▶ on a finished run trains as many epochs again: the run bar and β while it trains.
    d.click(*START)
    wait_title(d, r"· training ·", 30, "training again after ▶ on the finished run")
    pause_and_resume(d)
    beta = live_beta(d)
    m = wait_title(d, r"· finished ·.*epochs done 40 · test acc ([0-9.]+)", 900,
                   "the run trained 20 more epochs")
    # The files last: their messages take a line above the panels and move what is below.
    export_weights(d, downloads, evaluator, float(m.group(1)))
    save_png(d, downloads)
    copy_link(d, beta)

    # A shared link: the β lesson, opened with β = 42.
    fragment = link_fragment("surrogate.beta = 42\noptim.epochs = 3\n", "beta")
    d.go(url.split("#")[0] + "#" + fragment)
    d.js("document.title = 'reloading'; location.reload()")
    m = wait_title(d, r"· ready · lesson \"([^\"]+)\" · ([^·]+) · β ([0-9.e+-]+)", 180,
                   "the linked lesson built")
    if "β" not in m.group(1) or float(m.group(3)) != 42:
        raise Failure(f"the link opened {m.group(0)!r}, not the β lesson with β = 42")
    print(f"link: opened lesson {m.group(1)!r} with β = {m.group(3)}")
    if d.errors():
        raise Failure(f"console error after the link: {d.errors()[0][:400]}")
    print("web test passed")


def live_beta(d):
    """Drags the β slider while the page trains: the batches after it must report the new β,
    and training must go on. Returns the new β."""
    before = field(d.title(), r"at β ([0-9.e+-]+)")
    if before is None or "training" not in d.title():
        raise Failure(f"not training at a known β before the drag (title: {d.title()!r})")
    d.drag(BETA_KNOB, BETA_RIGHT)
    m = wait_title(d, r"· training ·.* β ([0-9.e+-]+) · epoch \d+ batch (\d+)/.*at β ([0-9.e+-]+)",
                   60, "a batch trained at the dragged β")
    end = time.time() + 60
    while float(m.group(3)) == before or float(m.group(1)) != float(m.group(3)):
        if time.time() > end:
            raise Failure(f"β {before} still in force 60 s after the drag (title: {m.string!r})")
        time.sleep(0.25)
        m = wait_title(d, r"· training ·.* β ([0-9.e+-]+) · epoch \d+ batch (\d+)/.*at β "
                       r"([0-9.e+-]+)", 60, "training after the drag")
    beta = float(m.group(3))
    print(f"live β: slider dragged while training, batches now trained at β {beta} "
          f"(was {before})")
    return beta


def pause_and_resume(d):
    """⏸ while the page trains pauses it; ▶ resumes it."""
    d.click(*PAUSE)
    m = wait_title(d, r"· paused ·.*batch (\d+)/", 30, "paused after a click on ⏸ while training")
    time.sleep(1.0)
    if field(d.title(), r"batch (\d+)/", int) != int(m.group(1)) or "paused" not in d.title():
        raise Failure(f"paused but batches still advance (title: {d.title()!r})")
    d.click(*START)
    wait_title(d, r"· training ·", 30, "training again after a click on ▶")
    print("run bar: ⏸ paused the page mid-training, ▶ resumed it")


def menu(d, item):
    d.click(*FILE)
    time.sleep(1.0)
    d.click(*item)


def downloaded(folder, name, timeout=60):
    """The downloaded file's bytes, once the browser has finished writing it."""
    path = os.path.join(folder, name)
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) and not any(f.endswith(".crdownload") for f in os.listdir(folder)):
            with open(path, "rb") as f:
                return f.read()
        time.sleep(0.25)
    raise Failure(f"no download {name} within {timeout} s (folder holds {os.listdir(folder)})")


def export_weights(d, downloads, evaluator, page_acc):
    """File → Export weights… downloads safetensors that the native `eval` accepts."""
    menu(d, EXPORT_WEIGHTS)
    d.answer_prompt("page.safetensors")
    data = downloaded(downloads, "page.safetensors")
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    print(f"download: page.safetensors, {len(data)} bytes, tensors "
          f"{sorted(k for k in header if k != '__metadata__')}")
    if evaluator is None:
        print("download: no --eval binary given; the file was not evaluated natively")
        return
    out = subprocess.run([evaluator, "eval", "--weights", os.path.join(downloads, "page.safetensors"),
                          "--json"], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise Failure(f"surrogate-lab eval refused the page's weights: {out.stderr.strip()[:400]}")
    result = json.loads(out.stdout)
    acc = result.get("test_acc", result.get("accuracy"))
    if acc is None or abs(acc - page_acc) > 0.01:
        raise Failure(f"eval of the page's weights gave {result}, the page {page_acc:.3f}")
    print(f"eval: the native binary accepts the page's weights: test accuracy {acc:.3f} "
          f"(page {page_acc:.3f})")


def save_png(d, downloads):
    """File → Save PNG of the window… downloads a PNG of the page's size."""
    menu(d, SAVE_PNG)
    d.answer_prompt("page.png")
    data = downloaded(downloads, "page.png")
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise Failure("the downloaded page.png is not a PNG")
    w, h = struct.unpack(">II", data[16:24])
    if (w, h) != (WIDTH, HEIGHT):
        raise Failure(f"the downloaded page.png is {w}×{h}, the page {WIDTH}×{HEIGHT}")
    print(f"download: page.png, a {w}×{h} PNG of {len(data)} bytes")


def copy_link(d, beta):
    """File → Copy link copies a link that opens the settings on screen (β as dragged)."""
    d.js("window.__copied = null")
    menu(d, COPY_LINK)
    end = time.time() + 30
    link = None
    while link is None and time.time() < end:
        link = d.js("return window.__copied")
        time.sleep(0.25)
    if not link or "#" not in link:
        raise Failure(f"Copy link copied {link!r}")
    d.go(link)
    d.js("document.title = 'reloading'; location.reload()")
    m = wait_title(d, r"· ready ·.* β ([0-9.e+-]+)", 180, "the copied link's network built")
    if float(m.group(1)) != beta:
        raise Failure(f"the copied link opened β {m.group(1)}, the page had {beta}")
    print(f"link: Copy link copied {len(link)} characters; opened, it has β = {beta}")


if __name__ == "__main__":
    sys.exit(main())
