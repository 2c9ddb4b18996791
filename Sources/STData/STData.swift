// Synthetic datasets with ground truth, and training.
