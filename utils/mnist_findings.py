"""Task 1's tables and prose, worded from the run's records: each sentence that depends on a number is computed
from it and said only where its condition holds."""
import torch

from .findings import _list, capital, epochs_text, p_text, pct, prose_name
from .report import markdown_table
from .results import History, Trained
from .study import Judged

# What each optimizer comparison changes (true whatever this run measured).
OPTIMIZER_CHANGES = {
    "SGD + momentum against SGD": "steps that agree add up, oscillations cancel",
    "Adam against SGD + momentum": "each parameter's step follows its own gradient scale",
    "Adam, one-cycle against Adam": "warm-up and annealing spend most of one short epoch below the peak",
    "SGD + batch norm against SGD": "each layer sees inputs on one scale",
}

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
    return pct(value) if "accuracy" in measure else f"{value:.3f}"


def _difference(judged: Judged) -> str:
    difference = judged.first - judged.second
    return f"{100 * difference:+.2f} points" if "accuracy" in judged.measure else f"{difference:+.3f}"


def verdict_table(family: list[Judged]) -> str:
    """One row per comparison of a family: both scores, the paired test, its Holm-adjusted p and the verdict."""
    return markdown_table([{"comparison": judged.comparison, "measure": judged.measure,
                            "first": _score(judged.first, judged.measure),
                            "second": _score(judged.second, judged.measure), "difference": _difference(judged),
                            "test": judged.test, "p": p_text(judged.p_value),
                            f"Holm p (family of {len(family)})": p_text(judged.adjusted), "verdict": judged.verdict}
                           for judged in family])


def verdict_phrase(judged: Judged) -> str:
    """e.g. '98.9 % against 98.1 % (Holm p < 0.001): better'."""
    return (f"{_score(judged.first, judged.measure)} against {_score(judged.second, judged.measure)} "
            f"(Holm {p_text(judged.adjusted)}): {judged.verdict}")


def mlp_finding(judged: Judged, lenet: Trained, mlp: Trained) -> str:
    """Convolution against the MLP, trained alike."""
    from .models import count_parameters
    fewer = count_parameters(lenet.model) < count_parameters(mlp.model)
    size = f"with {'fewer' if fewer else 'more'} parameters"
    text = f"**LeNet against the MLP:** {verdict_phrase(judged)}, {size}."
    if judged.verdict == "better":
        text += (" A shared 5×5 filter finds a stroke anywhere and pooling tolerates its position; the MLP learns "
                 "each position apart.")
    return text


def usable_rates(runs: dict[float, Trained], within: float = 0.01) -> list[float]:
    """The learning rates whose validation accuracy is within `within` of the recipe's best."""
    best = max(run.history.best("val_accuracy") for run in runs.values())
    return [rate for rate, run in runs.items() if run.history.best("val_accuracy") >= best - within]


def sweep_table(sweep: dict[str, dict[float, Trained]], chosen: dict[str, float]) -> str:
    """Validation accuracy of each recipe at each rate; the chosen rate in bold."""
    rates = sorted({rate for runs in sweep.values() for rate in runs})
    rows = []
    for name, runs in sweep.items():
        row = {"recipe": name}
        for rate in rates:
            text = pct(runs[rate].history.best("val_accuracy")) if rate in runs else "-"
            row[f"lr {rate:g}"] = f"**{text}**" if rate == chosen[name] else text
        row["rates within 1 point of its best"] = len(usable_rates(runs))
        rows.append(row)
    return markdown_table(rows)


def sweep_finding(sweep: dict[str, dict[float, Trained]], chosen: dict[str, float]) -> str:
    """Each recipe's chosen rate, and batch norm's effect on the range of usable rates."""
    text = "Chosen rates in bold."
    edge = [name for name, runs in sweep.items() if chosen[name] in (min(runs), max(runs))]
    if edge:
        text += f" For {', '.join(edge)} the best rate is at the end of the grid: a rate beyond it might do better."
    if {"SGD", "SGD + batch norm"} <= sweep.keys():
        plain, normed = usable_rates(sweep["SGD"]), usable_rates(sweep["SGD + batch norm"])
        if len(normed) > len(plain):
            text += (f" Batch norm widens the usable range ({len(normed)} of {len(sweep['SGD'])} rates within 1 point "
                     f"of the best, against {len(plain)}): rescaled layer inputs keep large steps stable.")
        top = max(sweep["SGD"])
        if top in sweep["SGD + batch norm"]:
            text += (f" At lr {top:g}: {pct(sweep['SGD + batch norm'][top].history.best('val_accuracy'))} with "
                     f"batch norm, {pct(sweep['SGD'][top].history.best('val_accuracy'))} without.")
        if chosen["SGD + batch norm"] > chosen["SGD"]:
            text += (f" Its best rate, {chosen['SGD + batch norm']:g}, is above plain SGD's "
                     f"{chosen['SGD']:g}.")
    return text


def optimizer_finding(family: list[Judged]) -> str:
    """Each optimizer comparison's outcome and what the change does."""
    sentences = []
    for judged in family:
        first, second = map(prose_name, judged.comparison.split(" against "))
        outcome = {"better": f"{first} beats {second}", "worse": f"{first} loses to {second}"}.get(
            judged.verdict, f"{first} and {second} do not differ detectably")
        reason = OPTIMIZER_CHANGES.get(judged.comparison)
        sentences.append(f"{outcome} ({_difference(judged)})" + (f": {reason}." if reason else "."))
    return "**Optimizers.** " + " ".join(map(capital, sentences))


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


REGULARISER_MECHANISMS = {
    "dropout": "silences random units, so no unit can rely on another",
    "augmentation": "moves and turns each digit, so memorised positions stop paying",
}


def _gap(name: str, trained: dict[str, Trained], fitted: dict[str, dict[str, float]]) -> float:
    """Training accuracy (eval mode) minus the best validation accuracy of one variant."""
    return fitted[name]["accuracy"] - trained[name].history.best("val_accuracy")


def _regulariser_reason(name: str, trained: dict[str, Trained], fitted: dict[str, dict[str, float]],
                        plain: str) -> str:
    """Why a regulariser lowered the test loss, as far as the run shows it, as a sentence: its mechanism where it
    fits its training digits less tightly than plain (twice the training loss, or a gap a point narrower); else
    whether it learnt faster (validation accuracy after the first epoch a point higher)."""
    narrower = _gap(name, trained, fitted) <= _gap(plain, trained, fitted) - 0.01
    looser = fitted[name]["loss"] >= 2 * fitted[plain]["loss"] or narrower
    mechanism = next((reason for key, reason in REGULARISER_MECHANISMS.items() if key in name), None)
    label = capital(prose_name(name))
    losses = f"eval-mode training loss {fitted[name]['loss']:.3f} against {fitted[plain]['loss']:.3f}"
    if looser and mechanism:
        return f"{label} {mechanism} ({losses})."
    first, plain_first = trained[name].history.val_accuracy[0], trained[plain].history.val_accuracy[0]
    text = f"{label} fits as tightly as plain LeNet ({losses}), so it does not loosen the fit"
    if first - plain_first >= 0.01:
        return text + (f"; it learns faster (val acc after epoch 1: {pct(first)} against {pct(plain_first)}), an "
                       "optimisation effect.")
    return text + "; the run does not show why it helps."


def regularisation_finding(trained: dict[str, Trained], fitted: dict[str, dict[str, float]], family: list[Judged],
                           plain: str) -> str:
    """Whether the small budget overfits, and what each regulariser did to the gap and to the test loss."""
    history = trained[plain].history
    gap = _gap(plain, trained, fitted)
    text = (f"**Overfitting.** Trained {epochs_text(len(history))}, the plain LeNet's kept weights score "
            f"{pct(fitted[plain]['accuracy'])} on the training digits against "
            f"{pct(history.best('val_accuracy'))} on validation"
            + (": it memorises them." if gap > 0.005 else "."))
    by_verdict = {word: [judged.comparison.split(" against ")[0] for judged in family if judged.verdict == word]
                  for word in ("better", "worse")}
    better = by_verdict["better"]
    if better:
        for name in better:
            text += " " + _regulariser_reason(name, trained, fitted, plain)
            if _gap(name, trained, fitted) <= gap - 0.01:  # by a point or more: smaller is a few digits
                text = text[:-1] + "; it also narrows the train–validation gap by a point or more."
    if by_verdict["worse"]:
        worse = by_verdict["worse"]
        text += f" {capital(_list([prose_name(name) for name in worse]))} raise{'' if len(worse) > 1 else 's'} it."
    return text


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


def smoothness_table(networks: dict[str, float], operators: dict[str, float]) -> str:
    """Mean smoothness of the pooled maps: each trained network's own, and both operators on the same maps."""
    return markdown_table([{"pooled maps": f"{name}, its own filters", "smoothness": f"{value:.3f}"}
                           for name, value in networks.items()]
                          + [{"pooled maps": f"{name} of the same conv 1 maps", "smoothness": f"{value:.3f}"}
                             for name, value in operators.items()])


def noise_finding(accuracy: dict[str, dict[str, float]], clean: str, noisy: list[str], names: tuple[str, str]) -> str:
    """Which network loses less accuracy at each noise level (described, not tested): one name where it is the same
    at every level, else the levels of each."""
    drop = {probe: {name: accuracy[clean][name] - accuracy[probe][name] for name in names} for probe in noisy}
    less = {probe: min(names, key=drop[probe].get) for probe in noisy}
    if len(set(less.values())) == 1:
        where = "at every level" if len(noisy) > 1 else f"({noisy[0]})"
        return f"- **Noisy digits** (untested): {less[noisy[0]]} loses less {where}."
    by_name = "; ".join(f"{name} at {', '.join(p.removeprefix('noise ') for p in noisy if less[p] == name)}"
                        for name in names if name in less.values())
    return f"- **Noisy digits** (untested): the smaller drop goes to {by_name}."


def pooling_finding(family: list[Judged], accuracy: dict[str, dict[str, float]], clean: str, moved: str,
                    noisy: list[str], names: tuple[str, str], operators: dict[str, float]) -> str:
    """Max against average pooling: moved digits (tested), noisy digits at each level in `noisy` (described) and
    smooth maps (tested on the trained networks; the operators compared on the same maps)."""
    average, maximum = names
    drop = {moved: {name: accuracy[clean][name] - accuracy[moved][name] for name in names}}
    lines = []
    shift = next((judged for judged in family if "moved" in judged.comparison), None)
    if shift is not None and shift.verdict != "no detectable difference":
        ahead = maximum if shift.verdict == "worse" else average
        other = average if ahead == maximum else maximum
        loses_less = drop[moved][ahead] < drop[moved][other]
        as_given = " as on the digits as given," if accuracy[clean][ahead] > accuracy[clean][other] else ""
        drops = f"{-100 * drop[moved][ahead]:+.2f} against {-100 * drop[moved][other]:+.2f} points, untested"
        lines.append(f"- **Moved digits** ({moved.removeprefix('moved ')}): {ahead} is more accurate (test),{as_given}"
                     + (f" and loses less ({drops})" if loses_less else f" though it loses more ({drops})")
                     + (": a stroke moved across a window border keeps its full strength in a maximum; a mean "
                        "splits it between two windows."
                        if ahead == maximum and loses_less else "."))
    lines.append(noise_finding(accuracy, clean, noisy, names))
    smooth = next((judged for judged in family if "smoothness" in judged.comparison), None)
    smoother = max(operators, key=operators.get)
    if smooth is not None and smooth.verdict != "no detectable difference":
        networks_smoother = average if smooth.verdict == "better" else maximum
        text = (f"- **Smoothness** (neighbour correlation): {networks_smoother}'s maps score higher (test), as does "
                f"{smoother} on the same conv 1 maps (untested)")
        if smoother == average:
            text += ": a window's mean is a low-pass filter, as the handout says."
        else:
            text += (": the measure rewards the thick strokes maxima make, so it does not settle the handout's "
                     "smoother average pooling.")
        lines.append(text)
    return "\n".join(lines)


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


def curve_finding(histories: dict[str, History]) -> str:
    """Per network: whether its validation loss rose after its lowest point (networks alike share a sentence)."""
    trends: dict[str, list[str]] = {}
    for name, history in histories.items():
        lowest = min(range(len(history.val_loss)), key=history.val_loss.__getitem__)
        rising = lowest + 1 < len(history) and history.val_loss[-1] > history.val_loss[lowest]
        trend = (f"is lowest after epoch {lowest + 1}: it has begun to overfit" if rising
                 else "is lowest at the last epoch: no overfitting yet")
        trends.setdefault(trend, []).append(name)
    parts = [f"{names[0]}'s validation loss {trend}" if len(names) == 1 else
             f"the validation losses of {_list(names)} are each {trend.removeprefix('is ')}"
             for trend, names in trends.items()]
    return "**The curves:** " + "; ".join(parts) + "."


def balance_finding(shares: list[float]) -> str:
    """Whether the digits are balanced enough for accuracy to weigh them alike."""
    if max(shares) < 2 * min(shares):
        return "The ten digits are near balanced, so accuracy weighs them about alike."
    return (f"The digits are unbalanced ({pct(min(shares))} to {pct(max(shares))} of the training split): accuracy "
            "follows the frequent ones; the per-class scores of 1.9 show the others.")
