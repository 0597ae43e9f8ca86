"""A progress bar for the terminal, fed with an ImportJob after every batch."""

import time


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressBar:
    WIDTH = 30
    # Without a terminal (a log file), print a plain line every this share of the rows.
    LOG_STEP = 0.05

    def __init__(self, stream):
        """``stream``: a file or a management command's OutputWrapper."""
        self.stream = stream
        self.started = time.perf_counter()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.next_log = 0.0
        self.printed = -1

    def _write(self, text: str) -> None:
        if hasattr(self.stream, "style_func"):  # Django's OutputWrapper adds its own ending
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def __call__(self, job) -> None:
        total = max(job.total, job.done, 1)
        share = job.done / total
        elapsed = time.perf_counter() - self.started
        rate = job.done / elapsed if elapsed > 0 else 0.0
        left = (total - job.done) / rate if rate else 0.0
        filled = int(self.WIDTH * share)
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share * 100:5.1f}% "
            f"{job.done}/{total} 行  {rate:,.0f} 行/秒  新建 {job.created}  "
            f"失败 {job.failed}  已用 {_clock(elapsed)}  剩余 {_clock(left)}"
        )
        finished = job.is_finished
        if self.tty:
            self._write("\r" + line + ("\n" if finished else ""))
        elif share >= self.next_log or (finished and job.done != self.printed):
            self._write(line + "\n")
            self.next_log = share + self.LOG_STEP
            self.printed = job.done

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
