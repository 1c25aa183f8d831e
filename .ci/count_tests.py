"""Read pytest's JUnit report; fail unless tests ran and none failed.

pytest exits with 5 when it collects no test; this makes "no test ran" a
failure of its own, whatever the exit code of the run before it.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main(path: str) -> int:
    report = Path(path)
    if not report.exists():
        print(f"no test report at {report}: the test run did not get as far as pytest")
        return 1
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    if total == 0:
        print("no test ran: pytest collected nothing, which counts as a failure here")
        return 1
    print(f"tests: {total - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
