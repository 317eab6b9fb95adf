"""The version of ictscore, recorded in the sheets it makes and the reports it writes."""

__version__ = "0.1.0"
