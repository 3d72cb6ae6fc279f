"""The model: a linear model over hand-made features of x. MUTABLE: nightshift's code proposer may
rewrite this file (different features, a different model) to lower the validation loss.
"""


def features(x):
    """Features of one input; the model is a weighted sum of these."""
    return [1.0, x, x * x]


def predict(weights, x):
    return sum(w * f for w, f in zip(weights, features(x)))


def n_features():
    return len(features(0.0))
