"""The warm-up exercise of lesson 0: it exists to show how every exercise works."""

from __future__ import annotations

from course_utils.exercises import Exercise, Incorrect


def _grade_image_shape(answer):
    if not isinstance(answer, tuple):
        raise Incorrect(f"give the shape as a tuple of integers, like (height, width, channels); got {type(answer).__name__}")
    if answer == (28, 28):
        raise Incorrect("you forgot the channel axis: Keras convolutions want (height, width, channels)")
    if answer == (1, 28, 28):
        raise Incorrect("channels come LAST in Keras' default layout: (height, width, channels)")
    if len(answer) == 4:
        raise Incorrect("that is the shape of the whole batch; give the shape of ONE image, e.g. x_train[0].shape")
    if answer != (28, 28, 1):
        raise Incorrect(f"{answer} is not the shape of one image; look at data.x_train[0].shape")


image_shape = Exercise(
    name="shape of one image",
    grader=_grade_image_shape,
    hint_text="Every array in DigitData has the batch first; index one image and ask for .shape.",
    solution_code="answer = data.x_train[0].shape  # (28, 28, 1): height, width, one grey channel",
)
