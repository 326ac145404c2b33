"""The test every module runs on its table of bad calls: each raises a clear error."""

import pytest


def bad_input_test(calls):
    """A test that each ``(function, args, kwargs, error, message)`` of ``calls`` raises
    ``error`` with a message matching the regular expression ``message``."""

    @pytest.mark.parametrize(
        ("function", "args", "kwargs", "error", "message"),
        calls,
        ids=[f"{call[0].__name__}-{i}" for i, call in enumerate(calls)],
    )
    def test_bad_input_raises_a_clear_error(function, args, kwargs, error, message):
        with pytest.raises(error, match=message):
            function(*args, **kwargs)

    return test_bad_input_raises_a_clear_error
