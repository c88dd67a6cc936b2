"""Delivery: the runner (papermill, exit codes, ledger), SMTP mail, screenshots and the Jupyter kernel."""
