"""Progress bars for the import and export commands."""

import sys

from tqdm import tqdm


def progress_bar(verbosity):
    """A `progress(iterable, desc=..., unit=...)` wrapper drawing a tqdm bar on stderr.

    The bar draws only when stderr is a terminal (and verbosity is not 0), so logs, pipes
    and tests stay clean.
    """

    def progress(iterable, **kwargs):
        return tqdm(iterable, file=sys.stderr, disable=None if verbosity >= 1 else True, **kwargs)

    return progress
