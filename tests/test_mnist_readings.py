from test_mnist_findings import judged, trained

from utils import mnist_readings
from utils.mnist_findings import CHANCE


def test_lenet_reading_says_as_expected_only_when_lenet_wins_and_names_who_overfits():
    histories = {"the MLP": trained("MLP", [0.9, 0.95]).history, "LeNet": trained("LeNet", [0.9, 0.97]).history}
    won = mnist_readings.lenet_reading(judged("LeNet against the MLP", 0.99, 0.97, "better"), 400, 500, histories)
    assert won.startswith("**LeNet beats the MLP** (99.00 % against 97.00 %) with fewer parameters, as expected.")
    assert "still fall at the last epoch: equal epochs, not convergence." in won
    overfit = {"the MLP": trained("MLP", [0.9, 0.95], [0.1, 0.2]).history, "LeNet": histories["LeNet"]}
    tied = mnist_readings.lenet_reading(judged("LeNet against the MLP", 0.97, 0.97, "no detectable difference"),
                                        600, 500, overfit)
    assert "does not differ detectably from the MLP" in tied and "more parameters" in tied
    assert "against our expectation." in tied
    assert "The validation loss of the MLP ends over 5% above its lowest" in tied


def sweep(best_at: dict[str, dict[float, float]]) -> dict:
    return {name: {rate: trained(f"{name}, lr {rate:g}", [accuracy]) for rate, accuracy in runs.items()}
            for name, runs in best_at.items()}


RATES = {"SGD": {0.01: 0.5, 0.1: 0.92, 1.0: 0.1}, "SGD + momentum": {0.01: 0.91, 0.1: 0.93, 1.0: 0.1},
         "Adam": {0.001: 0.93, 0.01: 0.95, 0.1: 0.1}, "Adam, one-cycle": {0.001: 0.92, 0.01: 0.94, 0.1: 0.93},
         "SGD + batch norm": {0.01: 0.91, 0.1: 0.97, 1.0: 0.96}}


def test_optimizer_reading_says_as_expected_only_where_the_result_bears_it_out():
    runs = sweep(RATES)
    chosen = {name: max(rates, key=rates.get) for name, rates in RATES.items()}
    verdicts = [judged("SGD + momentum against SGD", 0.95, 0.93, "better"),
                judged("Adam against SGD + momentum", 0.96, 0.95, "better"),
                judged("Adam, one-cycle against Adam", 0.95, 0.96, "worse"),
                judged("SGD + batch norm against SGD", 0.97, 0.93, "better")]
    text = mnist_readings.optimizer_reading(verdicts, runs, chosen)
    assert "**Momentum beats plain SGD** (95.00 % against 93.00 %), as expected." in text
    assert "Adam reaches 90% at 2 grid rates, SGD at most 2: no more reliable here." in text
    assert "One-cycle loses to constant Adam** at the same peak (0.01), also cycling β1" in text
    assert "as expected: it survives a peak of 0.1, where constant Adam falls to chance" in text  # 0.1 < CHANCE
    assert "and its window is the widest (not tested), as expected." in text
    none = [judged(v.comparison, v.first, v.first, "no detectable difference") for v in verdicts]
    quiet = mnist_readings.optimizer_reading(none, runs, chosen)
    assert "as expected." not in quiet.replace("as expected: it survives", "")
    assert "(95.00 % against 95.00 %), against our expectation." in quiet
    assert "**One-cycle does not differ detectably from constant Adam**" in quiet
    assert RATES["Adam"][0.1] < CHANCE


def regularised(plain_fit: float, dropout_fit: float) -> tuple[dict, dict]:
    trained_runs = {"plain": trained("plain", [0.7, 0.96]), "+ dropout 0.5": trained("d", [0.68, 0.962]),
                    "+ augmentation": trained("a", [0.66, 0.969]), "+ batch norm": trained("b", [0.87, 0.962])}
    fitted = {"plain": {"accuracy": 1.0, "loss": plain_fit}, "+ dropout 0.5": {"accuracy": 0.998, "loss": dropout_fit},
              "+ augmentation": {"accuracy": 0.995, "loss": 0.016}, "+ batch norm": {"accuracy": 1.0, "loss": 0.001}}
    return trained_runs, fitted


def test_regularisation_reading_names_only_the_changes_that_helped_and_how_they_fit():
    trained_runs, fitted = regularised(0.002, 0.009)
    verdicts = [judged("+ dropout 0.5 against plain", 0.10, 0.12, "better", "test cross-entropy"),
                judged("+ augmentation against plain", 0.06, 0.12, "better", "test cross-entropy"),
                judged("+ batch norm against plain", 0.12, 0.12, "no detectable difference", "test cross-entropy")]
    effects = mnist_readings.regularisation_effects(verdicts, trained_runs, fitted)
    assert effects.helped == ["dropout 0.5", "augmentation"] and effects.loosened["dropout 0.5"]
    text = mnist_readings.regularisation_reading(effects, trained_runs, fitted, 2000, 0.5)
    assert "**Plain LeNet memorises its 2,000 training digits:**" in text
    assert "Dropout 0.5 and augmentation lower the test cross-entropy." in text
    assert ("Augmentation and dropout 0.5 fit the training digits less tightly (training loss 0.016 and 0.009 "
            "against 0.002), as expected.") in text and "Batch norm" not in text
    tight = mnist_readings.regularisation_effects(verdicts, *regularised(0.002, 0.003))
    assert "Dropout 0.5 fits the training digits as tightly as plain, against our expectation." in (
        mnist_readings.regularisation_reading(tight, *regularised(0.002, 0.003), 2000, 0.5))
    conclusion = mnist_readings.task1_conclusion(
        judged("LeNet against the MLP", 0.99, 0.97, "better"), [judged("m", 0.9, 0.8, "better")] * 2, effects,
        mnist_readings.pooling_effects([judged("shift", -0.05, -0.04, "worse"), judged("smooth", 0.5, 0.55, "worse")],
                                       {"as given": {"max pooling": 0.99, "average pooling": 0.99},
                                        "moved 2 px": {"max pooling": 0.95, "average pooling": 0.94}}, "moved 2 px",
                                       {"max": 1.4, "avg": 1.5}),
        8000, 2000)
    assert "dropout 0.5 and augmentation each lowered the test cross-entropy." in conclusion
    assert "Max pooling lost less on digits moved 2 px" in conclusion and "(one network per variant)" in conclusion
    assert "our smoothness measures did not confirm the handout" in conclusion


def test_pooling_reading_words_the_shift_test_noise_and_smoothness_as_measured():
    accuracy = {"as given": {"max pooling": 0.99, "average pooling": 0.99},
                "moved 2 px": {"max pooling": 0.94, "average pooling": 0.93},
                "noise σ = 0.4": {"max pooling": 0.90, "average pooling": 0.95}}
    smoother_average = judged("smooth", 0.56, 0.50, "better")
    effects = mnist_readings.pooling_effects([judged("shift", -0.06, -0.05, "worse"), smoother_average], accuracy,
                                             "moved 2 px", {"max": 1.5, "avg": 1.4})
    assert effects.detected and effects.ahead == "max pooling" and round(effects.noise_gap, 3) == 0.05
    text = mnist_readings.pooling_reading(effects)
    assert "**Digits moved 2 px: max pooling loses less** (-5.00 against -6.00 points), as expected." in text
    assert "the smaller drop goes to average pooling at σ = 0.4" in text
    assert text.endswith("**Smoothness:** a mean of the same conv 1 maps is the smoother by neighbour correlation "
                         "(0.560 against 0.500) and by total variation (1.400 against 1.500, not tested), as the "
                         "handout says.")
    rougher_max = mnist_readings.pooling_effects([judged("shift", -0.06, -0.05, "worse"),
                                                  judged("smooth", 0.50, 0.56, "worse")], accuracy, "moved 2 px",
                                                 {"max": 1.5, "avg": 1.4})
    assert mnist_readings.pooling_reading(rougher_max).endswith(
        "max pooling of the same conv 1 maps is the smoother by neighbour correlation (0.560 against 0.500), though "
        "not by total variation (1.500 against 1.400, not tested), against the handout.")
    ahead_average = mnist_readings.pooling_effects([judged("shift", -0.05, -0.06, "better"), smoother_average],
                                                   accuracy, "moved 2 px", {"max": 1.5, "avg": 1.4})
    assert "average pooling loses less** (-6.00 against -5.00 points), against the handout." in (
        mnist_readings.pooling_reading(ahead_average))
    undetected = mnist_readings.pooling_effects([judged("shift", -0.06, -0.05, "no detectable difference"),
                                                 judged("smooth", 0.5, 0.5, "no detectable difference")], accuracy,
                                                "moved 2 px", {"max": 1.5, "avg": 1.5})
    text = mnist_readings.pooling_reading(undetected)
    assert "neither pooling type loses detectably less" in text and "expected" not in text
    assert "neither operator is detectably smoother" in text
