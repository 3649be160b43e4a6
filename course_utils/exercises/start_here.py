"""The warm-up exercise of lesson 0: it exists to show how every exercise works.

The lesson loads the handwritten digits as ``mnist = cu.data.load_mnist(...)``; the
hint and the solution use that name, so that the solution runs when it is copied into
the lesson. Any answer, of any type, gets a verdict about the answer (never a crash of
the checker).
"""

from __future__ import annotations

import numbers

import numpy as np

from course_utils.exercises import Exercise, Incorrect

_ONE_IMAGE = (28, 28, 1)


def _grade_image_shape(answer):
    if isinstance(answer, np.ndarray):
        raise Incorrect(
            f"that is an array of shape {answer.shape} (the data itself), not a shape: "
            "ask the array for its .shape"
        )
    if not isinstance(answer, tuple):
        raise Incorrect(
            "give the shape as a tuple of integers, like (height, width, channels); "
            f"got {type(answer).__name__}"
        )
    if not all(isinstance(size, numbers.Integral) and not isinstance(size, bool) for size in answer):
        kinds = sorted({type(size).__name__ for size in answer})
        raise Incorrect(f"a shape is a tuple of whole numbers; yours holds {', '.join(kinds)}")
    answer = tuple(int(size) for size in answer)
    if answer == _ONE_IMAGE:
        return
    if answer == (28, 28):
        raise Incorrect("you forgot the channel axis: Keras convolutions want (height, width, channels)")
    if answer == (1, 28, 28):
        raise Incorrect("channels come LAST in Keras' default layout: (height, width, channels)")
    if len(answer) == 4:
        raise Incorrect(
            "that is the shape of the whole batch; give the shape of ONE image, e.g. mnist.x_train[0].shape"
        )
    raise Incorrect(f"{answer} is not the shape of one image; look at mnist.x_train[0].shape")


image_shape = Exercise(
    name="shape of one image",
    grader=_grade_image_shape,
    hint_text=(
        "Every array of `mnist` (mnist.x_train, mnist.x_val, mnist.x_test) has the batch first; "
        "index one image and ask for .shape."
    ),
    solution_code="answer = mnist.x_train[0].shape  # (28, 28, 1): height, width, one grey channel",
)
