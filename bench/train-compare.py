"""Reference trainers for bench/train.ts: scikit-learn's DecisionTreeClassifier and XGBoost's hist method.

Usage: /usr/bin/python3 bench/train-compare.py (tree|xgboost) TRAIN.csv TEST.csv '{"hyperparameters": ...}'
Label in the first column, no header (as byoc reads it). Prints one JSON line: accuracy on TEST, fit seconds.
The caller times the whole process (interpreter start, imports, CSV parsing, fit, predict).
"""
import json
import sys
import time

import numpy as np

try:
    import pandas as pd

    def load(path):
        a = pd.read_csv(path, header=None, dtype=np.float32).to_numpy()
        return a[:, 1:], a[:, 0].astype(np.int64)
except ImportError:  # numpy only
    def load(path):
        a = np.loadtxt(path, delimiter=",", dtype=np.float32)
        return a[:, 1:], a[:, 0].astype(np.int64)

kind, train_path, test_path, params = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
X, y = load(train_path)
Xt, yt = load(test_path)
t0 = time.perf_counter()
if kind == "tree":
    from sklearn.tree import DecisionTreeClassifier

    model = DecisionTreeClassifier(**params).fit(X, y)
    pred = model.predict(Xt)
    extra = {"nodes": int(model.tree_.node_count), "depth": int(model.get_depth())}
else:
    import xgboost as xgb

    rounds = params.pop("num_round")
    dtrain = xgb.DMatrix(X, label=y)
    booster = xgb.train(params, dtrain, num_boost_round=rounds)
    prob = booster.predict(xgb.DMatrix(Xt))
    pred = (prob > 0.5).astype(np.int64) if prob.ndim == 1 else prob.argmax(axis=1)
    extra = {"xgboost": xgb.__version__}
fit = time.perf_counter() - t0
print(json.dumps({"accuracy": float((pred == yt).mean()), "fit_seconds": fit, **extra}))
