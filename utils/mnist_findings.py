"""Task 1's tables (sweep, verdicts, regularisation, probes) and the outcome phrases the notebook's discussion
builds on, worded from the run's records."""
import torch

from .findings import join_and, p_text, pct
from .report import markdown_table
from .results import Trained
from .study import Judged

# Digit pairs whose shapes differ by one stroke, and that stroke (either way round).
DIGIT_LOOKALIKES = {
    frozenset({4, 9}): "an open or a closed top",
    frozenset({3, 5}): "the direction of the top stroke",
    frozenset({2, 7}): "the base stroke of the 2",
    frozenset({1, 7}): "the length of the 7's bar",
    frozenset({3, 8}): "the left side, open or closed",
    frozenset({5, 6}): "the lower loop, open or closed",
    frozenset({0, 6}): "the 6's upper stroke, open or joined",
    frozenset({8, 9}): "the lower loop, open or closed",
    frozenset({7, 9}): "the loop, open or closed",
    frozenset({4, 6}): "the loop, open or closed",
}


def _score(value: float, measure: str) -> str:
    if measure.startswith("accuracy change"):
        return f"{100 * value:+.2f} points"
    return pct(value) if "accuracy" in measure else f"{value:.3f}"


def _difference(judged: Judged) -> str:
    difference = judged.first - judged.second
    return f"{100 * difference:+.2f} points" if "accuracy" in judged.measure else f"{difference:+.3f}"


SMOOTHNESS = "neighbour correlation of the pooled maps"
PROPERTY_VERDICTS = {SMOOTHNESS: {"better": "smoother", "worse": "less smooth"}}  # measures that are no quality


def verdict_table(family: list[Judged]) -> str:
    """One row per comparison of a family: both scores, the paired test, its Holm-adjusted p and the verdict."""
    return markdown_table([{"comparison": judged.comparison, "measure": judged.measure,
                            "first": _score(judged.first, judged.measure),
                            "second": _score(judged.second, judged.measure), "difference": _difference(judged),
                            "test": judged.test, "p": p_text(judged.p_value),
                            f"Holm p (family of {len(family)})": p_text(judged.adjusted),
                            "verdict": PROPERTY_VERDICTS.get(judged.measure, {}).get(judged.verdict, judged.verdict)}
                           for judged in family])


def outcome(judged: Judged) -> str:
    """A comparison's verdict with its difference and Holm p, e.g. 'better (+1.39 points, Holm p < 0.001)' or
    'better (-0.019 test cross-entropy, Holm p < 0.001)'."""
    unit = "" if "accuracy" in judged.measure else f" {judged.measure}"
    return f"{judged.verdict} ({_difference(judged)}{unit}, Holm {p_text(judged.adjusted)})"


USABLE = 0.90  # a learning rate is usable where one epoch reaches this validation accuracy


def usable_rates(runs: dict[float, Trained], floor: float = USABLE) -> list[float]:
    """The learning rates whose validation accuracy reaches `floor`: one bar for every recipe, so a recipe with a
    higher best is not held to a stricter one."""
    return [rate for rate, run in runs.items() if run.history.best("val_accuracy") >= floor]


def grid_edge_note(sweep: dict[str, dict[float, Trained]]) -> str:
    """A caption for the recipes that reach USABLE at the lowest or highest rate of the grid, whose window may go on
    beyond it; empty where none does."""
    rates = sorted({rate for runs in sweep.values() for rate in runs})
    at_edge = [name for name, runs in sweep.items() if {rates[0], rates[-1]} & set(usable_rates(runs))]
    names = join_and([f"*{name}*" for name in at_edge])
    return f"Windows reaching a grid end may be wider: {names}." if at_edge else ""


CHANCE = 0.2  # a run whose best validation accuracy stays below this has not learnt (chance is 0.1)


def sweep_table(sweep: dict[str, dict[float, Trained]], chosen: dict[str, float]) -> str:
    """Validation accuracy of each recipe at each rate; the chosen rate in bold."""
    rates = sorted({rate for runs in sweep.values() for rate in runs})
    rows = []
    for name, runs in sweep.items():
        row = {"recipe": name}
        for rate in rates:
            text = pct(runs[rate].history.best("val_accuracy")) if rate in runs else "-"
            row[f"lr {rate:g}"] = f"**{text}**" if rate == chosen[name] else text
        row[f"rates reaching {USABLE:.0%}"] = len(usable_rates(runs))
        rows.append(row)
    return markdown_table(rows)


def regularisation_table(trained: dict[str, Trained], fitted: dict[str, dict[str, float]]) -> str:
    """Each variant's fit to its own training digits (evaluation mode) against validation (kept epoch and first
    epoch) and test."""
    rows = []
    for name, result in trained.items():
        history, own = result.history, fitted[name]
        val_loss = history.val_loss[history.best_epoch - 1]
        rows.append({"variant": name, "train acc, eval mode": pct(own["accuracy"]),
                     "val acc": pct(history.best("val_accuracy")), "val acc, epoch 1": pct(history.val_accuracy[0]),
                     "gap (points)": f"{100 * (own['accuracy'] - history.best('val_accuracy')):.2f}",
                     "train loss, eval mode": f"{own['loss']:.3f}", "val loss": f"{val_loss:.3f}",
                     "test acc": pct(result.test_accuracy), "test loss": f"{float(result.test_losses.mean()):.3f}"})
    return markdown_table(rows)


def probe_table(accuracy: dict[str, dict[str, float]], clean: str) -> str:
    """Test accuracy of each network on each probe of the test digits, and its change from the clean digits."""
    names = list(next(iter(accuracy.values())))
    rows = []
    for probe, row in accuracy.items():
        cells = {"test digits": probe}
        for name in names:
            cells[name] = pct(row[name])
            cells[f"{name}, change (points)"] = f"{100 * (row[name] - accuracy[clean][name]):+.2f}"
        rows.append(cells)
    return markdown_table(rows)


def smoothness_table(networks: dict[str, dict[str, float]], operators: dict[str, dict[str, float]],
                     source: str) -> str:
    """Mean smoothness of the pooled maps, by each measure ({name: {measure: mean}}): each trained network's own,
    then other operators on the conv 1 maps of the network named `source`."""
    def row(lenet: str, pooling: str, values: dict[str, float]) -> dict[str, str]:
        return {"LeNet": lenet, "pooling of its conv 1 maps": pooling} | {k: f"{v:.3f}" for k, v in values.items()}

    return markdown_table([row(name.replace(" pooling", "-pooling"), f"{name} (its own)", values)
                           for name, values in networks.items()]
                          + [row(source, name, values) for name, values in operators.items()])


def confused_pairs(confusion: torch.Tensor, top: int = 3) -> list[tuple[int, int, int]]:
    """The largest off-diagonal counts of a confusion matrix: (true, predicted, count), largest first."""
    counts = confusion.clone().long()
    counts.fill_diagonal_(0)
    order = counts.flatten().argsort(descending=True)[:top]
    size = counts.shape[1]
    return [(int(index) // size, int(index) % size, int(counts.flatten()[index])) for index in order
            if counts.flatten()[index] > 0]


def confusion_finding(confusion: torch.Tensor, confident_true: torch.Tensor, confident_predicted: torch.Tensor,
                      name: str) -> str:
    """A table of the most confused digit pairs, with the stroke that separates them and how many of the surest
    mistakes they hold, then one sentence on them."""
    pairs = confused_pairs(confusion)
    if not pairs:
        return f"*{name}* makes no mistakes on the test digits."
    surest = list(zip(confident_true.tolist(), confident_predicted.tolist(), strict=True))
    rows = [{"true": truth, "predicted": predicted, "test digits": count,
             f"of the {len(surest)} surest mistakes": sum(pair == (truth, predicted) for pair in surest),
             "what separates them (described, not measured)": DIGIT_LOOKALIKES.get(frozenset({truth, predicted}), "")}
            for truth, predicted, count in pairs]
    held = sum(row[f"of the {len(surest)} surest mistakes"] for row in rows)
    text = f"\n\nThese {len(pairs)} pairs hold most of *{name}*'s surest mistakes." if 2 * held > len(surest) else ""
    return markdown_table(rows) + text


def balance_finding(shares: list[float]) -> str:
    """Whether the digits are balanced enough for accuracy to weigh them alike."""
    if max(shares) < 2 * min(shares):
        return "The ten digits are near balanced: accuracy weighs them about alike."
    return (f"The digits are unbalanced ({pct(min(shares))} to {pct(max(shares))} of the training split): accuracy "
            "follows the frequent ones; the per-class scores of 1.9 show the others.")
