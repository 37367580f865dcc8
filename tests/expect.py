"""What an error test checks: a one-line message that names the setting or file and what is allowed, whatever the
sentence around them."""
from contextlib import contextmanager

import pytest

from utils.errors import LabError


@contextmanager
def raises_naming(*words: str, kind: type[BaseException] = LabError):
    """Expect `kind` raised with a message of one line that holds each of `words` (e.g. "SEG_CROP=8", "at least 32")."""
    with pytest.raises(kind) as err:
        yield err
    message = str(err.value)
    assert "\n" not in message, message
    missing = [word for word in words if word not in message]
    assert not missing, f"{missing} not in {message!r}"
