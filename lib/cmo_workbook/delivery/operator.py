"""What a scheduled run needs around it: settings from an env file, and its own log.

``--env-file FILE`` is parsed here, never sourced by a shell: ``KEY=VALUE`` lines, ``#``
comments, an optional ``export`` in front, values bare or in single or double quotes. No
expansion and no command substitution, so ``&``, ``$``, spaces and quotes in a password
arrive as written.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import re
import stat
from pathlib import Path
from typing import Callable

from ..errors import SettingsError

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_DOUBLE_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "$": "$", "`": "`"}


def _unquote(value: str, where: str) -> str:
    if value[:1] == "'":
        if len(value) < 2 or not value.endswith("'"):
            raise SettingsError(f"{where}: single quote not closed; write KEY='value' on one line")
        return value[1:-1]
    if value[:1] == '"':
        out, i = [], 1
        while i < len(value):
            ch = value[i]
            if ch == "\\" and i + 1 < len(value):
                nxt = value[i + 1]
                out.append(_DOUBLE_ESCAPES.get(nxt, "\\" + nxt))
                i += 2
                continue
            if ch == '"':
                if value[i + 1:].strip() and not value[i + 1:].lstrip().startswith("#"):
                    raise SettingsError(f"{where}: text after the closing quote; quote the whole value")
                return "".join(out)
            out.append(ch)
            i += 1
        raise SettingsError(f'{where}: double quote not closed; write KEY="value" on one line')
    # bare value: a " #" starts a comment, as in systemd and docker env files
    return re.split(r"\s+#", value, maxsplit=1)[0]


def read_env_file(path: str | Path) -> dict[str, str]:
    """The variables of an env file; :class:`SettingsError` names the file, line and fix."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"env file {path} does not exist; create it (chmod 600, owned by the user the run "
                            "runs as) with lines like CMO_SMTP_HOST=smtp.example.com") from None
    except PermissionError:
        raise SettingsError(f"env file {path} cannot be read by this user (uid {os.getuid()}); make the user that "
                            f"runs cmo-workbook its owner (chown USER {path}; chmod 600 {path}) or keep a copy in "
                            "that user's home, e.g. ~/.config/cmo-workbook.env") from None
    except UnicodeDecodeError:
        raise SettingsError(f"env file {path} is not UTF-8 text; save it as UTF-8") from None
    found: dict[str, str] = {}
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise SettingsError(f"env file {path}, line {no}: not KEY=VALUE; write one setting per line, "
                                "e.g. CMO_SMTP_PASSWORD='s3cret & more'")
        found[m.group(1)] = _unquote(m.group(2), f"env file {path}, line {no}")
    return found


def load_env_file(path: str | Path, say: Callable[[str], None]) -> list[str]:
    """Put the file's variables into ``os.environ`` (the file wins over inherited ones); return their names."""
    values = read_env_file(path)
    mode = Path(path).expanduser().stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO) and any("PASSWORD" in k for k in values):
        say(f"warning  env file {path} holds a password and is readable by others; chmod 600 {path}")
    os.environ.update(values)
    return sorted(values)


def under_systemd() -> bool:
    """True when journald already collects stdout/stderr (systemd sets these for services)."""
    return bool(os.environ.get("JOURNAL_STREAM") or os.environ.get("INVOCATION_ID"))


def setup_log(path: Path | None, say: Callable[[str], None]) -> logging.Logger:
    """The run's own log: a rotating file (1 MB x 5) unless journald collects the output anyway.

    Returns the logger the CLI writes every progress line to; a log that cannot be written
    is said once and does not stop the run.
    """
    logger = logging.getLogger("cmo_workbook.run")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for h in list(logger.handlers):
        logger.removeHandler(h)
        h.close()
    logger.addHandler(logging.NullHandler())  # never logging's last-resort handler: the terminal has the line already
    if path is None:
        return logger
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        say(f"warning  log file {path} cannot be written ({exc.strerror or exc}); progress goes to the terminal only")
        return logger
    handler.setFormatter(logging.Formatter(f"%(asctime)s pid {os.getpid()} %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger.addHandler(handler)
    return logger
