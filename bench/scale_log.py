"""The benchmark's progress lines, on standard error (standard output carries the JSON)."""

import sys
import time


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
