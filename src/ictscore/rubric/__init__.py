"""The rubric: its model, its scoring methods, its checks and the bundled rubrics.

The first stage: nothing here imports sheets, grading or reports.
"""
