"""One-line errors for bad data and bad settings."""


class LabError(Exception):
    """Bad input (a missing or corrupt file, an invalid setting): the message says how to fix it."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during training, raised again once the results are kept, so that it also stops Run All.

    `history` holds the epochs that finished before it."""

    def __init__(self, message: str, history=None):
        super().__init__(message)
        self.history = history


def check(condition: bool, message: str) -> None:
    """Raise LabError(message) unless condition holds."""
    if not condition:
        raise LabError(message)


def _one_line(shell, etype, value, tb, tb_offset=None):
    stb = [f"{etype.__name__}: {value}"]
    shell._showtraceback(etype, value, stb)  # shown as the cell's error output, so the run still stops there
    return stb


def short_errors_in_notebook() -> None:
    """Show LabError and Interrupted in Jupyter as a one-line message instead of a full traceback."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((LabError, Interrupted), _one_line)
