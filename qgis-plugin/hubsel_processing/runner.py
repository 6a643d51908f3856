"""Running the hubsel binary: finding it, turning its ``--progress json``
lines into the Processing feedback bar, and its errors into
QgsProcessingException messages that name the file, line, key and message
of every problem.

The parts that do not need QGIS (``Progress``, ``describe_error``) are plain
functions of hubsel's JSON events, so that they read the same in the
toolbox and in a test.
"""

import json
import os
import re
import queue
import shlex
import shutil
import subprocess
import threading

from qgis.core import QgsProcessingException, QgsProcessingFeedback

# The provider's setting (Processing > Options > Providers > hubsel) and the
# environment variable, looked at in this order, before PATH.
BINARY_SETTING = "HUBSEL_BIN"
BINARY_ENV = "HUBSEL_BIN"

# The stages `hubsel run` reports, in order, with a rough share of a run's
# time on a province (travel times dominate); what is left after the last
# stage is writing the outputs.
RUN_STAGES = [
    ("load inputs", 10),
    ("validate", 2),
    ("road graph", 10),
    ("snap schools", 4),
    ("travel times", 45),
    ("select hubs", 5),
    ("allocate & routes", 9),
]
WRITE_SHARE = 15
VALIDATE_STAGES = [("load inputs", 30), ("validate", 10), ("road graph", 40), ("snap schools", 15)]
MATRIX_STAGES = [("load inputs", 10), ("road graph", 20), ("snap schools", 5), ("travel times", 60)]


def _configured_binary():
    try:
        from processing.core.ProcessingConfig import ProcessingConfig
    except ImportError:
        return ""
    return (ProcessingConfig.getSetting(BINARY_SETTING) or "").strip()


def find_binary():
    """The hubsel binary: the provider's setting, else $HUBSEL_BIN, else
    `hubsel` on PATH. A path that is set but not executable is an error,
    not silently skipped."""
    for origin, path in (
        ("the hubsel provider's setting", _configured_binary()),
        ("the HUBSEL_BIN environment variable", os.environ.get(BINARY_ENV, "").strip()),
    ):
        if path:
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
            raise QgsProcessingException(f"{origin} names {path}, which is not an executable file")
    found = shutil.which("hubsel")
    if found:
        return found
    raise QgsProcessingException(
        "the hubsel binary was not found: set its path under Processing > Options > "
        "Providers > hubsel, or in the HUBSEL_BIN environment variable, or put hubsel on PATH"
    )


class Progress:
    """Overall percent of a hubsel command from its stage events: each
    known stage counts its share, split by its `progress` events."""

    def __init__(self, stages, tail_share=0):
        self.shares = dict(stages)
        self.order = [name for name, _ in stages]
        self.total = sum(self.shares.values()) + tail_share
        self.done = set()
        self.current = None
        self.fraction = 0.0

    def percent(self):
        finished = sum(self.shares[s] for s in self.done)
        running = self.shares.get(self.current, 0) * self.fraction if self.current else 0
        return min(100.0, 100.0 * (finished + running) / self.total) if self.total else 0.0

    def update(self, event):
        """Takes one event; returns the text to show, or None."""
        kind, stage = event.get("event"), event.get("stage")
        if kind == "start":
            self.current, self.fraction = stage, 0.0
            return f"hubsel: {stage}"
        if kind == "progress" and stage == self.current and event.get("total"):
            self.fraction = min(1.0, event["done"] / event["total"])
        elif kind == "finish":
            if stage in self.shares:
                self.done.add(stage)
            self.current, self.fraction = None, 0.0
            if self.order and stage == self.order[-1]:
                return "hubsel: writing the outputs"
        return None


def _display(path, names):
    """A file as the analyst knows it: a layer's name for an export made by
    the plugin, else the path."""
    if path is None:
        return None
    return names.get(path, path)


def _replace_paths(text, names):
    """Each path in `text` replaced by its name, in one pass: a name holds
    its path ("… (exported to PATH)"), and replacing again inside it would
    nest the names ("the schools layer … (exported to the schools layer …)").
    Longest first, so that a path that contains another is replaced whole."""
    if not text or not names:
        return text
    pattern = re.compile("|".join(re.escape(p) for p in sorted(names, key=len, reverse=True) if p))
    return pattern.sub(lambda m: names[m.group(0)], text)


def describe_error(event, names=None):
    """The message for hubsel's `error` event: what kind of problem, in
    which file, then every problem with its file, line, key and message."""
    names = names or {}
    kind = event.get("kind") or "run"
    file = _display(event.get("file"), names)
    problems = event.get("problems") or []
    where = f" in {file}" if file else ""
    if not problems:
        message = _replace_paths(event.get("message") or "unknown error", names)
        line = event.get("line")
        field = event.get("field")
        detail = []
        if line is not None and f"line {line}" not in message:
            detail.append(f"line {line}")
        if field and f"`{field}`" not in message and field not in message:
            detail.append(f"field `{field}`")
        extra = f" ({', '.join(detail)})" if detail else ""
        if file and file in message:
            where = ""  # the message names the layer already: once is enough
        return f"hubsel stopped: {kind} error{where}{extra}: {message}"
    lines = [f"hubsel stopped: {kind} error{where}, {len(problems)} problem(s):"]
    for p in problems:
        key = p.get("key")
        at = f"line {p['line']}" if p.get("line") is not None else "no line"
        lines.append(f"  {file or 'input'}: {at}: `{key}`: {_replace_paths(p.get('message', ''), names)}")
    return "\n".join(lines)


def _reader(stream, tag, out):
    for line in iter(stream.readline, ""):
        out.put((tag, line.rstrip("\n")))
    out.put((tag, None))


def _close(proc, readers):
    # The readers end at the pipes' end of file, which follows the exit.
    for r in readers:
        r.join(timeout=5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def run(args, feedback=None, stages=None, tail_share=0, names=None, span=(0, 100)):
    """Runs `hubsel ARGS` and returns its stdout lines. JSON progress lines
    on stderr drive `feedback`; other stderr lines are shown as they come.
    A non-zero exit raises QgsProcessingException with hubsel's error event
    described (see `describe_error`), or its last stderr lines. Cancelling
    in Processing stops hubsel. The command's progress fills `span` (low,
    high percent) of the algorithm's bar."""
    feedback = feedback or QgsProcessingFeedback()
    names = names or {}
    command = [find_binary()] + [str(a) for a in args]
    feedback.pushCommandInfo(" ".join(shlex.quote(c) for c in command))
    progress = Progress(stages or [], tail_share)
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as e:
        raise QgsProcessingException(f"cannot start {command[0]}: {e}") from e
    lines = queue.Queue()
    readers = [
        threading.Thread(target=_reader, args=(proc.stdout, "out", lines), daemon=True),
        threading.Thread(target=_reader, args=(proc.stderr, "err", lines), daemon=True),
    ]
    for r in readers:
        r.start()
    stdout, stderr_text, error = [], [], None
    open_streams = 2
    while open_streams:
        if feedback.isCanceled():
            proc.kill()
            proc.wait()
            _close(proc, readers)
            raise QgsProcessingException("cancelled: hubsel was stopped")
        try:
            tag, line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
            continue
        if tag == "out":
            stdout.append(line)
            feedback.pushInfo(_replace_paths(line, names))
            continue
        event = None
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except ValueError:
                event = None
        if event is None:
            stderr_text.append(line)
            if not line.startswith("hubsel: error:"):
                feedback.pushConsoleInfo(_replace_paths(line, names))
        elif event.get("event") == "error":
            error = event
        else:
            text = progress.update(event)
            if text:
                feedback.setProgressText(text)
            feedback.setProgress(span[0] + (span[1] - span[0]) * progress.percent() / 100)
    code = proc.wait()
    _close(proc, readers)
    if code != 0:
        if error is not None:
            raise QgsProcessingException(describe_error(error, names))
        if any("unexpected argument '--progress'" in l for l in stderr_text):
            raise QgsProcessingException(
                f"{command[0]} is a hubsel too old for this plugin: it has no --progress json; "
                "install a newer hubsel or point the provider's setting (or HUBSEL_BIN) at one"
            )
        said = [l for l in stderr_text if l.strip()][-12:]
        how = f"exit status {code}" if code > 0 else f"signal {-code}"
        detail = _replace_paths("\n".join(said), names) if said else "(no message)"
        raise QgsProcessingException(f"hubsel stopped with {how}:\n{detail}")
    feedback.setProgress(span[1])
    return stdout
