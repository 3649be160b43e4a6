"""editing.widgets_available(): sliders only where they can be shown and do not hang.

The versions it reads (``ipywidgets.__version__`` and the loaded ``ipykernel``'s) and the
shell it sees (``IPython.get_ipython()``) are replaced here, so every case runs anywhere.
"""

import sys
import types

import IPython
import pytest

from course_utils import editing


def fake_module(name, version):
    module = types.ModuleType(name)
    module.__version__ = version
    return module


@pytest.fixture
def in_kernel(monkeypatch):
    """Pretend to run in a Jupyter kernel with the given ipywidgets and ipykernel versions."""
    def pretend(widgets_version, kernel_version):
        monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
        monkeypatch.setitem(sys.modules, "ipywidgets", fake_module("ipywidgets", widgets_version))
        monkeypatch.setitem(sys.modules, "ipykernel", fake_module("ipykernel", kernel_version))
    return pretend


@pytest.mark.parametrize("widgets_version, kernel_version", [
    ("8.1.5", "7.4.0"),   # local installs and CI (the dev extra)
    ("8.0.0", "6.29.5"),
    ("7.7.1", "6.17.1"),  # Colab
    ("7.6.0", "5.5.6"),
    ("unknown", "7.4.0"),  # a version it cannot read does not turn sliders off
])
def test_widgets_are_available_in_a_kernel(in_kernel, capsys, widgets_version, kernel_version):
    in_kernel(widgets_version, kernel_version)
    assert editing.widgets_available() is True
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("widgets_version, kernel_version", [("7.7.1", "7.4.0"), ("7.6.5", "7.0.0a1"), ("6.0.0", "8.0")])
def test_old_ipywidgets_under_ipykernel_7_turns_sliders_off_and_says_why(in_kernel, capsys, widgets_version, kernel_version):
    in_kernel(widgets_version, kernel_version)
    assert editing.widgets_available() is False
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1, printed
    assert f"ipywidgets {widgets_version}" in printed and f"ipykernel {kernel_version}" in printed
    assert "static figure" in printed


def test_widgets_are_not_available_outside_a_kernel(monkeypatch, capsys):
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert editing.widgets_available() is False
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace())  # a terminal IPython: no kernel
    assert editing.widgets_available() is False
    assert capsys.readouterr().out == ""


def test_widgets_are_not_available_without_ipywidgets(in_kernel, monkeypatch, capsys):
    in_kernel("8.1.5", "7.4.0")
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # `import ipywidgets` raises ImportError
    assert editing.widgets_available() is False
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------- image_sliders


def test_image_sliders_redraw_the_picture_when_a_slider_moves():
    import io

    import ipywidgets
    import numpy as np
    from PIL import Image

    calls = []

    def render(ink, width):
        calls.append((ink, width))
        return np.full((2, width), ink)

    ink = ipywidgets.FloatSlider(value=0.0, min=0.0, max=1.0)
    width = ipywidgets.IntSlider(value=3, min=1, max=5)
    box = editing.image_sliders(render, {"ink": ink, "width": width}, scale=2)
    assert [type(child).__name__ for child in box.children] == ["FloatSlider", "IntSlider", "Image"]
    first = Image.open(io.BytesIO(box.children[2].value))
    assert first.size == (6, 4) and first.getpixel((0, 0)) == 255  # no ink: white
    ink.value = 1.0
    width.value = 4
    last = Image.open(io.BytesIO(box.children[2].value))
    assert last.size == (8, 4) and last.getpixel((0, 0)) == 0  # full ink: black
    assert calls == [(0.0, 3), (1.0, 3), (1.0, 4)]


def test_image_sliders_reject_bad_input():
    import ipywidgets
    import numpy as np

    slider = ipywidgets.IntSlider()
    with pytest.raises(TypeError, match="render"):
        editing.image_sliders("draw", {"a": slider})
    with pytest.raises(TypeError, match="sliders"):
        editing.image_sliders(lambda a: np.zeros((2, 2)), {})
    with pytest.raises(TypeError, match="sliders"):
        editing.image_sliders(lambda a: np.zeros((2, 2)), {"a": 3})
    with pytest.raises(ValueError, match="2-D image"):
        editing.image_sliders(lambda a: np.zeros((2, 2, 2)), {"a": slider})
