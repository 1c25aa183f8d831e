"""An nbgrader exchange that a class of real Unix users can share safely.

nbgrader's default exchange is a shared folder. Measured with nbgrader 0.9.6
and real users on one JupyterHub, it lets a student

- submit *as another student* (``nbgrader submit --student carol``, or a
  folder named ``carol+...`` written into ``inbound/`` by hand): collect only
  logs a warning and grades it as carol's -- and a forged folder with a later
  timestamp replaces her real submission;
- hand in a symbolic link (to the instructor's ``source/`` notebook, say),
  which collect copies as if it were the student's file;
- change or delete another student's submission folder once its name is
  known (each is created world-writable).

The classes below plug into nbgrader's own extension points
(``ExchangeFactory.submit``, ``.collect``, ``.release_assignment``; see
:data:`EXCHANGE_CONFIG`) and change only what is unsafe:

:class:`SecureSubmit`
    submits as the Unix user running it, whatever ``--student``, ``$USER`` or
    ``$HOME`` say (a different ``--student`` is refused with a message);
    the submission folder is readable, not writable, by others, and the
    student's local cache of submissions (which holds the secret that names
    their feedback) is private.
:class:`SecureCollect`
    refuses -- logs an error and does not collect -- any submission whose
    folder is not owned by the Unix user it names, that is a link, or that
    holds a link, a special file or a file owned by someone else; refused
    folders never compete with a student's genuine submissions for "latest".
:class:`SecureReleaseAssignment`
    makes ``inbound/`` sticky, so only a folder's owner (and the instructor)
    can rename or delete it, and refuses to release into a course folder
    owned by someone else (a student who created it first).

Feedback keeps nbgrader's scheme: its file name is a hash of a secret that
exists only in the submission and in the student's private cache, inside a
feedback folder nobody can list. Home folders must not be readable by other
students (``deploy/hub`` creates them ``0700``); the deployment guide says
why.

Written as subclasses because nbgrader has no option for any of this; each
override calls nbgrader's own method and adds a check before or after it.
"""

from __future__ import annotations

import os
import pwd
import stat

from nbgrader.exchange.default import (
    ExchangeCollect,
    ExchangeReleaseAssignment,
    ExchangeSubmit,
)
from nbgrader.utils import parse_utc

__all__ = [
    "EXCHANGE_CONFIG",
    "SecureCollect",
    "SecureReleaseAssignment",
    "SecureSubmit",
    "refusal",
    "unix_user",
]

_EPOCH = "1970-01-01 00:00:00.000000 UTC"

#: ``ExchangeFactory`` settings that switch nbgrader to this exchange.
EXCHANGE_CONFIG = {
    "submit": "rmlib.grading.exchange.SecureSubmit",
    "collect": "rmlib.grading.exchange.SecureCollect",
    "release_assignment": "rmlib.grading.exchange.SecureReleaseAssignment",
}


def unix_user() -> str:
    """The name of the Unix user running this process (never ``$USER`` or ``$LOGNAME``)."""
    return pwd.getpwuid(os.getuid()).pw_name


def _owner(st: os.stat_result) -> str:
    try:
        return pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        return f"uid {st.st_uid}"


def refusal(path: str, student: str) -> str | None:
    """Why the submission folder ``path`` cannot be ``student``'s, or ``None`` if it can.

    The folder itself and everything in it must be a plain folder or file,
    owned by the Unix user named ``student``; links and special files are
    refused (a link could point at the instructor's files).
    """
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link, not a submission folder"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a folder"
    if _owner(st) != student:
        return f"{path} claims to be {student}'s submission but belongs to Unix user {_owner(st)}"
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            item = os.path.join(folder, name)
            st = os.lstat(item)
            if stat.S_ISLNK(st.st_mode):
                return f"{path} holds a symbolic link ({name}); submissions hold files only"
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                return f"{path} holds {name}, which is neither a file nor a folder"
            if _owner(st) != student:
                return f"{path} holds {name}, owned by {_owner(st)}, not by {student}"
    return None


class SecureSubmit(ExchangeSubmit):
    """``nbgrader submit`` that always submits as the Unix user running it."""

    def init_dest(self):
        me = unix_user()
        claimed = self.coursedir.student_id
        if claimed not in ("", "*", me):
            self.fail(
                f"You are Unix user {me!r}; a submission is always made as yourself, so "
                f"--student {claimed} is refused. Submit again without --student."
            )
        self.coursedir.student_id = me
        super().init_dest()

    def copy_files(self):
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        # nbgrader leaves the folder writable by everyone; nobody but its owner needs to write.
        os.chmod(dest, 0o755)
        cache_root = os.path.dirname(self.cache_path)
        for folder in (cache_root, self.cache_path):
            if os.path.isdir(folder) and os.stat(folder).st_uid == os.getuid():
                os.chmod(folder, 0o700)


class SecureCollect(ExchangeCollect):
    """``nbgrader collect`` that refuses submissions a student did not make themselves."""

    def _path_to_record(self, path):
        try:
            record = super()._path_to_record(path)
        except Exception as err:  # a name nbgrader cannot parse must not stop collection
            name = os.path.basename(path)
            record = {"username": name, "filename": name, "timestamp": parse_utc(_EPOCH)}
            why = f"{path} is not named <student>+<assignment>+<time>[+<random>] ({err})"
        else:
            why = refusal(path, record["username"])
        if why is not None:
            # Its own group, so that it never hides the student's genuine submissions.
            record["refused"] = why
            record["username"] = "\0refused:" + record["filename"]
        return record

    def copy_files(self):
        refused = [r for r in self.src_records if "refused" in r]
        for record in refused:
            self.log.error("Refused, not collected: %s.", record["refused"])
        self.src_records = [r for r in self.src_records if "refused" not in r]
        super().copy_files()
        if refused:
            self.log.error(
                "%d submission(s) of %r were refused; the students they name keep their "
                "own genuine submissions (if any).",
                len(refused),
                self.coursedir.assignment_id,
            )


class SecureReleaseAssignment(ExchangeReleaseAssignment):
    """``nbgrader release_assignment`` with a sticky ``inbound/`` owned by the instructor."""

    def init_dest(self):
        course = os.path.join(self.root, self.coursedir.course_id)
        if os.path.lexists(course):
            st = os.lstat(course)
            if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
                self.fail(
                    f"The course folder {course} belongs to {_owner(st)}, not to you "
                    f"({unix_user()}): someone else created it. Remove it (as root) and "
                    "release again, or create it yourself before the students log in."
                )
        super().init_dest()
        os.chmod(self.inbound_path, os.stat(self.inbound_path).st_mode | stat.S_ISVTX)
