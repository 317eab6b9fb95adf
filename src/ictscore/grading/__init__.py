"""Grading: finding sheets, workers, validation and scoring, the appraisal, the group pass and
the pipeline that runs them (`grade_folder`).

Imports rubric, roster and sheets; never reports.
"""
