"""The stopping chart of `review stopping --chart`: claimable recall over the screening history (matplotlib)."""

from __future__ import annotations

from pathlib import Path

from review.stopping.project import HistoryPoint, StoppingStatus


def write_history_chart(history: list[HistoryPoint], status: StoppingStatus, path: Path | str) -> Path:
    """A PNG of the recall claimable for any ranking, the ranked test's bound, and the target line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4), dpi=120)
    screened = [point.screened for point in history]
    axes.plot(screened, [point.claimable for point in history], label="claimable for any ranking")
    ranked = [(point.screened, point.ranked) for point in history if point.ranked is not None]
    if ranked:
        axes.plot(*zip(*ranked), linestyle="--", label="ranked test (if the ranking beats random)")
    axes.axhline(status.target, color="grey", linewidth=0.8, label=f"target {status.target:.0%}")
    axes.set(
        xlabel="records screened",
        ylabel=f"recall at {status.confidence:.0%} confidence",
        ylim=(0, 1.02),
        title=f"{status.screened} of {status.total} screened, {status.found} relevant",
    )
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return Path(path)
