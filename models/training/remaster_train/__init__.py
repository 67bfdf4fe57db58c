"""Training, export and measurement of Remaster's SR-ITM models (README.md in models/training).

Library modules: sdrhdr (analytic baseline), model (the network), configs (named sizes), data (sources, degradations,
metrics). Each stage runs from models/training as `/usr/bin/python3 -m remaster_train.<stage>`: prepare_data,
train, select_checkpoint, export, fp16, baseline_onnx, temporal, error_budget, bench_cuda.
"""
