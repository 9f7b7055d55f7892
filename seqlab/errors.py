"""The one error type users see: a single line saying what is wrong and how to fix it."""


class SeqlabError(Exception):
    """A problem with the user's input or environment, reported as one line and exit code 2.

    Library code raises it with a message that names the bad thing and the fix, e.g.
    ``SeqlabError("data.tsv:12: expected 'LABEL<TAB>TEXT', found no tab; check the delimiter")``.
    The CLI turns it into one styled line on stderr and exit code 2, never a traceback.
    """

    exit_code = 2
