"""xlgrade: customer grading (ABC, Pareto, scorecard, credit, RFM) for spreadsheet users."""

__version__ = "0.1.0"
