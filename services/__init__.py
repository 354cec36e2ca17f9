"""Use cases that join the packages (store -> analysis -> layers) for the CLI and the pages.

Each function here is what one button or one CLI command does; pages stay thin.
"""
