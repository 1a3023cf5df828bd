"""`review embed`: the stage's vectors computed ahead of ranking, on this machine's best device or a Ray cluster."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from review.cli.app import JsonFlag, ProjectDir, StageOption, app, console, err_console, open_review, print_json
from review.types import Stage


class Device(StrEnum):
    AUTO = "auto"
    CPU = "cpu"
    CUDA = "cuda"
    MPS = "mps"


class DocsPerSecond(ProgressColumn):
    """Documents per second over the last half minute (Rich's own estimate of the task's speed)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.1f} docs/s" if task.speed else "- docs/s")


def _progress(disable: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), DocsPerSecond(), TimeRemainingColumn(),
        console=err_console, transient=True, disable=disable,
    )  # fmt: skip


@app.command()
def embed(
    project_dir: ProjectDir,
    stage: StageOption = Stage.TA,
    device: Annotated[
        Device, typer.Option("--device", help="auto: CUDA or Apple MPS when torch sees one, else every CPU core.")
    ] = Device.AUTO,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Texts per model call.")] = 32,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="On the CPU: encoding processes sharing the cores (default: one)."),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Encode on a Ray cluster (extra review-screening[ray]): auto, local, or ray://HOST:PORT.",
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Sentence-transformers model (default: the protocol's ranking.model).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Compute and cache the embeddings of a stage's records, resumably, and print docs/s.

    Only vectors not yet cached are computed; each chunk of 512 is saved as it
    is done, so an interrupted run keeps its work and the next one goes on from
    there. `review rank` and the app then rank with the embeddings at once.
    With `--ray` the texts go to a Ray cluster and the vectors come back into
    this project; the database stays on this machine.

    Example:

        review embed my-review --device auto
        review embed my-review --ray ray://head-node:10001 --batch-size 128
    """
    with open_review(project_dir) as review, _progress(as_json) as progress:
        task = progress.add_task("Embedding records", total=None)
        first = [True]

        def on_progress(done: int, total: int) -> None:
            if first[0]:  # what was cached already is not part of the speed
                progress.reset(task, completed=done, total=total)
                first[0] = False
            else:
                progress.update(task, completed=done, total=total)

        def on_device(where: str) -> None:
            if not as_json:
                console.print(f"Device: {where}", markup=False)

        report = review.embed(stage, model, device.value, batch_size, workers, ray, on_device, on_progress)
    if as_json:
        print_json({**asdict(report), "docs_per_second": round(report.docs_per_second, 2)})
        return
    console.print(
        f"Embedded {report.computed:,} of {report.distinct_texts:,} texts at stage {report.stage} with "
        f"{report.model} ({report.cached_before:,} were cached) in {report.seconds:.1f} s: "
        f"{report.docs_per_second:,.1f} docs/s.",
        markup=False,
    )
