"""The stopping rules by name, and their replay on a screening order as a reviewer would follow them.

`StopRule.parse` reads `--stop-rule` and the protocol's `stopping.rule`:

- `sample[:S]` (the default): ranked screening until the ranked test gives
  p < S (default 0.5), then a uniform random check sample of the rest with the
  exact test of `review.stopping.sample`; valid for any ranking.
- `target`: the target method (Cormack & Grossman 2016; the QBCB rule of
  Lewis, Yang & Frieder, CIKM 2021): a random target set drawn from all records
  until it holds `t` relevant ones, then ranked screening until every target is
  found; recall is below `rho` with probability at most rho ** t, so 95 % recall
  at 95 % confidence needs t = 59 relevant targets. Valid for any ranking that
  does not learn from the targets; the target set's records count as work.
- `hypergeometric`: the ranked test alone (Callaghan & Mueller-Hansen 2020);
  valid only if the unscreened records hold relevant ones no more densely than
  the screened tail it tests, which a ranking that hides relevant records
  breaks.
- `consecutive:N`: N irrelevant records in a row; no guarantee.

`replay` plays a rule on the labels of a full screening order (the order the
ranking would have served every record in) and returns which records the
reviewer screened, samples included, in the order screened.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from review.errors import ReviewError
from review.stopping.hypergeometric import consecutive_stop
from review.stopping.sample import DEFAULT_SWITCH, SampleCheck, ranked_pvalue_fast

RULE_HELP = (
    "sample[:S] (ranked screening until the ranked test gives p < S, default 0.5, then a random check sample; "
    "valid for any ranking; the default), target (a random target set of 59 relevant records, then ranked "
    "screening until all are found), hypergeometric (the ranked test alone), consecutive:N (N irrelevant in a "
    "row, no guarantee), default (the protocol's rule)"
)
KINDS = ("sample", "target", "hypergeometric", "consecutive")
DEFAULT_RULE = "sample"


@dataclass(frozen=True)
class StopRule:
    """A parsed stopping rule: kind, its parameter (N of `consecutive`, S of `sample`), target and confidence."""

    kind: str
    n: int = 0
    target: float = 0.95
    confidence: float = 0.95
    switch: float = DEFAULT_SWITCH

    @classmethod
    def parse(cls, text: str, target: float = 0.95, confidence: float = 0.95) -> StopRule:
        if not 0 < target < 1 or not 0 < confidence < 1:
            raise ReviewError("the recall target and the confidence must be between 0 and 1")
        kind, colon, arg = text.strip().partition(":")
        if kind in ("hypergeometric", "target") and not colon:
            return cls(kind, 0, target, confidence)
        if kind == "consecutive" and arg.isdigit() and int(arg) > 0:
            return cls(kind, int(arg), target, confidence)
        if kind == "sample" and (not colon or _is_level(arg)):
            return cls(kind, 0, target, confidence, float(arg) if colon else DEFAULT_SWITCH)
        raise ReviewError(
            f"unknown stop rule '{text}' (valid: sample, sample:S with 0 < S < 1, target, hypergeometric, "
            "consecutive:N with N > 0)"
        )

    def __str__(self) -> str:
        if self.kind == "consecutive":
            return f"consecutive:{self.n}"
        if self.kind == "sample" and self.switch != DEFAULT_SWITCH:
            return f"sample:{self.switch:g}"
        return self.kind

    @property
    def alpha(self) -> float:
        return 1 - self.confidence

    def targets_needed(self) -> int:
        """Relevant records the target method's random target set must hold: rho ** t <= alpha."""
        return math.ceil(math.log(self.alpha) / math.log(self.target) - 1e-12)

    def stop_position(self, labels: Sequence[int], n_total: int, start: int = 0) -> int | None:
        """Ranked records screened when a ranked-only rule says stop (None = never); see `replay` for all rules."""
        if self.kind == "consecutive":
            return consecutive_stop(labels, self.n, start)
        return ranked_switch(np.asarray(labels), n_total, self.target, self.alpha, start, max(1, n_total // 500))


def _is_level(text: str) -> bool:
    try:
        return 0 < float(text) < 1
    except ValueError:
        return False


def ranked_switch(
    labels: np.ndarray, n_total: int, target: float, level: float, start: int = 0, step: int = 1
) -> int | None:
    """Records screened when the ranked test first gives p < `level`, checked every `step` records."""
    positions = np.flatnonzero(labels)
    checks = list(range(max(1, start), len(labels) + 1, step))
    if not checks or checks[-1] != len(labels):
        checks.append(len(labels))
    for screened in checks:
        found = positions[: np.searchsorted(positions, screened)]
        if ranked_pvalue_fast(found, screened, n_total, target) < level:
            return screened
    return None


@dataclass
class Replay:
    """What a reviewer following the rule screened: `screened` indices into the order, in the order screened."""

    rule: str
    screened: list[int]
    ranked: int  # records screened in ranked order
    extra: int  # sample or target records screened beside them
    n_total: int
    found: int
    relevant: int
    target: float

    @property
    def recall(self) -> float:
        return self.found / self.relevant if self.relevant else 1.0

    def summary(self) -> dict:
        """The `stop` block of `review simulate --json` (DESIGN.md section 5)."""
        return {
            "rule": self.rule,
            "stop_rule": self.rule,
            "stopped_at": len(self.screened),
            "ranked_screened": self.ranked,
            "sample_screened": self.extra,
            "share_screened": round(len(self.screened) / self.n_total, 4),
            "recall_at_stop": round(self.recall, 4),
            "reached_target": self.recall >= self.target - 1e-12,
        }


def replay(rule: StopRule, labels_in_order: Sequence[int], n_priors: int = 0, seed: int = 0) -> Replay:
    """Follow `rule` on a full screening order (priors first); `seed` draws its random sample or target set."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    n = len(labels)
    rng = np.random.default_rng(seed)
    if rule.kind == "target":
        targets, ranked = _target_screened(rule, labels, n_priors, rng)
        return _finish(rule, labels, targets + ranked, len(ranked))
    if rule.kind == "sample":
        stop = ranked_switch(labels, n, rule.target, rule.switch, n_priors, max(1, n // 2000)) or n
        return _finish(rule, labels, list(range(stop)) + check_sample(rule, labels, stop, rng), stop)
    stop = rule.stop_position(labels, n, start=n_priors) or n
    return _finish(rule, labels, list(range(stop)), stop)


def _finish(rule: StopRule, labels: np.ndarray, screened: list[int], ranked: int) -> Replay:
    found = int(labels[screened].sum()) if screened else 0
    return Replay(
        str(rule), screened, ranked, len(screened) - ranked, len(labels), found, int(labels.sum()), rule.target
    )


def check_sample(rule: StopRule, labels: np.ndarray, stop: int, rng: np.random.Generator) -> list[int]:
    """The check sample drawn from the records after `stop`, screened until the exact test passes."""
    tail = stop + rng.permutation(len(labels) - stop)
    check = SampleCheck(int(labels[:stop].sum()), len(tail))
    relevant_draws = np.flatnonzero(labels[tail])  # draw indices at which the sample meets a relevant record
    for index in relevant_draws:
        needed = check.needed(rule.target, rule.alpha)
        if needed <= index:
            return tail[: max(needed, check.drawn)].tolist()
        check = SampleCheck(check.found_before, check.urn, int(index) + 1, check.found + 1)
    return tail[: max(check.needed(rule.target, rule.alpha), check.drawn)].tolist()


def _target_screened(
    rule: StopRule, labels: np.ndarray, n_priors: int, rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """The target set (drawn until `t` relevant), then the ranked records screened until every target is found."""
    draw = rng.permutation(len(labels))
    hits = np.flatnonzero(labels[draw])
    t = rule.targets_needed()
    targets = draw if len(hits) < t else draw[: hits[t - 1] + 1]
    relevant_targets = targets[labels[targets] == 1]
    last = int(relevant_targets.max()) + 1 if len(relevant_targets) else 0
    chosen = set(targets.tolist())
    return [int(i) for i in targets], [i for i in range(max(last, n_priors)) if i not in chosen]
