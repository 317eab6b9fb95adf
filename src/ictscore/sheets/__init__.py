"""Score sheets as files: the layout contract, the template, the file check and the reader.

Imports the rubric and the roster; never grading or reports.
"""
