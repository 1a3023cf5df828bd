"""Ranking commands: rank, next, simulate, stopping."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from review.cli.app import (
    JsonFlag,
    ProjectDir,
    ReviewerOption,
    StageOption,
    app,
    console,
    default_reviewer,
    open_review,
    print_json,
)
from review.stopping.project import StoppingStatus
from review.stopping.rules import RULE_HELP, StopRule
from review.types import Stage

Preset = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help=(
            "Ranking preset: ensemble-titles, ensemble-chars, ensemble, ensemble-validated, ensemble-average,"
            " ensemble-balanced, tfidf-svm, tfidf-nb, embedding-logistic"
            " (default: ensemble-titles, or tfidf-svm when the protocol turns embeddings off)."
        ),
    ),
]
Model = Annotated[
    str | None,
    typer.Option("--model", help="Sentence-transformers model name or path (default: the protocol's ranking.model)."),
]
Backend = Annotated[
    str,
    typer.Option(
        "--backend",
        help="Embedding runtime: torch, or onnx (ONNX Runtime, extra review-screening[onnx]; the same vectors).",
    ),
]


def _progress(disable: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=disable,
    )


@app.command()
def rank(
    project_dir: ProjectDir,
    stage: StageOption = Stage.TA,
    preset: Preset = None,
    model: Model = None,
    backend: Backend = "torch",
    top: Annotated[int, typer.Option(help="How many records to list.")] = 10,
    tfidf_only: Annotated[
        bool,
        typer.Option(
            "--tfidf-only", help="Do not compute embeddings now; rank by TF-IDF (and by embeddings already cached)."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Rank the unscreened records, most likely relevant first, and store the ranking.

    Embeddings are computed once (cached in the project by model and text) and
    the classifier is trained on the final decisions so far; before any, the
    records are ranked by similarity to the protocol's question and criteria.

    Example:

        review rank my-review --stage ta --top 20
    """
    review = open_review(project_dir)
    with _progress(as_json) as progress:
        task = progress.add_task("Embedding records", total=None)
        result = review.rank(
            stage,
            preset,
            model,
            "cached" if tfidf_only else "compute",
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            backend=backend,
        )
    if as_json:
        data = asdict(result)
        data["ranking"] = [{"record_id": r, "score": round(s, 4), "rank": k} for r, s, k in result.ranking]
        print_json(data)
        return
    console.print(
        f"Ranked {len(result.ranking)} unscreened of {result.n_candidates} records at stage {stage} "
        f"with {result.preset} ({result.n_labelled} labelled, {result.n_relevant} relevant; "
        f"{result.seconds:.1f}s, run {result.run_id})."
    )
    if len(result.weights) > 1:
        console.print("Weights: " + ", ".join(f"{name} {weight:.2f}" for name, weight in result.weights.items()))
    table = Table("rank", "record_id", "score", "title")
    for record_id, score, rank_ in result.ranking[:top]:
        table.add_row(str(rank_), str(record_id), f"{score:.3f}", review.record(record_id).title or "")
    console.print(table)


@app.command("next")
def next_(
    project_dir: ProjectDir,
    stage: StageOption = Stage.TA,
    n: Annotated[int, typer.Option("-n", min=1, help="How many records.")] = 1,
    reviewer: ReviewerOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The next record(s) for a reviewer to screen, with the model's score and rank.

    Only records the reviewer has not decided and nobody else is screening are
    served, in the order the app serves them: the stopping check's random
    sample while one is open (see `review stopping`), else the stage's ranking
    (the stored one while it reflects every decision, else ranked now).

    Example:

        review next my-review --stage ta --reviewer anna
    """
    with open_review(project_dir) as review:
        picked = review.next_records(stage, default_reviewer(reviewer), n)
        rows = [{**asdict(item), "title": review.record(item.record_id).title} for item in picked]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"Nothing left to screen at stage {stage}.")
    for row in rows:
        score = "-" if row["score"] is None else f"{row['score']:.3f}"
        console.print(
            f"record {row['record_id']} (score {score}, rank {row['rank'] or '-'}, {row['phase']}): {row['title']}",
            markup=False,
        )


@app.command()
def simulate(
    records: Annotated[Path, typer.Argument(help="RIS file of the records.", show_default=False)],
    labels: Annotated[Path, typer.Option("--labels", help="CSV with ris_id and the label column.")],
    order_out: Annotated[Path, typer.Option("--order-out", help="Where to write position,ris_id,label.")],
    label_column: Annotated[str, typer.Option("--label-column")] = "label_included",
    prior_ids: Annotated[
        str, typer.Option("--prior-ids", help="RIS IDs labelled before the first ranking, comma-separated.")
    ] = "",
    seed: Annotated[int, typer.Option("--seed", help="Seed for the random start when no query or priors.")] = 0,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="A ranking preset name, or a sentence-transformers model (name or path) for the default preset.",
        ),
    ] = None,
    stop_rule: Annotated[
        str | None,
        typer.Option(
            "--stop-rule",
            help=f"Follow a stopping rule as a reviewer would; the order ends where it stops. Rules: {RULE_HELP}.",
        ),
    ] = None,
    protocol: Annotated[
        Path | None,
        typer.Option(
            "--protocol",
            help="Protocol YAML whose stopping section gives the default rule, target and "
            "confidence (default: the template's).",
        ),
    ] = None,  # fmt: skip
    target: Annotated[
        float | None, typer.Option(help="Recall target of the stop rule (default: the protocol's).")
    ] = None,
    confidence: Annotated[
        float | None, typer.Option(help="Confidence of the stop rule (default: the protocol's).")
    ] = None,
    query: Annotated[str | None, typer.Option("--query", help="Review question for a zero-shot start.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Replay a labelled review through the ranking and measure the work saved.

    Screens every record (or until --stop-rule says stop) in ranked order,
    writes the order and prints records, inclusions, WSS@95, recall@10%,
    records screened to 95 % and 100 % recall, normalised loss and seconds.

    Example:

        review simulate records.ris --labels labels.csv --prior-ids 12,345 --order-out order.csv --json
    """
    from review.simulation.simulate import load_labelled, run_simulation, write_order  # scikit-learn: only here

    rule = _stop_rule(stop_rule, protocol, target, confidence) if stop_rule else None
    data = load_labelled(records, labels, label_column)
    priors = [part.strip() for part in prior_ids.split(",") if part.strip()]
    with _progress(as_json) as progress:
        embed = progress.add_task("Embedding records", total=len(data.ris_ids))
        screen = progress.add_task("Screening", total=len(data.ris_ids))
        rows, summary = run_simulation(
            data,
            priors,
            seed,
            model,
            rule,
            query,
            on_embed=lambda n: progress.advance(embed, n),
            on_step=lambda done: progress.update(screen, completed=done),
        )
    write_order(order_out, rows)
    if as_json:
        print_json(summary)
        return
    table = Table("metric", "value")
    for key, value in summary.items():
        table.add_row(key, str(value))
    console.print(table)


def _stop_rule(text: str, protocol: Path | None, target: float | None, confidence: float | None) -> StopRule:
    """`--stop-rule` with the protocol's stopping section filling in `default`, the target and the confidence."""
    from review.protocol import Stopping, load_protocol

    settings = load_protocol(protocol).stopping if protocol else Stopping()
    name = settings.rule if text == "default" else text
    return StopRule.parse(name, settings.target if target is None else target,
                          settings.confidence if confidence is None else confidence)  # fmt: skip


@app.command()
def stopping(
    project_dir: ProjectDir,
    stage: StageOption = Stage.TA,
    target: Annotated[float | None, typer.Option(help="Recall to reach (default: the protocol's).")] = None,
    confidence: Annotated[float | None, typer.Option(help="Confidence required (default: the protocol's).")] = None,
    check_only: Annotated[bool, typer.Option("--check-only", help="Do not open a random sample.")] = False,
    seed: Annotated[int, typer.Option(help="Seed for drawing the random sample.")] = 0,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write a PNG of the claimable recall over the screening history.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Is it safe to stop screening? The protocol's stopping rule (`sample` unless it says otherwise).

    Shows the recall that can be claimed now at the protocol's confidence (for
    any ranking), the ranked test's bound (if the ranking is better than
    random), the random sample's estimate with its interval, and what to
    screen next. If it is not yet safe, opens a random check sample of the
    unscreened records (unless --check-only), which `review next` then serves.

    Example:

        review stopping my-review --chart recall.png
    """
    with open_review(project_dir) as review:
        status = review.stopping(stage, target, confidence, start_sample=not check_only, seed=seed)
        if chart is not None:
            from review.stopping.chart import write_history_chart  # matplotlib: only here

            write_history_chart(review.recall_history(stage), status, chart)
    if as_json:
        print_json(asdict(status))
        return
    _print_status(stage, status)


def _print_status(stage: Stage, status: StoppingStatus) -> None:
    console.print(f"Stage {stage}: {status.screened} of {status.total} records screened, {status.found} relevant.")
    console.print(
        f"Recall that can be claimed now at {status.confidence:.0%} confidence: at least {status.claimable_recall:.0%}"
        + (
            f" (the ranked test, if the ranking is better than random: at least {status.ranked_recall:.0%})."
            if status.ranked_recall
            else "."
        )
    )
    if status.recall_estimate is not None and status.recall_interval is not None:
        low, high = status.recall_interval
        console.print(f"Estimated recall from the random sample: {status.recall_estimate:.1%} ({low:.1%}-{high:.1%}).")
    elif not status.safe:
        console.print(f"Estimated recall: known once the random sample has records ({status.sample_needed} to screen).")
    advice = status.next_step + (" `review next` serves them." if status.phase == "sample" else "")
    console.print(advice, style="green" if status.safe else "yellow", markup=False)
