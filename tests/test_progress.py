"""cu.progress.EpochProgress: a short line every few epochs, and always after the last."""

import re

import numpy as np
import pytest

import course_utils as cu


def test_a_line_every_few_epochs_and_after_the_last(capsys):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32")
    model.fit(x, y, epochs=5, verbose=0, callbacks=[cu.progress.EpochProgress(every=2, prefix="> ")])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" |")[0] for line in lines] == ["> epoch 2/5", "> epoch 4/5", "> epoch 5/5"]
    assert all(re.fullmatch(r"> epoch \d/5 \| loss \d+\.\d{3} \| \d+ s", line) for line in lines), lines


def test_only_the_named_metrics_are_shown(capsys):
    progress = cu.progress.EpochProgress(metrics=["b"])
    progress.set_params({"epochs": 1})
    progress.on_train_begin()
    progress.on_epoch_end(0, {"a": 1.0, "b": 2.0})
    assert capsys.readouterr().out.startswith("epoch 1/1 | b 2.000 | ")


@pytest.mark.parametrize("kwargs, error, words", [
    ({"every": 0}, ValueError, "every"),
    ({"metrics": "loss"}, TypeError, "metrics"),
    ({"prefix": 3}, TypeError, "prefix"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        cu.progress.EpochProgress(**kwargs)
