"""Task 1's readings: the report's sentences on each comparison, each stated only where this run's numbers bear it
out, with the mechanism said only where the result it explains occurred. A re-run with other settings, data or
hardware reads what that run measured."""
from dataclasses import dataclass

from .findings import LOSS_RISE, capital, expected, join_and, pct, rose, stated
from .mnist_findings import CHANCE, USABLE, usable_rates
from .results import History, Trained
from .study import Judged

VERB = {"better": "beats", "worse": "loses to", "no detectable difference": "does not differ detectably from"}
PAST = {"better": "beat", "worse": "lost to", "no detectable difference": "did not differ detectably from"}


def lenet_reading(verdict: Judged, lenet_parameters: int, mlp_parameters: int, histories: dict[str, History]) -> str:
    """LeNet against the MLP: the verdict against 1.5's expectation, and whether either has begun to overfit."""
    overfitting = [name for name, history in histories.items()
                   if rose(history.val_loss[-1], min(history.val_loss))]
    falling = all(history.val_loss[-1] == min(history.val_loss) for history in histories.values())
    return stated(
        (True, f"**LeNet {VERB[verdict.verdict]} the MLP** ({pct(verdict.first)} against {pct(verdict.second)}) "
               f"with {'fewer' if lenet_parameters < mlp_parameters else 'more'} parameters"
               f"{expected(verdict.verdict == 'better')}."),
        (falling, "Both validation losses still fall at the last epoch: equal epochs, not convergence."),
        (not falling and not overfitting, f"Both validation losses end within {LOSS_RISE:.0%} of their lowest: no "
                                          "overfitting."),
        (bool(overfitting), f"The validation loss of {join_and(overfitting)} ends over {LOSS_RISE:.0%} above its "
                            "lowest: it has begun to overfit."),
    )


def optimizer_reading(verdicts: list[Judged], sweep: dict[str, dict[float, Trained]], chosen: dict[str, float]) -> str:
    """The sweep and the four optimizer comparisons (in the order of study.OPTIMIZER_PAIRS), each against 1.6's
    expectation."""
    momentum, adam, onecycle, batch_norm = verdicts
    window = {name: usable_rates(runs) for name, runs in sweep.items()}  # rates reaching 90 %
    usable = {name: len(rates) for name, rates in window.items()}
    plain_sgd = max(usable["SGD"], usable["SGD + momentum"])
    survived = [rate for rate in window["Adam, one-cycle"]  # peaks one-cycle survives where constant Adam does not
                if sweep["Adam"][rate].history.best("val_accuracy") < CHANCE]
    widest = usable["SGD + batch norm"] == max(usable.values())
    return stated(
        (True, f"**Momentum {VERB[momentum.verdict]} plain SGD** ({pct(momentum.first)} against {pct(momentum.second)})"
               f"{expected(momentum.verdict == 'better')}."),
        (True, f"**Adam {VERB[adam.verdict]} SGD with momentum** ({pct(adam.first)} against {pct(adam.second)})"
               f"{expected(adam.verdict == 'better')}."),
        (True, f"Adam reaches {USABLE:.0%} at {usable['Adam']} grid rates, SGD at most {plain_sgd}"
               + (": more reliable (not tested)." if usable["Adam"] > plain_sgd else ": no more reliable here.")),
        (True, f"**One-cycle {VERB[onecycle.verdict]} constant Adam** at the same peak ({chosen['Adam']:g}), also "
               f"cycling β1 ({pct(onecycle.first)} against {pct(onecycle.second)})"
               + ("; perhaps one epoch leaves too few steps near the peak (untested)." if onecycle.verdict == "worse"
                  else ".")),
        (bool(survived), f"Its window is wider ({usable['Adam, one-cycle']} grid rates against {usable['Adam']}; not "
                         f"tested), as expected: it survives a peak of {max(survived, default=0):g}, where constant "
                         "Adam falls to chance."),
        (not survived, "Its window reaches no peak where constant Adam fails, against our expectation."),
        (True, f"**Batch norm {VERB[batch_norm.verdict]} plain SGD** ({pct(batch_norm.first)} against "
               f"{pct(batch_norm.second)})"
               + (", and its window is the widest (not tested)" if widest else ", but its window is not the widest")
               + f"{expected(batch_norm.verdict == 'better' and widest)}."),
    )


@dataclass(frozen=True)
class Regularisation:
    """What each regulariser did against the plain network (names as 'dropout 0.5', without the '+ ')."""

    helped: list[str]  # lowered the test cross-entropy detectably
    loosened: dict[str, bool]  # fitted the training digits less tightly: twice the loss, or a gap a point narrower
    gap: dict[str, float]  # training accuracy (eval mode) minus best validation accuracy, every variant
    first_epoch: dict[str, float]  # validation accuracy after one epoch, every variant


def regularisation_effects(verdicts: list[Judged], trained: dict[str, Trained],
                           fitted: dict[str, dict[str, float]]) -> Regularisation:
    """Each regulariser's verdict, fit and learning speed against 'plain' (trained and fitted: by variant name)."""
    gap = {name: fitted[name]["accuracy"] - result.history.best("val_accuracy") for name, result in trained.items()}
    names = {judged.comparison.removesuffix(" against plain"): judged for judged in verdicts}
    loosened = {name.removeprefix("+ "): fitted[name]["loss"] >= 2 * fitted["plain"]["loss"]
                or gap[name] <= gap["plain"] - 0.01 for name in names}
    return Regularisation([name.removeprefix("+ ") for name, judged in names.items() if judged.verdict == "better"],
                          loosened, gap, {name: result.history.val_accuracy[0] for name, result in trained.items()})


def regularisation_reading(effects: Regularisation, trained: dict[str, Trained], fitted: dict[str, dict[str, float]],
                           digits: int, dropout: float) -> str:
    """Memorisation by the plain network, then what each regulariser changed, against 1.7's expectation."""
    plain_val = trained["plain"].history.best("val_accuracy")
    plain_loss_curve = trained["plain"].history.val_loss
    lowest_loss = plain_loss_curve.index(min(plain_loss_curve)) + 1  # its epoch, counted from 1
    batch_norm = "batch norm"
    plain_loss = fitted["plain"]["loss"]

    tried = ["augmentation", f"dropout {dropout:g}"]  # the two expected to loosen the fit
    loose = [name for name in tried if name in effects.helped and effects.loosened[name]]
    tight = [name for name in tried if name in effects.helped and not effects.loosened[name]]

    return stated(
        (effects.gap["plain"] > 0.005, f"**Plain LeNet memorises its {digits:,} training digits:** "
                                       f"{pct(fitted['plain']['accuracy'])} right in eval mode, {pct(plain_val)} on "
                                       "validation" + (f", where its loss rises after epoch {lowest_loss}."
                                                       if rose(plain_loss_curve[-1], min(plain_loss_curve))
                                                       else ".")),
        (len(effects.helped) == len(effects.loosened), f"All {len(effects.helped)} changes lower the test "
                                                       "cross-entropy."),
        (0 < len(effects.helped) < len(effects.loosened), f"{capital(join_and(effects.helped))} lower the test "
                                                          "cross-entropy."),
        (bool(loose), f"{capital(join_and(loose))} fit{'s' if len(loose) == 1 else ''} the training digits less "
                      "tightly (training loss " + join_and([f"{fitted['+ ' + name]['loss']:.3f}" for name in loose])
                      + f" against {plain_loss:.3f}), as expected."),
        (bool(tight), f"{capital(join_and(tight))} fit{'s' if len(tight) == 1 else ''} the training digits as "
                      "tightly as plain, against our expectation."),
        (batch_norm in effects.helped and not effects.loosened[batch_norm],
         f"**Batch norm** fits as tightly as plain (training loss {fitted['+ ' + batch_norm]['loss']:.3f})"
         + (f" but learns faster ({pct(effects.first_epoch['+ ' + batch_norm])} on validation after one epoch "
            f"against {pct(effects.first_epoch['plain'])}; not tested), as expected; perhaps batch statistics' "
            "noise regularises (untested)."
            if effects.first_epoch.get("+ " + batch_norm, 0) - effects.first_epoch["plain"] >= 0.01 else
            "; perhaps batch statistics' noise regularises (untested).")),
    )


@dataclass(frozen=True)
class Pooling:
    """Max against average pooling: the shift test's outcome, the noise drops and the smoothness verdict."""

    moved: str  # the tested probe, e.g. 'moved 2 px'
    detected: bool  # the shift test found a difference
    ahead: str  # the pooling that loses less on moved digits
    behind: str
    drop: dict[str, dict[str, float]]  # accuracy lost on each probe, by pooling
    noise_gap: float  # the largest difference between the two drops on noisy digits
    smoothness: Judged  # average against max pooling of the same conv 1 maps
    variation: dict[str, float]  # the same maps' mean total variation ÷ mean, by operator ('max', 'avg')

    def variation_agrees(self) -> bool:
        """Whether the second, untested measure orders the operators as the tested one does."""
        rougher_average = self.variation["avg"] > self.variation["max"]
        return rougher_average if self.smoothness.verdict == "worse" else not rougher_average


def pooling_effects(verdicts: list[Judged], accuracy: dict[str, dict[str, float]], moved: str,
                    variation: dict[str, float]) -> Pooling:
    """From the pooling family (shift test, then smoothness test; average pooling first in each), the accuracy
    of each network on each probe ('as given' the clean digits; probes named 'noise ...' are the noisy ones) and
    the second smoothness measure of the same maps ({'max' or 'avg': mean})."""
    shift_test, smooth_test = verdicts
    drop = {probe: {name: accuracy["as given"][name] - row[name] for name in row} for probe, row in accuracy.items()}
    ahead, behind = (("average pooling", "max pooling") if shift_test.verdict == "better"
                     else ("max pooling", "average pooling"))
    noisy = [probe for probe in accuracy if probe.startswith("noise")]
    noise_gap = max((abs(drop[probe]["max pooling"] - drop[probe]["average pooling"]) for probe in noisy), default=0.0)
    return Pooling(moved, shift_test.verdict != "no detectable difference", ahead, behind, drop, noise_gap, smooth_test,
                   variation)


NOISE_LEVEL = 0.005  # noise drops closer than half a point do not separate the two poolings


def pooling_reading(effects: Pooling) -> str:
    """Shifts, noise and smoothness: what separates max from average pooling in this run, against the handout."""
    drop, smooth, variation, agrees = effects.drop, effects.smoothness, effects.variation, effects.variation_agrees()
    smoother, rougher = ("avg", "max") if smooth.verdict == "better" else ("max", "avg")  # by the tested measure
    smoother_text = "a mean" if smoother == "avg" else "max pooling"
    noisy = [probe for probe in drop if probe.startswith("noise")]
    less = {probe: min(drop[probe], key=drop[probe].get) for probe in noisy}  # the network that loses less
    return stated(
        (effects.detected, f"**Digits {effects.moved}: {effects.ahead} loses less** "
                           f"({-100 * drop[effects.moved][effects.ahead]:+.2f} against "
                           f"{-100 * drop[effects.moved][effects.behind]:+.2f} points)"
                           f"{expected(effects.ahead == 'max pooling', 'the handout')}."),
        (not effects.detected, f"On digits {effects.moved}, neither pooling type loses detectably less."),
        (effects.noise_gap < NOISE_LEVEL, "On noisy digits their drops differ by under half a point (not tested)."),
        (effects.noise_gap >= NOISE_LEVEL, "On noisy digits (untested) the smaller drop goes to " + "; ".join(
            f"{name} at {join_and([probe.removeprefix('noise ') for probe in noisy if less[probe] == name])}"
            for name in dict.fromkeys(less.values())) + "."),
        (smooth.verdict in ("better", "worse"),
         f"**Smoothness:** {smoother_text} of the same conv 1 maps is the smoother by neighbour correlation "
         f"({max(smooth.first, smooth.second):.3f} against {min(smooth.first, smooth.second):.3f})"
         + (" and" if agrees else ", though not") + f" by total variation ({variation[smoother]:.3f} against "
         f"{variation[rougher]:.3f}, not tested)"
         + (", as the handout says." if smooth.verdict == "better" else
            ", against the handout: a maximum widens each stroke into a plateau, which both count as smooth "
            "(untested)." if agrees else ", against the handout.")),
        (smooth.verdict == "no detectable difference", "On the same conv 1 maps neither operator is detectably "
                                                       "smoother."),
    )


def task1_conclusion(against_mlp: Judged, optimizers: list[Judged], regularisation: Regularisation,
                     pooling: Pooling, sweep_digits: int, memorised_digits: int) -> str:
    """Task 1 in a paragraph: what each comparison found in this run."""
    momentum, adam = optimizers[:2]
    loosening = [name for name in regularisation.helped if regularisation.loosened[name]]
    tight = [name for name in regularisation.helped if not regularisation.loosened[name]]
    pooling_parts = ([f"{pooling.ahead} lost less on digits {pooling.moved}"] if pooling.detected else
                     [f"neither pooling type lost detectably less on digits {pooling.moved}"])
    if pooling.noise_gap < NOISE_LEVEL:
        pooling_parts.append("noise hit both alike (not tested)")
    if pooling.smoothness.verdict == "worse":
        pooling_parts.append(f"our smoothness measure{'s' if pooling.variation_agrees() else ''} did not confirm the "
                             "handout")
    elif pooling.smoothness.verdict == "better":
        pooling_parts.append("average pooling gave the smoother maps, as the handout says")
    return stated(
        (True, f"**Task 1** (one network per variant). LeNet {PAST[against_mlp.verdict]} the MLP "
               f"({pct(against_mlp.first)} against {pct(against_mlp.second)})"
               + (": shared filters and pooling suit images." if against_mlp.verdict == "better" else ".")),
        (momentum.verdict == adam.verdict == "better",
         f"In one epoch on {sweep_digits:,} digits, momentum beat SGD and Adam beat momentum."),
        (bool(regularisation.helped), f"On {memorised_digits:,} memorised digits, {join_and(loosening + tight)} "
                                      f"{'each ' if len(regularisation.helped) > 1 else ''}lowered the test "
                                      "cross-entropy"
                                      + (f", {join_and(tight)} without loosening the fit." if loosening and tight
                                         else ".")),
        (True, capital("; ".join(pooling_parts)) + "."),
    )
