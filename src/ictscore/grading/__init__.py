"""Grading: from a folder of filled sheets to a Report. The modules, in the pipeline's order:

- pipeline.py       GradeOptions and grade_folder / grade_file: the one way to grade
- discovery.py      the files to grade (folder and link policy)
- rubric_choice.py  the rubric to grade with (--rubric, rubric.yaml, or what the sheets record)
- appraisal_form.py the appraisal council's form: written, read back
- workers.py        reading and grading each file in a worker process (isolation, compaction)
- units.py          one sheet for its unit: origin, group, roster check (validate.py scores it;
                    cells.py reads what was typed)
- groups.py         the group pass: duplicates, missing units, the appraisal (appraisal.py),
                    normalisation, totals (scoring.py), ranks
- results.py        the Report and UnitResult it returns

Imports rubric, roster and sheets; never reports.
"""
