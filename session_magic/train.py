"""`sm.train`: optimizers and checkpoints (filled by the training issue)."""
