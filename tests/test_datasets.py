"""Loaders: IDX files the tests write, a loopback download server, the real data."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import kmcore
from kmcore import datasets
from kmcore.datasets import FILES


def _tiny_set(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8)


def _write_split(folder: Path, split="test", n=12, seed=0):
    images, labels = _tiny_set(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    kmcore.write_idx(folder / FILES[split][0], images)
    kmcore.write_idx(folder / FILES[split][1], labels)
    return images, labels


def test_idx_round_trip_gzip_and_raw(tmp_path):
    images, labels = _tiny_set()
    kmcore.write_idx(tmp_path / "a.gz", images)
    kmcore.write_idx(tmp_path / "b", labels)
    assert (tmp_path / "a.gz").read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_array_equal(kmcore.read_idx(tmp_path / "a.gz", 3), images)
    np.testing.assert_array_equal(kmcore.read_idx(tmp_path / "b", 1), labels)


def test_idx_rejects_bad_files(tmp_path):
    images, _ = _tiny_set()
    kmcore.write_idx(tmp_path / "ok", images)
    raw = (tmp_path / "ok").read_bytes()
    cases = {
        "text": b"hello, this is not an IDX file",
        "short": raw[: len(raw) // 2],
        "long": raw + b"\x00",
        "header": raw[:6],
        "empty": b"",
        "badgz": b"\x1f\x8b" + b"garbage" * 10,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(kmcore.IDXFormatError):
            kmcore.read_idx(tmp_path / name, 3)
    with pytest.raises(kmcore.IDXFormatError, match="1 dimension"):
        kmcore.read_idx(tmp_path / "ok", 1)


def test_loads_a_folder_with_a_smaller_count(tmp_path):
    images, labels = _write_split(tmp_path / "mnist", "test", n=7)
    ds = kmcore.load_dataset("mnist", "test", tmp_path)
    assert ds.X.shape == (7, 784) and ds.X.dtype == np.float32
    assert ds.X.min() >= 0 and ds.X.max() <= 1
    np.testing.assert_allclose(ds.X[3] * 255, images[3].ravel(), atol=1e-3)
    np.testing.assert_array_equal(ds.y, labels)
    assert ds.image_shape == (28, 28)


def test_image_and_label_counts_must_agree(tmp_path):
    images, labels = _tiny_set(10)
    folder = tmp_path / "mnist"
    folder.mkdir()
    kmcore.write_idx(folder / FILES["test"][0], images)
    kmcore.write_idx(folder / FILES["test"][1], labels[:9])
    with pytest.raises(kmcore.IDXFormatError, match="10 images but"):
        kmcore.load_dataset("mnist", "test", tmp_path)


class _Server:
    """A loopback HTTP server for a folder, optionally serving corrupted bytes."""

    def __init__(self, root: Path, corrupt=False):
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def log_message(self, *a):
                pass

            def copyfile(self, source, outputfile):
                data = source.read()
                outer.requests += 1
                if corrupt:
                    data = data[:-10] + b"x" * 10
                outputfile.write(data)

        self.requests = 0
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _md5s(folder):
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _closed_port_url():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/"


def test_download_from_second_mirror_with_progress(tmp_path):
    served = tmp_path / "served"
    _, labels = _write_split(served, "train", n=20)
    target = tmp_path / "data"
    seen = []
    with _Server(served) as srv:
        ds = kmcore.load_dataset(
            "mnist", "train", target, mirrors=[_closed_port_url(), srv.url],
            checksums=_md5s(served), progress=lambda d, t, f: seen.append((d, t, f)),
        )  # fmt: skip
    np.testing.assert_array_equal(ds.y, labels)
    assert sorted(p.name for p in (target / "mnist").iterdir()) == sorted(FILES["train"])
    assert {f for _, _, f in seen} == set(FILES["train"])
    last = [s for s in seen if s[2] == FILES["train"][0]][-1]
    assert last[0] == last[1] == (served / FILES["train"][0]).stat().st_size


def test_corrupted_download_leaves_nothing_behind(tmp_path):
    served = tmp_path / "served"
    _write_split(served, "train")
    target = tmp_path / "data"
    with (
        _Server(served, corrupt=True) as srv,
        pytest.raises(kmcore.DatasetUnavailableError) as info,
    ):
        kmcore.load_dataset("mnist", "train", target, mirrors=[srv.url], checksums=_md5s(served))
    assert "checksum mismatch" in str(info.value)
    assert list((target / "mnist").iterdir()) == []


def test_no_network_fails_fast_and_says_what_to_do(tmp_path):
    start = time.monotonic()
    with pytest.raises(kmcore.DatasetUnavailableError) as info:
        kmcore.load_dataset("fashion-mnist", "test", tmp_path, mirrors=[_closed_port_url()])
    assert time.monotonic() - start < 10
    err = info.value
    assert err.folder == tmp_path / "fashion-mnist"
    assert set(err.missing) == set(FILES["test"])
    for name in FILES["test"]:
        assert name in str(err)
    assert str(tmp_path) in str(err)


def test_missing_split_names_the_split_that_is_there(tmp_path):
    _write_split(tmp_path / "mnist", "test")
    with pytest.raises(kmcore.DatasetUnavailableError, match="test split is there") as info:
        kmcore.load_dataset("mnist", "train", tmp_path, mirrors=[_closed_port_url()])
    assert info.value.split == "train"


def test_data_dir_from_environment(tmp_path, monkeypatch):
    _write_split(tmp_path / "fashion-mnist", "test", n=5)
    monkeypatch.setenv("KMLAB_DATA_DIR", str(tmp_path))
    ds = kmcore.load_dataset("fashion-mnist", "test")
    assert len(ds.y) == 5 and ds.class_names[0] == "T-shirt/top" and ds.n_classes == 10


def test_real_mnist_and_fashion_subsets(shared_data):
    mnist = kmcore.load_dataset("mnist", "test", shared_data)
    assert mnist.X.shape == (10_000, 784)
    expected = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    np.testing.assert_array_equal(np.bincount(mnist.y), expected)
    fashion = kmcore.load_dataset("fashion-mnist", "test", shared_data)
    assert fashion.X.shape == (4443, 784)
    train_labels = kmcore.read_idx(shared_data / "mnist" / FILES["train"][1], 1)
    counts = np.bincount(train_labels)
    assert counts[1] == 6742 and counts[5] == 5421


def test_digits_and_toy_sets_offline():
    digits = kmcore.load_dataset("digits")
    assert digits.X.shape == (1797, 64) and digits.image_shape == (8, 8)
    assert 0 <= digits.X.min() and digits.X.max() <= 1
    for name in kmcore.TOY_SETS:
        ds = kmcore.load_dataset(name, n_samples=300)
        assert ds.X.shape == (300, 2) and ds.image_shape is None
        assert ds.X.min() >= 0 and ds.X.max() <= 1 + 1e-6
        again = kmcore.load_dataset(name, n_samples=300)
        np.testing.assert_array_equal(ds.X, again.X)


@pytest.mark.parametrize("name", ["imagenet", "../etc"])
def test_unknown_dataset(name):
    with pytest.raises(ValueError, match="unknown data set"):
        kmcore.load_dataset(name)


def test_balance_undersamples_to_smallest_class():
    y = np.array([0] * 50 + [1] * 20 + [2] * 35)
    X = np.arange(len(y), dtype=float)[:, None]
    Xb, yb = kmcore.balance(X, y, random_state=0)
    np.testing.assert_array_equal(np.bincount(yb), [20, 20, 20])
    np.testing.assert_array_equal(y[Xb[:, 0].astype(int)], yb)
    assert np.all(np.diff(Xb[:, 0]) > 0)
    again = kmcore.balance(X, y, random_state=0)[0]
    np.testing.assert_array_equal(Xb, again)


def test_stratified_subsample_keeps_proportions():
    y = np.array([0] * 600 + [1] * 300 + [2] * 100)
    X = np.zeros((len(y), 1))
    _, ys = datasets.subsample(X, y, 100, random_state=1)
    np.testing.assert_array_equal(np.bincount(ys), [60, 30, 10])
    _, ys = datasets.subsample(X, y, 7, random_state=1)
    assert len(ys) == 7
    _, ys = datasets.subsample(X, y, 5000)
    assert len(ys) == 1000


def test_gzip_roundtrip_of_real_header(shared_data):
    with gzip.open(shared_data / "fashion-mnist" / FILES["test"][0]) as fh:
        head = fh.read(16)
    assert int.from_bytes(head[4:8], "big") == 4443


def test_uint8_pixels_convert_to_the_same_floats(tmp_path):
    images, _ = _write_split(tmp_path / "mnist", "test", n=6)
    raw = kmcore.load_dataset("mnist", "test", tmp_path, pixels="uint8")
    assert raw.X.dtype == np.uint8
    np.testing.assert_array_equal(raw.X, images.reshape(6, -1))
    floats = kmcore.load_dataset("mnist", "test", tmp_path)
    np.testing.assert_array_equal(datasets.unit_float(raw.X), floats.X)
    with pytest.raises(ValueError, match="'half'"):
        kmcore.load_dataset("mnist", "test", tmp_path, pixels="half")


def test_unit_float_selects_rows_without_changing_values():
    X = np.random.default_rng(0).integers(0, 256, (20_000, 5), dtype=np.uint8)
    rows = np.array([19_999, 3, 8_192, 8_191, 0])
    out = datasets.unit_float(X, rows)
    assert out.dtype == np.float32 and out.shape == (5, 5)
    np.testing.assert_array_equal(out, X[rows].astype(np.float32) / 255)
    np.testing.assert_array_equal(datasets.unit_float(X), X.astype(np.float32) / 255)
    floats = out.copy()
    assert datasets.unit_float(floats) is floats


def test_select_rows_balances_samples_and_freezes():
    ds = kmcore.load_dataset("digits")
    sel = kmcore.select_rows(ds, sample=500, balance=True, random_state=3)
    assert sel.X.dtype == np.float32 and sel.X.shape == (500, 64)
    counts = np.bincount(sel.y, minlength=10)
    assert counts.max() - counts.min() <= 1  # balanced, then stratified
    again = kmcore.select_rows(ds, sample=500, balance=True, random_state=3)
    np.testing.assert_array_equal(sel.y, again.y)
    np.testing.assert_array_equal(sel.X, again.X)
    with pytest.raises(ValueError):
        sel.X[0, 0] = 1.0
    whole = kmcore.select_rows(ds)
    assert len(whole.y) == len(ds.y)
    with pytest.raises(ValueError):
        whole.X[0, 0] = 1.0


def test_sidebar_download_size_of_mnist_test(shared_data):
    """ui/sidebar.py says the MNIST test split is about 1.7 MB to download."""
    from ui.sidebar import HELP

    size = sum(f.stat().st_size for f in (shared_data / "mnist").glob("t10k-*.gz"))
    assert f"test {size / 1e6:.1f} MB" in HELP["dataset"]
    assert "test 1.7 MB" in HELP["dataset"]
