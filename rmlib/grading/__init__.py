"""Grading the course's nbgrader assignments, and checking that grading can be trusted.

* :mod:`rmlib.grading.preprocessors` — the nbgrader preprocessors the course
  adds (restore tampered cells, sandboxed execution that survives a dead
  kernel, hidden tests kept out of feedback);
* :mod:`rmlib.grading.pipeline` — run nbgrader's commands on a course folder
  from Python and read the gradebook;
* :mod:`rmlib.grading.submissions` — simulated honest and tampered submissions;
* :mod:`rmlib.grading.probe` — small built-in assignments for tests and timing;
* ``python -m rmlib.grading demo`` — the whole pipeline on simulated students.
"""
