"""Who is running xlgrade, and where: the computer's and the person's names.

Standard library only. The run log, the run lock and the masked export's record name them;
each name is "" when the system will not say (some service accounts have no login name).
"""

from __future__ import annotations

import getpass
import socket


def host() -> str:
    """This computer's name ("" if the system will not say)."""
    try:
        return socket.gethostname()
    except OSError:
        return ""


def login() -> str:
    """The login name of the person running xlgrade ("" if there is none)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service accounts
        return ""
